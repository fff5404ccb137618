//! The server loop: keeps the open documents, answers requests with the IDE functions and
//! publishes diagnostics once the queue of incoming messages is empty (so that a burst of
//! edits is checked once). A panic while handling a message is caught, logged, and becomes
//! an error response: the server keeps running. Malformed frames never reach it: the
//! transport (`transport.rs`) answers them.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::Value;
use wf_syntax::Span;

use crate::features::completion::{Options, complete};
use crate::features::{Doc, actions, hover, inlay, navigation, semantic, signature, symbols};
use crate::proto::{self, Init, Notice, Query};
use crate::transport;
use crate::workspace::Workspace;

/// The error type of the server's entry points.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The client sent `shutdown` (then `exit`, or went away): exit status 0.
    Clean,
    /// `exit` without `shutdown`, or the client went away without either: exit status 1, as
    /// the LSP specification asks.
    Abrupt,
}

impl Ending {
    /// The process exit status for this ending.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Clean => 0,
            Ending::Abrupt => 1,
        }
    }
}

/// Runs the language server on standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<Ending, Error> {
    let (connection, threads) = transport::stdio()?;
    let ending = serve(connection);
    threads.join()?;
    Ok(ending)
}

/// Runs the language server over in-memory streams, on this thread: reads every frame of
/// `input` the way `wf lsp` reads standard input (bounded; a frame that is not a message is
/// answered with a JSON-RPC error; nothing after `exit` is read), serves the messages, and
/// writes the answers to `output` as frames: first the answers to unusable frames, then the
/// server's messages in the order it sent them. Since every message is queued before the
/// server starts, diagnostics are published once, after the last message. For tests and
/// fuzzing (`fuzz/fuzz_targets/lsp.rs`).
pub fn serve_frames(input: impl BufRead, output: &mut impl Write) -> io::Result<Ending> {
    let (server, client) = Connection::memory();
    transport::forward(
        input,
        |msg| client.sender.send(msg).is_ok(),
        |rejection| transport::write_frame(output, &rejection.response().to_string()),
    )?;
    drop(client.sender);
    let ending = serve(server);
    for msg in client.receiver.try_iter() {
        msg.write(output)?;
    }
    Ok(ending)
}

/// Runs the language server on `connection`: initialization, then messages until `exit`
/// (or until the client goes away).
pub fn serve(connection: Connection) -> Ending {
    let Some((id, params)) = wait_for_initialize(&connection) else { return Ending::Abrupt };
    let init = proto::decode_init(params);
    let result = proto::initialize_result(&init);
    let _ = connection.sender.send(Message::Response(Response::new_ok(id, result)));
    let mut server = Server::new(&connection, init);
    for msg in &connection.receiver {
        if !server.handle(msg) {
            break;
        }
        if connection.receiver.is_empty() {
            server.publish_pending();
        }
    }
    if server.shutting_down { Ending::Clean } else { Ending::Abrupt }
}

/// Waits for `initialize`, answering other requests with "not initialized" and ignoring
/// notifications; `None` on `exit` or when the client goes away first.
fn wait_for_initialize(connection: &Connection) -> Option<(RequestId, Value)> {
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) if req.method == "initialize" => return Some((req.id, req.params)),
            Message::Request(req) => {
                let message = format!("`{}` before `initialize`: initialize the server first", req.method);
                let error = Response::new_err(req.id, ErrorCode::ServerNotInitialized as i32, message);
                let _ = connection.sender.send(Message::Response(error));
            }
            Message::Notification(n) if n.method == "exit" => return None,
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
    None
}

/// An open document.
struct Entry {
    doc: Doc,
    version: i32,
    /// Diagnostics not yet published for this version.
    dirty: bool,
}

/// Why a request failed.
struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure { code: code as i32, message: message.into() }
    }
}

