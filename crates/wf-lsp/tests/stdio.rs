//! End to end: starts the real `wf-lsp` binary and drives it over stdio with JSON-RPC, the
//! way an editor does: initialize, open, edit, diagnostics, hover, completion, definition,
//! symbols, semantic tokens, bad requests, shutdown and exit.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const URI: &str = "file:///work/flows/order.workflows.yaml";
const WAIT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    /// Every message from the server, as JSON (error answers to malformed frames have
    /// `id: null`, which lsp-server's `Message` cannot hold).
    incoming: Receiver<Value>,
    next_id: i32,
}

/// Reads one frame's JSON body; `None` when the server has closed its output.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wf-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("wf-lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client { child, stdin, incoming, next_id: 0 }
    }

    fn send(&mut self, msg: Message) {
        msg.write(&mut self.stdin).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    /// Writes bytes as they are, framing included (or not).
    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(method.into(), params)));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Message::Request(Request::new(id, method.into(), params)));
        self.response(&json!(self.next_id))
    }

    /// Waits for the response with this id (`null` for errors about malformed frames).
    fn response(&mut self, id: &Value) -> Result<Value, Value> {
        loop {
            let msg = self.incoming.recv_timeout(WAIT).expect("a response in time");
            if msg.get("method").is_none() && msg.get("id") == Some(id) {
                return match msg.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(msg["result"].clone()),
                };
            }
        }
    }

    /// Waits for the next notification `method`; returns its parameters.
    fn notification(&mut self, method: &str) -> Value {
        loop {
            let msg = self.incoming.recv_timeout(WAIT).expect("a notification in time");
            if msg["method"] == method {
                return msg["params"].clone();
            }
        }
    }

    /// Waits for the next diagnostics of `URI`.
    fn diagnostics(&mut self) -> Value {
        self.diagnostics_of(URI)
    }

    /// Waits for the next diagnostics of `uri`.
    fn diagnostics_of(&mut self, uri: &str) -> Value {
        loop {
            let params = self.notification("textDocument/publishDiagnostics");
            if params["uri"] == uri {
                return params;
            }
        }
    }

    /// Waits for the server to exit; its exit code.
    fn exit_code(&mut self) -> Option<i32> {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(start.elapsed() < WAIT, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

const TEXT: &str = "\
main:
  params: [args]
  steps:
    - init:
        assign:
          - greeting: \"héllo 😀 wörld\"
          - shout: ${\"😀\" + text.to_upper(greting)}
    - fetch:
        call: http.get
        args:
          url: ${\"https://example.com/\" + shout}
        result: resp
    - done:
        return: ${resp.body}
";

#[test]
fn an_editor_session_over_stdio() {
    let mut c = Client::start();
    let init = c
        .request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": { "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } } },
            }),
        )
        .expect("initialize");
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for provider in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider"] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert!(caps["semanticTokensProvider"]["legend"]["tokenTypes"].as_array().is_some_and(|t| !t.is_empty()));
    assert_eq!(init["serverInfo"]["name"], "wf-lsp");
    c.notify("initialized", json!({}));

    // Open: an undefined variable after non-ASCII text on the same line (`greeting`, never
    // read, is the same mistake: one diagnostic, with a label there).
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": TEXT } }),
    );
    let d = c.diagnostics();
    assert_eq!(d["version"], 1);
    let list = d["diagnostics"].as_array().expect("a list");
    let codes: Vec<&str> = list.iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, ["WF207"], "{d:#}");
    let undefined = &list[0];
    assert_eq!(undefined["code"], "WF207");
    assert_eq!(undefined["severity"], 1);
    // `          - shout: ${"😀" + text.to_upper(greting)}`: 😀 counts two UTF-16 units.
    let line = TEXT.lines().nth(6).expect("line 7");
    let col = line[..line.find("greting").expect("typo")].encode_utf16().count();
    assert_eq!(undefined["range"]["start"], json!({ "line": 6, "character": col }));
    assert_eq!(undefined["range"]["end"], json!({ "line": 6, "character": col + 7 }));
    assert!(undefined["message"].as_str().is_some_and(|m| m.contains("did you mean `greeting`?")));
    // Linked to the docs only when the build sets WFKIT_DOCS_URL.
    assert_eq!(undefined.get("codeDescription").is_some(), option_env!("WFKIT_DOCS_URL").is_some(), "{undefined:#}");

    // Edit: fix the typo with an incremental change (in UTF-16 columns).
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 6, "character": col + 3 }, "end": { "line": 6, "character": col + 3 } }, "text": "e" }],
        }),
    );
    let d = c.diagnostics();
    assert_eq!(d["version"], 2);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");

    // Edit: `next: end` leaves the last step unreachable (tagged unnecessary); `resp`,
    // read only there, is the same mistake and not reported unread.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 3 },
            "contentChanges": [{ "range": { "start": { "line": 11, "character": 20 }, "end": { "line": 11, "character": 20 } }, "text": "\n        next: end" }],
        }),
    );
    let d = c.diagnostics();
    let codes: Vec<&str> =
        d["diagnostics"].as_array().expect("list").iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, ["WF400"], "{d:#}");
    assert_eq!(d["diagnostics"][0]["tags"], json!([1]));

    // Hover over `shout` in `fetch`: its type and where it is assigned.
    let hover = c.request("textDocument/hover", at(10, 44)).expect("hover");
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert!(text.contains("variable shout: string"), "{text}");
    assert!(text.contains("step `init` (line 7)"), "{text}");

    // Completion after `resp.`: the fields of an HTTP response.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 4 },
            "contentChanges": [{ "range": { "start": { "line": 14, "character": 23 }, "end": { "line": 14, "character": 27 } }, "text": "" }],
        }),
    );
    let completion = c.request("textDocument/completion", at(14, 23)).expect("completion");
    let labels: Vec<&str> =
        completion["items"].as_array().expect("items").iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["body", "code", "headers"]);

    // Definition of `resp`: the call's `result`.
    let def = c.request("textDocument/definition", at(14, 19)).expect("definition");
    assert_eq!(def[0]["uri"], URI);
    assert_eq!(def[0]["range"]["start"], json!({ "line": 11, "character": 16 }));

    // The outline and the semantic tokens.
    let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } })).expect("symbols");
    let steps: Vec<&str> =
        symbols[0]["children"].as_array().expect("steps").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(steps, ["init", "fetch", "done"]);
    let tokens =
        c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": URI } })).expect("tokens");
    assert_eq!(tokens["data"].as_array().map(|d| d.len() % 5), Some(0));

    // Mistakes of the client get an error, and the server keeps going.
    let bad = c.request("textDocument/hover", json!({ "nonsense": true })).expect_err("invalid params");
    assert_eq!(bad["code"], -32602);
    let unknown = c.request("wf/unknown", json!({})).expect_err("unknown method");
    assert_eq!(unknown["code"], -32601);
    let closed = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nope.yaml" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(closed, Ok(Value::Null));

    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(0));
}

