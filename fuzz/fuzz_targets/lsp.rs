//! The language server's message loop (`wf_lsp::serve_frames`): the input is the rest of a
//! session after `initialize`, as raw bytes (frames with `Content-Length` headers, broken
//! ones too). Its first byte picks what the client offers: bit 0 UTF-8 positions (else
//! UTF-16), bit 1 snippets. The `initialize` is the target's own, with no workspace folder,
//! so no input makes the server walk the disk.
//!
//! Oracles: nothing panics (a panic in a handler, which the server would catch and log,
//! aborts the fuzzer first), and everything the server writes is well-formed frames of
//! JSON-RPC 2.0 messages, none of them an internal error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut general = json!({});
    if mode & 1 != 0 {
        general = json!({ "positionEncodings": ["utf-8", "utf-16"] });
    }
    let capabilities = json!({
        "general": general,
        "textDocument": { "completion": { "completionItem": { "snippetSupport": mode & 2 != 0 } } },
    });
    let init = json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": { "capabilities": capabilities } })
        .to_string();
    let mut input = format!("Content-Length: {}\r\n\r\n{init}", init.len()).into_bytes();
    input.extend_from_slice(rest);
    let mut output = Vec::new();
    wf_lsp::serve_frames(&input[..], &mut output).expect("in-memory streams do not fail");
    frames(&output);
});

/// Checks that `output` is a sequence of frames of JSON-RPC messages.
fn frames(mut output: &[u8]) {
    while !output.is_empty() {
        let text = std::str::from_utf8(output).expect("the server writes UTF-8");
        let header_end = text.find("\r\n\r\n").expect("a frame header");
        let length: usize = text[..header_end]
            .strip_prefix("Content-Length: ")
            .and_then(|n| n.parse().ok())
            .expect("a Content-Length header");
        let body = &output[header_end + 4..header_end + 4 + length];
        let message: Value = serde_json::from_slice(body).expect("a JSON body");
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
        let code = &message["error"]["code"];
        assert!(*code != json!(-32603), "an internal error: {message}");
        output = &output[header_end + 4 + length..];
    }
}
