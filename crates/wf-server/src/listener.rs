//! The loopback listener of `wf run`: serves callback requests over HTTP/1.1 on its own
//! thread and hands each one to the driver, whose answer (200, 429, 404, 405) it sends back.

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
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::oneshot;
use wf_runtime::callbacks::Target;
use wf_runtime::realtime::Event;

use crate::callback_http::{Answer, Auth, MAX_BODY, is_callback_path, request};

/// How long a client may take to send its headers, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A running listener; it serves until [`CallbackListener::stop`] or the process ends.
#[derive(Debug)]
pub struct CallbackListener {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CallbackListener {
    /// Binds `addr` and serves callback requests, sending each to `events`.
    pub fn start(addr: &str, auth: Auth, events: Sender<Event>) -> std::io::Result<CallbackListener> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new().name("wf-callbacks".into()).spawn(move || {
            runtime.block_on(serve(listener, auth, events, stopped));
        })?;
        Ok(CallbackListener { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// Stops accepting connections and waits, at most `grace`, until the requests under way
    /// have their answers written (so the last callback's 200 is not lost when the process
    /// ends right after the execution).
    pub fn stop(mut self, grace: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(thread) = self.thread.take() else { return };
        let deadline = std::time::Instant::now() + grace;
        while !thread.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

async fn serve(listener: std::net::TcpListener, auth: Auth, events: Sender<Event>, mut stopped: oneshot::Receiver<()>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = &mut stopped => break,
        };
        let (auth, events) = (auth.clone(), events.clone());
        let service = service_fn(move |req| {
            let (auth, events) = (auth.clone(), events.clone());
            async move { Ok::<_, Infallible>(respond(handle(req, &auth, &events).await)) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = watched.await;
        });
    }
    graceful.shutdown().await;
}

fn respond(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::OK);
    if response.status() != hyper::StatusCode::OK {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    }
    response
}

async fn handle(req: Request<Incoming>, auth: &Auth, events: &Sender<Event>) -> Answer {
    let path = req.uri().path().to_string();
    if !is_callback_path(&path) {
        return Answer::error(404, &format!("`{path}` is not a callback endpoint"));
    }
    let authorization = req.headers().get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(refusal) = auth.check(authorization) {
        return refusal;
    }
    let method = req.method().as_str().to_string();
    let query = req.uri().query().map(str::to_string);
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = match tokio::time::timeout(READ_TIMEOUT, Limited::new(req.into_body(), MAX_BODY).collect()).await {
        Err(_) => return Answer::error(408, "the request body took too long to arrive"),
        Ok(Err(_)) => return Answer::error(413, &format!("the request body is larger than {MAX_BODY} bytes")),
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
    };
    let (tx, rx) = oneshot::channel();
    let event = Event::Callback {
        target: Target::Path(path),
        request: request(&method, query.as_deref(), headers, body),
        reply: Box::new(move |status| {
            let _ = tx.send(status);
        }),
    };
    if events.send(event).is_err() {
        return Answer::error(404, "the execution has ended");
    }
    match rx.await {
        Ok(status) => Answer::callback(&status),
        Err(_) => Answer::error(404, "the execution has ended"),
    }
}