#[test]
fn json_files_and_closing() {
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} })).expect("initialize");
    c.notify("initialized", json!({}));
    let uri = "file:///work/flows/x.json";
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 7, "text": "[{\"s\": {\"retrun\": 1}}]" } }),
    );
    let d = c.notification("textDocument/publishDiagnostics");
    assert_eq!(d["diagnostics"][0]["code"], "WF120", "{d:#}");
    assert_eq!(d["diagnostics"][0]["range"]["start"], json!({ "line": 0, "character": 8 }));
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    let d = c.notification("textDocument/publishDiagnostics");
    assert_eq!(d["diagnostics"], json!([]), "closing clears the diagnostics");
    // The client goes away without `shutdown`: the server ends too, with status 1.
    drop(c.stdin);
    let status = c.child.wait().expect("wait");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn the_other_features_over_the_wire() {
    // A workspace folder with one more workflow on disk, for workspace symbols.
    let dir = std::env::temp_dir().join(format!("wf-lsp-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("other.yaml"), "- fetch_other:\n    return: 1\n").expect("write");
    let root = format!("file://{}", dir.display());

    let mut c = Client::start();
    c.request("initialize", json!({ "rootUri": root, "capabilities": {} })).expect("initialize");
    c.notify("initialized", json!({}));
    let text = "\
main:
  steps:
    - fetch:
        call: http.get
        args:
          timeout: 10
        result: resp
    - done:
        return: ${text.substring(resp.body, 0, 3)}
";
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text } }),
    );
    let d = c.diagnostics();
    assert_eq!(d["diagnostics"][0]["code"], "WF304", "{d:#}");
    let missing = d["diagnostics"][0].clone();

    // References of `resp`, and renaming it.
    let refs = c.request("textDocument/references", json!({ "textDocument": { "uri": URI }, "position": { "line": 6, "character": 17 }, "context": { "includeDeclaration": true } })).expect("references");
    assert_eq!(refs.as_array().map(Vec::len), Some(2), "{refs:#}");
    let prepared = c.request("textDocument/prepareRename", at(6, 17)).expect("prepareRename");
    assert_eq!(prepared["placeholder"], "resp");
    let edit = c.request("textDocument/rename", json!({ "textDocument": { "uri": URI }, "position": { "line": 6, "character": 17 }, "newName": "response" })).expect("rename");
    let edits = edit["changes"][URI].as_array().expect("edits to this document");
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e["newText"] == "response"));
    let refused = c
        .request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 6, "character": 17 }, "newName": "1x" }),
        )
        .expect_err("an invalid name");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("not a valid variable name")), "{refused:#}");

    // The quick fix for the missing `url`.
    let actions = c.request("textDocument/codeAction", json!({ "textDocument": { "uri": URI }, "range": missing["range"], "context": { "diagnostics": [missing] } })).expect("code actions");
    assert_eq!(actions[0]["title"], "add the argument `url`", "{actions:#}");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "WF304");
    assert_eq!(actions[0]["edit"]["changes"][URI][0]["newText"], "\n          url: \"\"");

    // Signature help in `text.substring(resp.body, 0, |)` and the type hints.
    let sig = c.request("textDocument/signatureHelp", at(8, 47)).expect("signature help");
    assert_eq!(sig["signatures"][0]["label"], "text.substring(source, start, end) -> string");
    assert_eq!(sig["activeParameter"], 2);
    assert_eq!(sig["signatures"][0]["parameters"][2]["label"], json!([30, 33]));
    let hints = c.request("textDocument/inlayHint", json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } } })).expect("inlay hints");
    assert_eq!(hints[0]["label"], "resp: {body: any, code: integer, headers: map}");
    assert_eq!(hints[0]["position"], json!({ "line": 6, "character": 20 }));

    // Workspace symbols: the open document and the file on disk.
    let found = c.request("workspace/symbol", json!({ "query": "fetch" })).expect("workspace symbols");
    let names: Vec<(&str, &str)> = found
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| Some((s["name"].as_str()?, s["location"]["uri"].as_str()?)))
        .collect();
    assert!(names.contains(&("fetch", URI)), "{found:#}");
    assert!(names.iter().any(|(n, u)| *n == "fetch_other" && u.ends_with("/other.yaml")), "{found:#}");

    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    c.notify("exit", Value::Null);
    assert!(c.child.wait().expect("wait").success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_binary_answers_version_and_help_and_rejects_other_arguments() {
    let run = |arg: &str| Command::new(env!("CARGO_BIN_EXE_wf-lsp")).arg(arg).output().expect("wf-lsp runs");
    let version = run("--version");
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("wf-lsp "));
    let help = run("--help");
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).contains("--stdio"));
    let bad = run("--nonsense");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unexpected argument `--nonsense`"));
}

