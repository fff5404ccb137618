//! The stdio transport: LSP frames (`Content-Length: N` headers, a blank line, N bytes of
//! JSON) read with bounds, so that no frame can crash the server or make it allocate what a
//! header claims.
//!
//! - A declared length above [`MAX_MESSAGE`] is answered with an error and never allocated.
//! - A malformed header (no `:`, a missing, non-numeric or negative length, an over-long
//!   line) is answered with an error; reading resumes at the next `Content-Length`.
//! - A body that is not UTF-8 or not JSON gets a parse error (-32700), one that is JSON but
//!   not a JSON-RPC message an invalid request (-32600), with `id: null` unless the message
//!   had a usable id.
//!
//! Those answers are written by the reader thread itself (lsp-server's `Message` cannot carry
//! `id: null`); each frame is written under the stdout lock, so frames never interleave.
//! Everything else goes through lsp-server's `Message` and an in-memory [`Connection`].

use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

use lsp_server::{Connection, ErrorCode, Message};
use serde_json::{Value, json};

/// The largest message accepted, in bytes (a workflow file is at most 128 KB in GCW).
pub const MAX_MESSAGE: u64 = 64 << 20;

/// The longest header line accepted, in bytes.
const MAX_HEADER_LINE: u64 = 8 << 10;

/// What the next frame of the input turned out to be.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A well-formed frame's body.
    Body(Vec<u8>),
    /// A frame that cannot be read: the error to answer (reading resumes at the next header).
    Bad(Rejection),
}

/// A JSON-RPC error answer to a frame that is not a usable message.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The request's id if it could be read, else `null`.
    pub id: Value,
    /// `-32700` (parse error) or `-32600` (invalid request).
    pub code: i32,
    /// What was wrong, in one lowercase sentence.
    pub message: String,
}

impl Rejection {
    fn parse_error(message: impl Into<String>) -> Rejection {
        Rejection { id: Value::Null, code: ErrorCode::ParseError as i32, message: message.into() }
    }

    fn invalid(id: Value, message: impl Into<String>) -> Rejection {
        Rejection { id, code: ErrorCode::InvalidRequest as i32, message: message.into() }
    }

    /// The error response, as JSON.
    pub fn response(&self) -> Value {
        json!({ "jsonrpc": "2.0", "id": self.id, "error": { "code": self.code, "message": self.message } })
    }
}

/// Reads frames from `input`, bounded (see the module documentation).
#[derive(Debug)]
pub struct FrameReader<R> {
    input: R,
    /// After a malformed frame: skip to the next `Content-Length` before reading headers.
    lost: bool,
}

impl<R: BufRead> FrameReader<R> {
    /// A reader at the start of a frame.
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader { input, lost: false }
    }

    /// The next frame, or `None` at the end of the input (also in the middle of a frame: the
    /// client has gone).
    pub fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        let mut length = None;
        if self.lost {
            if !self.skip_to_length()? {
                return Ok(None);
            }
            self.lost = false;
            let Some(line) = self.line()? else { return Ok(None) };
            length = Some(line.and_then(|value| parse_length(&value)));
        }
        let mut seen_header = length.is_some();
        loop {
            let line = match self.line()? {
                None => return Ok(None),
                Some(Ok(line)) => line,
                Some(Err(why)) => return Ok(Some(self.bad(why))),
            };
            if line.is_empty() {
                if seen_header {
                    break;
                }
                continue; // blank lines between frames
            }
            seen_header = true;
            let Some((name, value)) = line.split_once(':') else {
                return Ok(Some(self.bad(format!("malformed header `{}`: expected `Name: value`", clip(&line)))));
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(parse_length(value));
            }
        }
        let length = match length {
            None => return Ok(Some(self.bad("the frame has no `Content-Length` header".to_string()))),
            Some(Err(why)) => return Ok(Some(self.bad(why))),
            Some(Ok(n)) if n > MAX_MESSAGE => {
                self.lost = true;
                let message = format!("a message of {n} bytes is larger than the limit of {MAX_MESSAGE} bytes");
                return Ok(Some(Frame::Bad(Rejection::invalid(Value::Null, message))));
            }
            Some(Ok(n)) => n,
        };
        let mut body = Vec::new();
        (&mut self.input).take(length).read_to_end(&mut body)?;
        if (body.len() as u64) < length {
            return Ok(None);
        }
        Ok(Some(Frame::Body(body)))
    }

    /// A framing error: answered with a parse error; reading resumes at the next header.
    fn bad(&mut self, why: String) -> Frame {
        self.lost = true;
        Frame::Bad(Rejection::parse_error(why))
    }

    /// One header line without its line break (`None` at the end of the input).
    fn line(&mut self) -> io::Result<Option<Result<String, String>>> {
        let mut buf = Vec::new();
        (&mut self.input).take(MAX_HEADER_LINE + 1).read_until(b'\n', &mut buf)?;
        if buf.last() != Some(&b'\n') {
            if (buf.len() as u64) <= MAX_HEADER_LINE {
                return Ok(None);
            }
            return Ok(Some(Err(format!("a header line is longer than {MAX_HEADER_LINE} bytes"))));
        }
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        Ok(Some(Ok(String::from_utf8_lossy(&buf).into_owned())))
    }

    /// Skips to just after the next `Content-Length:` (any case); `false` at the end.
    fn skip_to_length(&mut self) -> io::Result<bool> {
        const NAME: &[u8] = b"content-length:";
        // No proper prefix of NAME recurs inside it, so a mismatch restarts the match.
        let mut matched = 0;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            for &b in buf {
                used += 1;
                let b = b.to_ascii_lowercase();
                matched = if b == NAME[matched] { matched + 1 } else { usize::from(b == NAME[0]) };
                if matched == NAME.len() {
                    self.input.consume(used);
                    return Ok(true);
                }
            }
            self.input.consume(used);
        }
    }
}

