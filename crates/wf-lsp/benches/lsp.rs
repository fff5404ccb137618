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
//! And on a generated 100,000-step workflow (`generate::generated_steps`, 12 MB, about
//! 100,000 variables), through the server loop, each on a document opened before the timing
//! unless it is in the name:
//! - `steps_100k_open`: `didOpen` until its `publishDiagnostics` (the facts are built after);
//! - `steps_100k_semantic_tokens`: `semanticTokens/full`;
//! - `steps_100k_completion`: completion after a `${` in the middle (every variable defined
//!   there, about 50,000);
//! - `steps_100k_open_tokens_completion`: the three in a row, what opening the file costs.
//!
//! Run with `cargo bench -p wf-lsp`.

use std::sync::OnceLock;
use std::thread::JoinHandle;

use divan::{Bencher, black_box};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use wf_lsp::features::Doc;
use wf_lsp::features::completion::{Options, complete};
use wf_syntax::generate::{generated_steps, generated_workflow};

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

fn big_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| generated_steps(100_000))
}

/// Where completion is asked: right after `resp_30.` in the middle of the file.
fn completion_offset() -> u32 {
    let at = text().find("${resp_30.").expect("block 30") + "${resp_30.".len();
    at as u32
}

/// The line and UTF-16 column of a byte offset of the 2,000-line text (which is ASCII).
fn line_col(offset: u32) -> (u32, u32) {
    line_col_in(text(), offset)
}

/// The line and UTF-16 column of a byte offset of an ASCII text.
fn line_col_in(text: &str, offset: u32) -> (u32, u32) {
    let before = &text[..offset as usize];
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
    /// A server with the 2,000-line workflow open at [`URI`].
    fn start() -> Session {
        let mut s = Session::empty();
        s.open(URI, text());
        s
    }

    /// An initialized server with no document open.
    fn empty() -> Session {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || {
            let _ = wf_lsp::serve(server);
        });
        let mut s = Session { client, server: Some(handle), version: 1, next_id: 0 };
        s.request("initialize", json!({ "capabilities": {} }));
        s.notify("initialized", json!({}));
        s
    }

    /// Opens `text` at `uri` and waits for its diagnostics.
    fn open(&mut self, uri: &str, text: &str) -> Value {
        let open = json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } });
        self.notify("textDocument/didOpen", open);
        self.wait_diagnostics_of(uri, 1)
    }

    fn close(&self, uri: &str) {
        self.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
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
        self.wait_diagnostics_of(URI, version)
    }

    fn wait_diagnostics_of(&self, uri: &str, version: i32) -> Value {
        loop {
            if let Message::Notification(n) = self.client.receiver.recv().expect("a message")
                && n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri
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

const BIG_URI: &str = "file:///bench/steps100k.yaml";

/// The position of a completion after `${` in the middle of the 100,000-step workflow.
fn big_completion() -> Value {
    let text = big_text();
    let at = text.find("x: ${b_6000}").expect("block 6000") + "x: ${".len();
    let (line, character) = line_col_in(text, at as u32);
    json!({ "textDocument": { "uri": BIG_URI }, "position": { "line": line, "character": character } })
}

/// A server with the 100,000-step workflow open, its analysis built.
fn big_session() -> Session {
    let mut session = Session::empty();
    session.open(BIG_URI, big_text());
    session.request("textDocument/hover", big_completion());
    session
}

fn big_tokens(session: &mut Session) -> Value {
    let tokens = session.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": BIG_URI } }));
    assert!(tokens["data"].as_array().is_some_and(|d| d.len() > 5 * 100_000), "every token");
    tokens
}

fn big_complete(session: &mut Session) -> Value {
    let items = session.request("textDocument/completion", big_completion());
    let count = items.as_array().or_else(|| items["items"].as_array()).map_or(0, Vec::len);
    assert!(count > 40_000, "{count} completions");
    items
}

/// Each open starts on a settled server: before it, untimed, the document is closed and a
/// hover request answered, which the server reaches only after the facts of the last open.
#[divan::bench(sample_count = 5)]
fn steps_100k_open(bencher: Bencher) {
    let session = std::cell::RefCell::new(Session::empty());
    bencher
        .with_inputs(|| {
            let mut s = session.borrow_mut();
            s.close(BIG_URI);
            s.request("textDocument/hover", big_completion());
        })
        .bench_local_values(|()| black_box(session.borrow_mut().open(BIG_URI, big_text())));
}

#[divan::bench(sample_count = 5)]
fn steps_100k_semantic_tokens(bencher: Bencher) {
    let mut session = big_session();
    bencher.bench_local(|| black_box(big_tokens(&mut session)));
}

#[divan::bench(sample_count = 10)]
fn steps_100k_completion(bencher: Bencher) {
    let mut session = big_session();
    bencher.bench_local(|| black_box(big_complete(&mut session)));
}

#[divan::bench(sample_count = 5)]
fn steps_100k_open_tokens_completion(bencher: Bencher) {
    let mut session = Session::empty();
    bencher.bench_local(|| {
        session.open(BIG_URI, big_text());
        let out = (big_tokens(&mut session), big_complete(&mut session));
        session.close(BIG_URI);
        black_box(out)
    });
}