struct Server<'c> {
    connection: &'c Connection,
    init: Init,
    docs: HashMap<String, Entry>,
    workspace: Workspace,
    shutting_down: bool,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, init: Init) -> Server<'c> {
        let workspace = Workspace::new(init.roots.clone());
        Server { connection, init, docs: HashMap::new(), workspace, shutting_down: false }
    }

    /// Sends a message (if the client has gone, the loop ends when its channel closes).
    fn send(&self, msg: Message) {
        let _ = self.connection.sender.send(msg);
    }

    fn log(&self, error: bool, message: &str) {
        eprintln!("wf-lsp: {message}");
        let params = proto::log_message(error, message);
        self.send(Message::Notification(Notification::new("window/logMessage".into(), params)));
    }

    /// Handles one message; `false` when the server should stop.
    fn handle(&mut self, msg: Message) -> bool {
        match msg {
            Message::Request(req) => self.request(req),
            Message::Notification(n) if n.method == "exit" => return false,
            Message::Notification(n) => self.notification(n),
            Message::Response(_) => {}
        }
        true
    }

    fn request(&mut self, req: Request) {
        let Request { id, method, params } = req;
        if method == "shutdown" {
            self.shutting_down = true;
            self.send(Message::Response(Response::new_ok(id, Value::Null)));
            return;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| self.answer(&method, params)));
        let response = match outcome {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(f)) => Response::new_err(id, f.code, f.message),
            Err(panic) => {
                let message = format!("internal error while answering `{method}`: {}", panic_text(&panic));
                self.log(true, &message);
                Response::new_err(id, ErrorCode::InternalError as i32, message)
            }
        };
        self.send(Message::Response(response));
    }

    fn answer(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        if self.shutting_down {
            return Err(Failure::new(ErrorCode::InvalidRequest, "the server is shutting down"));
        }
        #[cfg(test)]
        if method == "wf/test/panic" {
            panic!("a bug in a request handler");
        }
        if method == "workspace/symbol" {
            let query =
                proto::decode_workspace_symbol(params).map_err(|m| Failure::new(ErrorCode::InvalidParams, m))?;
            return Ok(self.workspace_symbols(&query));
        }
        let decoded = proto::decode_query(method, params).map_err(|m| Failure::new(ErrorCode::InvalidParams, m))?;
        let Some((uri, query)) = decoded else {
            return Err(Failure::new(ErrorCode::MethodNotFound, format!("unknown request `{method}`")));
        };
        let Some(entry) = self.docs.get(&uri) else { return Ok(Value::Null) };
        let (doc, enc, file) = (&entry.doc, self.init.encoding, &entry.doc.file);
        let at = |p| proto::offset(file, p, enc);
        let failed = |m: String| Failure::new(ErrorCode::RequestFailed, m);
        Ok(match query {
            Query::Hover(p) => proto::hover(file, hover::hover(doc, at(p)), enc),
            Query::Completion(p) => {
                let items = complete(doc, at(p), Options { snippets: self.init.snippets });
                proto::completion(file, items, enc)
            }
            Query::Definition(p) => proto::locations(file, &uri, &navigation::definition(doc, at(p)), enc),
            Query::References(p, decl) => proto::locations(file, &uri, &navigation::references(doc, at(p), decl), enc),
            Query::PrepareRename(p) => {
                let (span, text) = navigation::prepare_rename(doc, at(p)).map_err(failed)?;
                proto::prepare_rename(file, span, text, enc)
            }
            Query::Rename(p, name) => {
                let edits = navigation::rename(doc, at(p), &name).map_err(failed)?;
                proto::workspace_edit(file, &uri, &edits, enc)
            }
            Query::DocumentSymbols => proto::document_symbols(file, symbols::document_symbols(doc), enc),
            Query::SemanticTokens => proto::semantic_tokens(file, &semantic::tokens(doc), enc),
            Query::SignatureHelp(p) => proto::signature_help(signature::signature_help(doc, at(p))),
            Query::CodeActions(s, e) => {
                let found = actions::code_actions(doc, Span::new(at(s), at(e)));
                proto::code_actions(doc, &uri, found, enc)
            }
            Query::InlayHints(s, e) => proto::inlay_hints(file, inlay::inlay_hints(doc, Span::new(at(s), at(e))), enc),
        })
    }

    fn workspace_symbols(&mut self, query: &str) -> Value {
        let mut found = Vec::new();
        let mut open_paths = Vec::new();
        for (uri, entry) in &self.docs {
            open_paths.extend(proto::uri_to_path(uri));
            if let Some(w) = entry.doc.workflow() {
                found.push((uri.clone(), &entry.doc.file, symbols::search(w, query)));
            }
        }
        for (path, disk) in self.workspace.workflows() {
            if !open_paths.iter().any(|p| p == path) {
                found.push((proto::path_to_uri(path), &disk.file, symbols::search(&disk.workflow, query)));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        proto::workspace_symbols(&found, self.init.encoding)
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.notice(n)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(message)) => self.log(true, &format!("`{method}`: {message}")),
            Err(panic) => self.log(true, &format!("internal error in `{method}`: {}", panic_text(&panic))),
        }
    }

    fn notice(&mut self, n: Notification) -> Result<(), String> {
        match proto::decode_notification(&n.method, n.params)? {
            Notice::Open { uri, name, version, text } => {
                self.docs.insert(uri, Entry { doc: Doc::new(name, text), version, dirty: true });
            }
            Notice::Change { uri, version, changes } => {
                let enc = self.init.encoding;
                let entry = self.docs.get_mut(&uri).ok_or_else(|| format!("`{uri}` is not open"))?;
                let mut text = entry.doc.text().to_string();
                for change in &changes {
                    text = proto::apply_change(&text, change, enc);
                }
                entry.doc = entry.doc.next_version(text);
                entry.version = version;
                entry.dirty = true;
            }
            Notice::Close { uri } => {
                self.docs.remove(&uri);
                self.publish(&uri, None, None);
            }
            Notice::Ignored => {}
        }
        Ok(())
    }

    /// Publishes the diagnostics of every document changed since the last time.
    fn publish_pending(&mut self) {
        let dirty: Vec<String> = self.docs.iter().filter(|(_, e)| e.dirty).map(|(u, _)| u.clone()).collect();
        for uri in dirty {
            // The diagnostics go out as soon as the check has them; the editor facts of the
            // same analysis are built after.
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let entry = &self.docs[&uri];
                entry.doc.check_publishing(|diags| {
                    let file = &entry.doc.file;
                    let params =
                        proto::publish_diagnostics_of(&uri, Some(entry.version), file, diags, self.init.encoding);
                    self.send_diagnostics(params);
                });
            }));
            if let Some(e) = self.docs.get_mut(&uri) {
                e.dirty = false;
            }
            if let Err(panic) = outcome {
                self.log(true, &format!("internal error while checking `{uri}`: {}", panic_text(&panic)));
            }
        }
    }

    fn publish(&self, uri: &str, version: Option<i32>, doc: Option<&Doc>) {
        self.send_diagnostics(proto::publish_diagnostics(uri, version, doc, self.init.encoding));
    }

    fn send_diagnostics(&self, params: Value) {
        self.send(Message::Notification(Notification::new("textDocument/publishDiagnostics".into(), params)));
    }
}