/// The value of a `Content-Length` header.
fn parse_length(value: &str) -> Result<u64, String> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`Content-Length: {}` is not a number of bytes", clip(value)));
    }
    // Only digits: the parse fails only when the number does not fit, which is over the limit.
    Ok(value.parse::<u64>().unwrap_or(u64::MAX))
}

/// At most 80 characters of `text`, for messages.
fn clip(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The message in a frame's body, or the error to answer.
pub fn decode(body: &[u8]) -> Result<Message, Rejection> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Rejection::parse_error(format!("the message is not valid UTF-8 ({e})")))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Rejection::parse_error(format!("the message is not valid JSON ({e})")))?;
    match &value {
        Value::Object(_) => {}
        Value::Array(_) => {
            return Err(Rejection::invalid(Value::Null, "batches are not supported: send one message per frame"));
        }
        _ => return Err(Rejection::invalid(Value::Null, "a message must be a JSON-RPC object")),
    }
    let id = value.get("id").filter(|id| id.is_number() || id.is_string()).cloned().unwrap_or(Value::Null);
    serde_json::from_value(value)
        .map_err(|e| Rejection::invalid(id, format!("not a JSON-RPC request, response or notification ({e})")))
}

/// Writes one frame with `text` as its body.
pub(crate) fn write_frame(out: &mut impl Write, text: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    out.flush()
}

/// The threads that carry a stdio session.
#[derive(Debug)]
pub struct StdioThreads {
    writer: JoinHandle<io::Result<()>>,
}

impl StdioThreads {
    /// Waits until every message the server sent has been written. Call it after the
    /// server's side of the connection has been dropped.
    pub fn join(self) -> io::Result<()> {
        self.writer.join().unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")))
    }
}

/// A connection over stdin and stdout: a reader thread (bounded frames, errors answered at
/// once, stops after `exit`) and a writer thread.
pub fn stdio() -> io::Result<(Connection, StdioThreads)> {
    let (server, client) = Connection::memory();
    let Connection { sender: to_server, receiver: from_server } = client;
    let writer = thread::Builder::new().name("wf-lsp writer".into()).spawn(move || {
        for msg in from_server {
            msg.write(&mut io::stdout().lock())?;
        }
        Ok(())
    })?;
    // The reader ends at the end of the input or after `exit`; it is not joined, since it may
    // be blocked on stdin when the server stops for another reason.
    thread::Builder::new().name("wf-lsp reader".into()).spawn(move || -> io::Result<()> {
        forward(
            io::stdin().lock(),
            |msg| to_server.send(msg).is_ok(),
            |rejection| {
                eprintln!("wf-lsp: {}", rejection.message);
                write_frame(&mut io::stdout().lock(), &rejection.response().to_string())
            },
        )
    })?;
    Ok((server, StdioThreads { writer }))
}

