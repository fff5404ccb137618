//! The REST surface of `wf serve`: turns an HTTP request into an [`ApiRequest`] for the
//! engine (which owns every execution), serves it with hyper on tokio, and writes the
//! engine's [`Answer`] back. Routing by path lives in [`Route::parse`]; the resources' JSON
//! is made by the engine.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::mpsc::Sender;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::oneshot;

use crate::callback_http::{Answer, parse_query};
use crate::guard::Guard;
use crate::world::Msg;

/// Largest request body the API takes (a workflow source is at most 128 KB, an argument 32 KB).
pub const MAX_REQUEST: usize = 1024 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request for the engine.
#[derive(Debug)]
pub struct ApiRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path.
    pub path: String,
    /// Query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Where the answer goes.
    pub reply: oneshot::Sender<Answer>,
}

impl ApiRequest {
    /// Query parameter `k`.
    pub fn param(&self, k: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
}

/// What a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `…/locations/L/workflows`
    Workflows { parent: String },
    /// `…/workflows/W`
    Workflow { name: String },
    /// `…/locations/L/operations/OP`
    Operation { name: String },
    /// `…/workflows/W/executions`
    Executions { workflow: String },
    /// `…/executions/E`
    Execution { name: String },
    /// `…/executions/E:cancel`
    Cancel { name: String },
    /// `…/executions/E/callbacks`
    Callbacks { execution: String },
    /// `…/executions/E/callbacks/ID`: a callback request.
    Callback { path: String },
    /// `…/executions/E/logs` (wfkit's extension: the execution's `sys.log` entries).
    Logs { execution: String },
    /// `…/executions/E/stepEntries`
    StepEntries { execution: String },
    /// `…/executions/E/stepEntries/ID`
    StepEntry { execution: String, id: String },
}

impl Route {
    /// The route of `path` (without the query), if it is one.
    pub fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/v1/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) || parts.len() < 4 || parts[0] != "projects" || parts[2] != "locations" {
            return None;
        }
        let join = |n: usize| parts[..n].join("/");
        match (parts.len(), parts.get(4).copied(), parts.get(6).copied(), parts.get(8).copied()) {
            (5, Some("workflows"), _, _) => Some(Route::Workflows { parent: join(4) }),
            (6, Some("workflows"), _, _) => Some(Route::Workflow { name: join(6) }),
            (6, Some("operations"), _, _) => Some(Route::Operation { name: join(6) }),
            (7, Some("workflows"), Some("executions"), _) => Some(Route::Executions { workflow: join(6) }),
            (8, Some("workflows"), Some("executions"), _) => match parts[7].strip_suffix(":cancel") {
                Some(id) => Some(Route::Cancel { name: format!("{}/{id}", join(7)) }),
                None => Some(Route::Execution { name: join(8) }),
            },
            (9, Some("workflows"), Some("executions"), Some("callbacks")) => {
                Some(Route::Callbacks { execution: join(8) })
            }
            (9, Some("workflows"), Some("executions"), Some("logs")) => Some(Route::Logs { execution: join(8) }),
            (9, Some("workflows"), Some("executions"), Some("stepEntries")) => {
                Some(Route::StepEntries { execution: join(8) })
            }
            (10, Some("workflows"), Some("executions"), Some("callbacks")) => {
                Some(Route::Callback { path: path.into() })
            }
            (10, Some("workflows"), Some("executions"), Some("stepEntries")) => {
                Some(Route::StepEntry { execution: join(8), id: parts[9].to_string() })
            }
            _ => None,
        }
    }
}

/// The running HTTP server.
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
}

impl HttpServer {
    /// Serves `listener` on a thread of its own, sending the requests `guard` lets in to
    /// `engine`.
    pub fn start(listener: std::net::TcpListener, engine: Sender<Msg>, guard: Guard) -> std::io::Result<HttpServer> {
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        std::thread::Builder::new().name("wf-serve-http".into()).spawn(move || {
            runtime.block_on(serve(listener, engine, std::sync::Arc::new(guard)));
        })?;
        Ok(HttpServer { addr })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// How long the accept loop waits after a failed accept (out of file descriptors, say)
/// before it tries again, so that it does not spin a core.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

async fn serve(listener: std::net::TcpListener, engine: Sender<Msg>, guard: std::sync::Arc<Guard>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let engine = engine.clone();
        let guard = std::sync::Arc::clone(&guard);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let engine = engine.clone();
                let guard = std::sync::Arc::clone(&guard);
                async move { Ok::<_, Infallible>(respond(handle(req, &engine, &guard).await)) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::OK);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

async fn handle(req: Request<Incoming>, engine: &Sender<Msg>, guard: &Guard) -> Answer {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = parse_query(req.uri().query());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    if let Err((status, why)) = guard.check(&headers, false) {
        return Answer::error(status, &why);
    }
    let body = match tokio::time::timeout(READ_TIMEOUT, Limited::new(req.into_body(), MAX_REQUEST).collect()).await {
        Err(_) => return Answer::error(408, "the request body took too long to arrive"),
        Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return Answer::error(413, &format!("the request body is larger than {MAX_REQUEST} bytes"));
        }
        Ok(Err(e)) => return Answer::error(400, &format!("the request body is malformed: {e}")),
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
    };
    let writes = matches!(method.as_str(), "POST" | "PATCH" | "PUT");
    if writes
        && !body.is_empty()
        && !matches!(Route::parse(&path), Some(Route::Callback { .. }))
        && let Err((status, why)) = guard.check(&headers, true)
    {
        return Answer::error(status, &why);
    }
    let (tx, rx) = oneshot::channel();
    let request = ApiRequest { method, path, query, headers, body, reply: tx };
    if engine.send(Msg::Api(request)).is_err() {
        return Answer::error(503, "the server is shutting down");
    }
    rx.await.unwrap_or_else(|_| Answer::error(500, "the engine dropped the request"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let p = "/v1/projects/p/locations/l";
        assert_eq!(
            Route::parse(&format!("{p}/workflows")),
            Some(Route::Workflows { parent: "projects/p/locations/l".into() })
        );
        assert_eq!(
            Route::parse(&format!("{p}/workflows/w")),
            Some(Route::Workflow { name: "projects/p/locations/l/workflows/w".into() })
        );
        assert_eq!(
            Route::parse(&format!("{p}/operations/op1")),
            Some(Route::Operation { name: "projects/p/locations/l/operations/op1".into() })
        );
        assert_eq!(
            Route::parse(&format!("{p}/workflows/w/executions/e:cancel")),
            Some(Route::Cancel { name: "projects/p/locations/l/workflows/w/executions/e".into() })
        );
        assert!(matches!(
            Route::parse(&format!("{p}/workflows/w/executions/e/callbacks/c")),
            Some(Route::Callback { .. })
        ));
        assert_eq!(Route::parse("/v1/projects/p"), None);
        assert_eq!(Route::parse("/v2/projects/p/locations/l/workflows"), None);
        assert_eq!(Route::parse(&format!("{p}//workflows")), None);
    }
}