/// The message of a panic payload.
fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

#[cfg(test)]
mod tests {
    use lsp_server::{Connection, Message, Notification, Request, RequestId};
    use serde_json::{Value, json};

    fn response(client: &Connection, id: i32) -> lsp_server::Response {
        for msg in &client.receiver {
            if let Message::Response(r) = msg
                && r.id == RequestId::from(id)
            {
                return r;
            }
        }
        panic!("no response {id}");
    }

    #[test]
    fn serve_frames_runs_a_session_over_in_memory_streams() {
        let frame = |v: Value| {
            let text = v.to_string();
            format!("Content-Length: {}\r\n\r\n{text}", text.len())
        };
        let uri = "file:///a.workflows.yaml";
        let open = json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": "main:\n  steps: 3\n" } });
        let hover = json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 1 } });
        let input = vec![
            frame(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } })),
            "Content-Length: 3\r\n\r\n{x}".to_string(),
            frame(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open })),
            frame(json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": hover })),
            frame(json!({ "jsonrpc": "2.0", "id": 3, "method": "shutdown" })),
            frame(json!({ "jsonrpc": "2.0", "method": "exit" })),
            frame(json!({ "jsonrpc": "2.0", "id": 4, "method": "never/read" })),
        ];
        let session = |input: &[String]| {
            let mut output = Vec::new();
            let ending = super::serve_frames(input.concat().as_bytes(), &mut output).expect("in-memory streams");
            let output = String::from_utf8(output).expect("UTF-8 frames");
            let bodies: Vec<Value> = output
                .split("Content-Length: ")
                .filter_map(|f| f.split_once("\r\n\r\n"))
                .map(|(_, body)| serde_json::from_str(body).expect("a JSON body"))
                .collect();
            (ending, bodies)
        };
        let (ending, bodies) = session(&input);
        assert_eq!(ending, super::Ending::Clean);
        assert_eq!(bodies[0]["error"]["code"], json!(-32700), "the bad frame is answered first");
        assert_eq!(bodies[1]["id"], json!(1));
        assert!(bodies.iter().any(|b| b["id"] == json!(2)), "hover answered");
        assert!(bodies.iter().any(|b| b["id"] == json!(3)), "shutdown answered");
        assert!(!bodies.iter().any(|b| b["id"] == json!(4)), "nothing after `exit` is read");
        // Without `exit`, the session ends with the input, after publishing diagnostics.
        let (ending, bodies) = session(&input[..4]);
        assert_eq!(ending, super::Ending::Abrupt);
        assert!(bodies.iter().any(|b| b["method"] == json!("textDocument/publishDiagnostics")));
    }

    #[test]
    fn a_panicking_request_becomes_an_error_and_the_server_goes_on() {
        let (server, client) = Connection::memory();
        let running = std::thread::spawn(move || super::serve(server));
        let request = |id: i32, method: &str, params: Value| {
            Message::Request(Request::new(RequestId::from(id), method.into(), params))
        };
        client.sender.send(request(1, "initialize", json!({ "capabilities": {} }))).expect("send");
        assert!(response(&client, 1).response_result.is_ok());
        client.sender.send(Message::Notification(Notification::new("initialized".into(), json!({})))).expect("send");
        client.sender.send(request(2, "wf/test/panic", Value::Null)).expect("send");
        let mut logged = false;
        let failed = loop {
            match client.receiver.recv().expect("a message") {
                Message::Notification(n) if n.method == "window/logMessage" => {
                    logged = n.params["message"].as_str().is_some_and(|m| m.contains("a bug in a request handler"));
                }
                Message::Response(r) => break r,
                _ => {}
            }
        };
        assert!(logged, "the panic is logged");
        let error = failed.response_result.expect_err("an error response");
        assert_eq!(error.code, lsp_server::ErrorCode::InternalError as i32);
        let hover = json!({ "textDocument": { "uri": "file:///a.yaml" }, "position": { "line": 0, "character": 0 } });
        client.sender.send(request(3, "textDocument/hover", hover)).expect("send");
        assert_eq!(response(&client, 3).response_result.ok(), Some(Value::Null), "still answering");
        client.sender.send(request(4, "shutdown", Value::Null)).expect("send");
        assert!(response(&client, 4).response_result.is_ok());
        client.sender.send(Message::Notification(Notification::new("exit".into(), Value::Null))).expect("send");
        assert_eq!(running.join().expect("the server thread"), super::Ending::Clean);
    }
}
