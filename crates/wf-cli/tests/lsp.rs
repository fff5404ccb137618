//! `wf lsp` as an editor starts it: the `wf` binary speaks LSP over stdio (the full protocol
//! tests live in `crates/wf-lsp/tests`; this one proves the subcommand is wired).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

fn send(stdin: &mut ChildStdin, message: Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to wf lsp");
    stdin.flush().expect("flush");
}

fn receive(stdout: &mut BufReader<ChildStdout>) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).expect("read a header") > 0, "wf lsp closed its output");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().expect("a length");
        }
    }
    let mut body = vec![0; length];
    stdout.read_exact(&mut body).expect("read the body");
    serde_json::from_slice(&body).expect("JSON")
}

/// Reads messages until the response to request `id` (skipping notifications and logs).
fn response(stdout: &mut BufReader<ChildStdout>, id: i64) -> Value {
    loop {
        let m = receive(stdout);
        if m["id"] == id {
            return m;
        }
    }
}

#[test]
fn wf_lsp_serves_diagnostics_and_hover_then_exits_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wf"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("wf lsp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));

    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    let init = response(&mut stdout, 1);
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true, "{init:#}");
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));

    let text = "main:\n  steps:\n    - first:\n        next: secnd\n    - second:\n        return: ${len(\"ab\")}\n";
    let uri = "file:///flows/order.workflows.yaml";
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": text}}}),
    );
    let diagnostics = loop {
        let m = receive(&mut stdout);
        if m["method"] == "textDocument/publishDiagnostics" {
            break m;
        }
    };
    let list = diagnostics["params"]["diagnostics"].as_array().expect("a list");
    assert_eq!(list.len(), 1, "{diagnostics:#}");
    assert_eq!(list[0]["code"], "WF201");
    assert_eq!(list[0]["range"]["start"], json!({"line": 3, "character": 14}));

    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri}, "position": {"line": 5, "character": 20}}}),
    );
    let hover = response(&mut stdout, 2);
    let contents = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert!(contents.contains("len(value)"), "{hover:#}");

    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}));
    assert_eq!(response(&mut stdout, 3)["result"], Value::Null);
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(child.wait().expect("wf lsp exits").success());
}