#[test]
fn a_document_with_a_ten_thousand_term_chain_gets_one_diagnostic() {
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} })).expect("initialize");
    c.notify("initialized", json!({}));
    let text = format!("- s:\n    return: ${{x{}}}\n", ".a".repeat(10_000));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text } }),
    );
    let d = c.diagnostics();
    let codes: Vec<&str> =
        d["diagnostics"].as_array().expect("list").iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, ["WF115"], "{d:#}");
    let hover = c.request("textDocument/hover", at(1, 5000));
    assert!(hover.is_ok(), "still answering: {hover:?}");
    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    c.notify("exit", Value::Null);
    assert!(c.child.wait().expect("wait").success());
}

/// Frames that are not messages: (what is sent, the error code of the answer, its id).
fn malformed_frames() -> Vec<(&'static str, Vec<u8>, i64, Value)> {
    let framed = |body: &[u8]| [format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes(), body.to_vec()].concat();
    vec![
        ("bad JSON", framed(b"{\"jsonrpc\": \"2.0\", oops"), -32700, Value::Null),
        ("invalid UTF-8", framed(b"{\"jsonrpc\": \"2.0\", \"method\": \"\xff\xfe\"}"), -32700, Value::Null),
        ("a JSON array", framed(b"[{\"jsonrpc\": \"2.0\", \"method\": \"initialized\"}]"), -32600, Value::Null),
        ("a JSON number", framed(b"42"), -32600, Value::Null),
        ("not a message", framed(br#"{"jsonrpc": "2.0", "id": 99, "method": 5}"#), -32600, json!(99)),
        ("no Content-Length", b"Content-Type: application/json\r\n\r\n{}".to_vec(), -32700, Value::Null),
        ("a non-numeric length", b"Content-Length: ten\r\n\r\n{}".to_vec(), -32700, Value::Null),
        ("a negative length", b"Content-Length: -2\r\n\r\n{}".to_vec(), -32700, Value::Null),
        ("a header without a colon", b"hello there\r\n\r\n".to_vec(), -32700, Value::Null),
        ("a length of 10^11", b"Content-Length: 100000000000\r\n\r\n{}".to_vec(), -32600, Value::Null),
        ("a length of 10^9", b"Content-Length: 1000000000\r\n\r\n".to_vec(), -32600, Value::Null),
    ]
}

#[test]
fn malformed_frames_get_json_rpc_errors_and_the_server_goes_on() {
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} })).expect("initialize");
    c.notify("initialized", json!({}));
    let hover = json!({ "textDocument": { "uri": "file:///nope.yaml" }, "position": { "line": 0, "character": 0 } });
    for (what, bytes, code, id) in malformed_frames() {
        c.send_raw(&bytes);
        let error = c.response(&id).expect_err(what);
        assert_eq!(error["code"], code, "{what}: {error}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {error}");
        assert_eq!(c.request("textDocument/hover", hover.clone()), Ok(Value::Null), "answering after {what}");
    }
    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_with_status_one() {
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} })).expect("initialize");
    c.notify("initialized", json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(1));

    // Before `initialize`: requests are refused, `exit` ends the session.
    let mut c = Client::start();
    let early = c.request("textDocument/hover", json!({})).expect_err("not initialized");
    assert_eq!(early["code"], -32002);
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(1));
}

