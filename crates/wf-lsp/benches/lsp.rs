//! Editor latency on the generated 2,000-line workflow (`wf_syntax::generate`):
//! - `did_change_to_diagnostics`: a `didChange` sent to the real server loop (in-memory
//!   connection, the same code as stdio without the pipe) until its `publishDiagnostics`
//!   arrives: applying the edit, the check, converting to LSP (the editor facts of the same
//!   analysis are built after the diagnostics are sent);
//! - `completion_first_after_edit`: completion on a fresh version of the document (parse,
//!   check, analysis and completion), what the first completion after typing costs;
//! - `completion_warm`: completion when the analysis of this version is already built;
//! - `completion_request`: a completion request through the server loop.
//!
//! Run with `cargo bench -p wf-lsp`.

use std::sync::OnceLock;
use std::thread::JoinHandle;

use divan::{Bencher, black_box};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use wf_lsp::features::Doc;
use wf_lsp::features::completion::{Options, complete};
use wf_syntax::generate::generated_workflow;

const URI: &str = "file:///bench/generated.yaml";

fn main() {
    divan::main();
}

fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let text = generated_workflow(2_000);
        assert!(wf_check::check(&wf_syntax::SourceFile::new("g.yaml", text.as_str())).diagnostics.is_empty());
        text
    })
}

/// Where completion is asked: right after `resp_30.` in the middle of the file.
fn completion_offset() -> u32 {
    let at = text().find("${resp_30.").expect("block 30") + "${resp_30.".len();
    at as u32
}

/// The line and UTF-16 column of a byte offset (the text is ASCII).
fn line_col(offset: u32) -> (u32, u32) {
    let before = &text()[..offset as usize];
    let line = before.matches('\n').count() as u32;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    (line, col as u32)
}

struct Session {
    client: Connection,
    server: Option<JoinHandle<()>>,
    version: i32,
    next_id: i32,
}

impl Session {
    fn start() -> Session {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || {
            let _ = wf_lsp::serve(server);
        });
        let mut s = Session { client, server: Some(handle), version: 1, next_id: 0 };
        s.request("initialize", json!({ "capabilities": {} }));
        s.notify("initialized", json!({}));
        let open = json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": text() } });
        s.notify("textDocument/didOpen", open);
        s.wait_diagnostics(1);
        s
    }

    fn notify(&self, method: &str, params: Value) {
        self.client.sender.send(Message::Notification(Notification::new(method.into(), params))).expect("send");
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.client.sender.send(Message::Request(Request::new(id.clone(), method.into(), params))).expect("send");
        loop {
            if let Message::Response(r) = self.client.receiver.recv().expect("a response")
                && r.id == id
            {
                return r.response_result.unwrap_or(Value::Null);
            }
        }
    }

    fn wait_diagnostics(&self, version: i32) -> Value {
        loop {
            if let Message::Notification(n) = self.client.receiver.recv().expect("a message")
                && n.method == "textDocument/publishDiagnostics"
                && n.params["version"] == version
            {
                return n.params;
            }
        }
    }

    /// Types one character into (or deletes it from) a string in block 30.
    fn edit(&mut self) -> Value {
        self.version += 1;
        let at = text().find("\"item-\" + string(counter_30)").expect("block 30") as u32 + 5;
        let (line, col) = line_col(at);
        let (end, new) = if self.version % 2 == 0 { (col, "s") } else { (col + 1, "") };
        let change = json!({
            "textDocument": { "uri": URI, "version": self.version },
            "contentChanges": [{ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": end } }, "text": new }],
        });
        self.notify("textDocument/didChange", change);
        self.wait_diagnostics(self.version)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(h) = self.server.take() {
            let _ = h.join();
        }
    }
}

/// Each edit starts on a settled server, as a keystroke does (typing is slower than the
/// server): before it, untimed, a hover request is answered, which the server reaches only
/// after it has finished with the previous version.
#[divan::bench(sample_count = 200)]
fn did_change_to_diagnostics(bencher: Bencher) {
    let session = std::cell::RefCell::new(Session::start());
    let hover = json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } });
    bencher
        .with_inputs(|| {
            session.borrow_mut().request("textDocument/hover", hover.clone());
        })
        .bench_local_values(|()| black_box(session.borrow_mut().edit()));
}

#[divan::bench(sample_count = 200)]
fn completion_first_after_edit(bencher: Bencher) {
    let base = Doc::new("generated.yaml", text());
    let at = completion_offset();
    bencher.with_inputs(|| base.next_version(text().to_string())).bench_local_values(|doc| {
        let items = complete(&doc, at, Options { snippets: true });
        assert_eq!(items.len(), 3);
        black_box(items)
    });
}

#[divan::bench(sample_count = 500)]
fn completion_warm(bencher: Bencher) {
    let doc = Doc::new("generated.yaml", text());
    let at = completion_offset();
    complete(&doc, at, Options { snippets: true });
    bencher.bench_local(|| black_box(complete(&doc, at, Options { snippets: true })));
}

#[divan::bench(sample_count = 200)]
fn completion_request(bencher: Bencher) {
    let mut session = Session::start();
    let (line, character) = line_col(completion_offset());
    let params = json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } });
    bencher.bench_local(|| black_box(session.request("textDocument/completion", params.clone())));
}
