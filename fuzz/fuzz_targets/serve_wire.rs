//! `wf serve`'s HTTP layer on the wire: the real `wf_server::api::HttpServer` (hyper, the
//! guard, body limits) on loopback, in front of a stand-in engine that answers every request
//! it gets. The input is sent as raw bytes on a fresh connection (request lines, hostile
//! `Host` and `Origin` headers, chunked bodies, several requests in a row), then the
//! connection is half-closed and the answer read. `PORT` in the input stands for the
//! server's port.
//!
//! Oracles:
//! - `guard`: no request the guard refuses reaches the engine: every request the engine gets
//!   has no `Host` or an allowed one, no `Origin` or a same-origin one, and, for a `POST`,
//!   `PATCH` or `PUT` with a body to an API route, `Content-Type: application/json`.
//! - the server answers every connection with a well-formed status line, or closes it, within
//!   5 seconds; it never stops accepting (a later connection is answered).
#![no_main]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wf_server::api::{HttpServer, Route};
use wf_server::callback_http::Answer;
use wf_server::guard::Guard;
use wf_server::world::Msg;
use wfkit_fuzz::skipped;

/// The server, started once per process.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("an address");
        let guard = Guard::new(addr, &[]);
        let (sender, requests) = std::sync::mpsc::channel::<Msg>();
        let check = guard.clone();
        std::thread::spawn(move || {
            for msg in requests {
                let Msg::Api(req) = msg else { continue };
                if !skipped("guard") {
                    let callback = matches!(Route::parse(&req.path), Some(Route::Callback { .. }));
                    let write = matches!(req.method.as_str(), "POST" | "PATCH" | "PUT");
                    let content_checked = write && !req.body.is_empty() && !callback;
                    if let Err(why) = check.check(&req.headers, content_checked) {
                        eprintln!("the engine got a request the guard refuses ({why:?}): {} {} {:?}", req.method, req.path, req.headers);
                        std::process::abort();
                    }
                }
                let _ = req.reply.send(Answer { status: 200, body: "{}".into() });
            }
        });
        // Leaked on purpose: the server lives as long as the fuzzing process.
        std::mem::forget(HttpServer::start(listener, sender, guard).expect("the server starts"));
        addr
    })
}

/// Sends `bytes` on a fresh connection (then half-closes it when `half_close`, so that an
/// incomplete request ends) and reads what comes back (at most 5 s).
fn exchange(addr: SocketAddr, bytes: &[u8], half_close: bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a timeout");
    let _ = stream.write_all(bytes);
    if half_close {
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
    let mut out = Vec::new();
    match stream.read_to_end(&mut out) {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
            panic!("no answer and no close within 5 s to {:?}", String::from_utf8_lossy(bytes));
        }
        _ => out,
    }
}

/// `data` with every `PORT` replaced by the server's port, so that inputs can name the
/// server the way its clients do (`Host: localhost:PORT`).
fn with_port(data: &[u8], port: u16) -> Vec<u8> {
    let port = port.to_string();
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    while !rest.is_empty() {
        if rest.starts_with(b"PORT") {
            out.extend_from_slice(port.as_bytes());
            rest = &rest[4..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let addr = server();
    let out = exchange(addr, &with_port(data, addr.port()), true);
    if !out.is_empty() {
        let status_line = out.starts_with(b"HTTP/1.1 ") || out.starts_with(b"HTTP/1.0 ");
        assert!(status_line && out.len() >= 12, "not a status line: {:?}", String::from_utf8_lossy(&out));
        let code = &out[9..12];
        assert!(code.iter().all(u8::is_ascii_digit), "status {:?}", String::from_utf8_lossy(code));
    }
    // Still accepting and answering.
    let probe =
        exchange(addr, b"GET /v1/projects/p/locations/l/workflows HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false);
    assert!(probe.starts_with(b"HTTP/1.1 403"), "{:?}", String::from_utf8_lossy(&probe));
});