/// A Terraform template: `$${` escapes, a placeholder before the mistake on its line, and
/// the mistake in one branch of an `if` directive.
const TEMPLATE: &str = "\
main:
  steps:
    - init:
        assign:
          - region: ${var.region}
%{ if use_cache }
          - region: $${\"${var.prefix}-\" + region + regoin}
%{ endif }
    - done:
        return: $${region}
";

#[test]
fn a_terraform_template_gets_diagnostics_at_its_own_positions() {
    let uri = "file:///work/infra/workflow.yaml.tftpl";
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} })).expect("initialize");
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": TEMPLATE } }),
    );
    let d = c.diagnostics_of(uri);
    let list = d["diagnostics"].as_array().expect("a list");
    let codes: Vec<&str> = list.iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, ["WF207"], "{d:#}");
    // The typo as the template has it: line 7, after `${var.prefix}` (13 characters that
    // render as `var_prefix`, 10).
    let line = TEMPLATE.lines().nth(6).expect("line 7");
    let col = line.find("regoin").expect("typo");
    assert_eq!(list[0]["range"]["start"], json!({ "line": 6, "character": col }), "{d:#}");
    assert_eq!(list[0]["range"]["end"], json!({ "line": 6, "character": col + 6 }));
    assert!(list[0]["message"].as_str().is_some_and(|m| m.contains("regoin")), "{d:#}");
    // Editing the template re-checks it: with the typo fixed, nothing is left.
    let fixed = TEMPLATE.replace("regoin", "region");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let d = c.diagnostics_of(uri);
    assert_eq!(d["diagnostics"], json!([]), "{d:#}");
    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(0));
}