/// Reads the frames of `input` and hands each message to `send` (which says `false` when the
/// server has gone) and each unusable frame's [`Rejection`] to `reject`, until the end of the
/// input or until `exit` has been sent.
pub(crate) fn forward(
    input: impl BufRead,
    mut send: impl FnMut(Message) -> bool,
    mut reject: impl FnMut(&Rejection) -> io::Result<()>,
) -> io::Result<()> {
    let mut frames = FrameReader::new(input);
    while let Some(frame) = frames.next_frame()? {
        let rejection = match frame {
            Frame::Body(body) => match decode(&body) {
                Ok(msg) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if !send(msg) || exit {
                        break;
                    }
                    continue;
                }
                Err(r) => r,
            },
            Frame::Bad(r) => r,
        };
        reject(&rejection)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Result<Vec<u8>, (i32, String)>> {
        let mut reader = FrameReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = reader.next_frame().expect("in-memory input") {
            out.push(match f {
                Frame::Body(b) => Ok(b),
                Frame::Bad(r) => Err((r.code, r.message)),
            });
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn reads_frames_and_resynchronises_after_bad_headers() {
        let good = frame("{}");
        let input = [
            good.clone(),
            "Content-Type: text/plain\r\n\r\n{}".to_string(),
            good.clone(),
            "Content-Length: abc\r\n\r\n{}".to_string(),
            good.clone(),
            "Content-Length: -5\r\n\r\n{}".to_string(),
            good.clone(),
            "garbage\r\n\r\n".to_string(),
            "\r\n".to_string(),
            good.clone(),
            format!("X-Long: {}\r\n\r\n", "x".repeat(10_000)),
            good.clone(),
            "content-length: 2\nContent-Type: x\n\n[]".to_string(),
        ]
        .concat();
        let got = frames(input.as_bytes());
        let codes: Vec<Result<&[u8], i32>> = got.iter().map(|f| f.as_deref().map_err(|(c, _)| *c)).collect();
        let ok: Result<&[u8], i32> = Ok(b"{}");
        assert_eq!(
            codes,
            [ok, Err(-32700), ok, Err(-32700), ok, Err(-32700), ok, Err(-32700), ok, Err(-32700), ok, Ok(b"[]")]
        );
        assert_eq!(got[1], Err((-32700, "the frame has no `Content-Length` header".to_string())));
        assert_eq!(got[3], Err((-32700, "`Content-Length: abc` is not a number of bytes".to_string())));
    }

    #[test]
    fn oversized_frames_are_refused_without_reading_them() {
        for declared in ["100000000000", "1000000000", "99999999999999999999999"] {
            let input = format!("Content-Length: {declared}\r\n\r\n{{\"a\": 1}}{}", frame("{}"));
            let got = frames(input.as_bytes());
            assert_eq!(got.len(), 2, "{got:?}");
            let (code, message) = got[0].clone().expect_err("refused");
            assert_eq!(code, -32600);
            assert!(message.ends_with("is larger than the limit of 67108864 bytes"), "{message}");
            assert_eq!(got[1], Ok(b"{}".to_vec()));
        }
    }

    #[test]
    fn a_truncated_frame_is_the_end_of_the_input() {
        assert_eq!(frames(b"Content-Length: 10\r\n\r\n{}"), []);
        assert_eq!(frames(b"Content-Len"), []);
        assert_eq!(frames(b""), []);
    }

    #[test]
    fn bodies_that_are_not_messages_get_json_rpc_errors() {
        let err = |body: &[u8]| decode(body).expect_err("rejected");
        assert_eq!(err(b"{oops").code, -32700);
        assert_eq!(err(b"\xff\xfe{}").code, -32700);
        assert_eq!(err(b"[1, 2]").code, -32600);
        assert_eq!(err(b"42").code, -32600);
        let bad_method = err(br#"{"jsonrpc": "2.0", "id": 7, "method": 5}"#);
        assert_eq!((bad_method.code, bad_method.id.clone()), (-32600, json!(7)));
        assert_eq!(
            bad_method.response()["error"]["message"].as_str().map(|m| m.starts_with("not a JSON-RPC request")),
            Some(true)
        );
        assert_eq!(err(b"{}").response()["id"], Value::Null);
        assert!(matches!(decode(br#"{"jsonrpc": "2.0", "method": "exit"}"#), Ok(Message::Notification(_))));
    }
}
