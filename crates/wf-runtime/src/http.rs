//! Outbound HTTP: GCW's `http.*` functions over a real client, with GCW's request encoding,
//! response shape, timeouts and error tags (see `docs/semantics.md`). A call is prepared
//! from the machine's values ([`prepare`]), sent as plain data on any thread ([`send`]),
//! and its outcome turned back into a value ([`outcome`]).

use std::rc::Rc;
use std::time::Duration;

use wf_vm::error::{error, tags, type_error, value_error};
use wf_vm::{Map, Value};

/// Default and longest HTTP timeout, in seconds.
const DEFAULT_TIMEOUT: f64 = 300.0;
const MAX_TIMEOUT: f64 = 1800.0;
/// Largest response body GCW accepts.
const MAX_RESPONSE: u64 = 2 * 1024 * 1024;
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/// An outbound request, ready to send (plain data, so it can cross threads).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL with its query string.
    pub url: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The encoded body.
    pub body: Option<Vec<u8>>,
    /// Seconds before the call gives up.
    pub timeout: f64,
}

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status code.
    pub code: u16,
    /// Headers with lower-case names; repeated ones joined with `, `.
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
}

/// Why no response came back: the GCW error tag and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `TimeoutError`, `ConnectionFailedError`, ...
    pub tag: &'static str,
    /// What happened.
    pub message: String,
}

/// Performs `http.get`/`post`/`put`/`patch`/`delete`/`request` with the named `args`; the
/// result is `{code, headers, body}`, or an error map (`HttpError` for status >= 400).
pub fn call(function: &str, args: &Value) -> Result<Value, Value> {
    let request = prepare(function, args)?;
    outcome(send(&request))
}

/// Checks the arguments of an `http.*` call and encodes its request as GCW does.
pub fn prepare(function: &str, args: &Value) -> Result<Request, Value> {
    let args = args.as_map().cloned().unwrap_or_default();
    let method = match function {
        "http.request" => match args.get("method") {
            Some(Value::Str(m)) if METHODS.contains(&m.to_ascii_uppercase().as_str()) => m.to_ascii_uppercase(),
            Some(v) => {
                return Err(value_error(format!(
                    "http.request: invalid `method` {v} (expected one of {})",
                    METHODS.join(", ")
                )));
            }
            None => return Err(type_error("http.request: `method` is required")),
        },
        other => other.trim_start_matches("http.").to_ascii_uppercase(),
    };
    let url = match args.get("url") {
        Some(Value::Str(u)) => with_query(u, args.get("query"))?,
        Some(v) => return Err(type_error(format!("{function}: `url` must be a string, found {}", v.type_name()))),
        None => return Err(type_error(format!("{function}: `url` is required"))),
    };
    for unsupported in ["private_service_name", "ca_certificate"] {
        if args.get(unsupported).is_some_and(|v| *v != Value::Null) {
            return Err(value_error(format!("{function}: `{unsupported}` is not supported by `wf run`")));
        }
    }
    let timeout = match args.get("timeout") {
        None | Some(Value::Null) => DEFAULT_TIMEOUT,
        Some(v) => match v.as_f64() {
            Some(t) if t > 0.0 && t <= MAX_TIMEOUT => t,
            Some(t) => {
                return Err(value_error(format!(
                    "{function}: `timeout` must be between 0 and {MAX_TIMEOUT} seconds, found {t}"
                )));
            }
            None => return Err(type_error(format!("{function}: `timeout` must be a number"))),
        },
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(h) = args.get("headers").filter(|h| **h != Value::Null) {
        let Some(h) = h.as_map() else { return Err(type_error(format!("{function}: `headers` must be a map"))) };
        for (k, v) in h {
            let value = match v {
                Value::Str(s) => s.to_string(),
                Value::Int(_) | Value::Double(_) | Value::Bool(_) => v.to_string(),
                other => {
                    return Err(type_error(format!(
                        "{function}: header `{k}` must be a string, found {}",
                        other.type_name()
                    )));
                }
            };
            headers.push((k.to_string(), value));
        }
    }
    let body = encode_body(args.get("body"), &mut headers)?;
    Ok(Request { method, url, headers, body, timeout })
}

/// Encodes the request body as GCW does: bytes raw (octet-stream), anything else as JSON,
/// unless a `Content-Type` header asks for a form or text.
fn encode_body(body: Option<&Value>, headers: &mut Vec<(String, String)>) -> Result<Option<Vec<u8>>, Value> {
    let Some(body) = body.filter(|b| **b != Value::Null) else { return Ok(None) };
    let content_type =
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.to_ascii_lowercase());
    let (bytes, default_type) = match (body, content_type.as_deref()) {
        (Value::Bytes(b), _) => (b.to_vec(), "application/octet-stream"),
        (Value::Map(m), Some(ct)) if ct.starts_with("application/x-www-form-urlencoded") => {
            let pairs: Vec<String> =
                m.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(&plain(v)))).collect();
            (pairs.join("&").into_bytes(), "application/x-www-form-urlencoded")
        }
        (Value::Str(s), Some(ct)) if ct.starts_with("text/") => (s.as_bytes().to_vec(), "text/plain"),
        (other, _) => {
            let json = wf_vm::json::to_json(other)?;
            (json.to_string().into_bytes(), "application/json; charset=utf-8")
        }
    };
    if content_type.is_none() {
        headers.push(("Content-Type".into(), default_type.into()));
    }
    Ok(Some(bytes))
}

fn plain(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        other => other.to_string(),
    }
}

/// Appends `query` (values: scalars, or lists of them for repeated keys) to the URL.
fn with_query(url: &str, query: Option<&Value>) -> Result<String, Value> {
    let Some(q) = query.filter(|q| **q != Value::Null) else { return Ok(url.to_string()) };
    let Some(q) = q.as_map() else { return Err(type_error("`query` must be a map")) };
    let mut parts = Vec::new();
    for (k, v) in q {
        let values: Vec<&Value> = match v {
            Value::List(items) => items.iter().collect(),
            other => vec![other],
        };
        for v in values {
            match v {
                Value::Str(_) | Value::Int(_) | Value::Double(_) | Value::Bool(_) => {
                    parts.push(format!("{}={}", percent_encode(k), percent_encode(&plain(v))));
                }
                other => {
                    return Err(type_error(format!(
                        "query value `{k}` must be a string, number or boolean, found {}",
                        other.type_name()
                    )));
                }
            }
        }
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(if parts.is_empty() { url.to_string() } else { format!("{url}{sep}{}", parts.join("&")) })
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends `request` and waits for the whole response (at most 2 MB of body).
pub fn send(request: &Request) -> Result<Response, Failure> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs_f64(request.timeout)))
        .http_status_as_error(false)
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut builder = ureq::http::Request::builder().method(request.method.as_str()).uri(request.url.as_str());
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let invalid = |e: ureq::http::Error| Failure { tag: tags::VALUE, message: format!("invalid request: {e}") };
    let result = match &request.body {
        Some(bytes) => builder.body(bytes.clone()).map_err(invalid).map(|r| agent.run(r)),
        None => builder.body(()).map_err(invalid).map(|r| agent.run(r)),
    }?;
    let mut response = result.map_err(failure)?;
    let code = response.status().as_u16();
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in response.headers() {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let key = name.as_str().to_ascii_lowercase();
        match headers.iter_mut().find(|(k, _)| *k == key) {
            Some((_, prev)) => *prev = format!("{prev}, {v}"),
            None => headers.push((key, v)),
        }
    }
    let body = response.body_mut().with_config().limit(MAX_RESPONSE).read_to_vec().map_err(failure)?;
    Ok(Response { code, headers, body })
}

/// The value a call returns, or the error it raises: `HttpError` for status >= 400.
pub fn outcome(sent: Result<Response, Failure>) -> Result<Value, Value> {
    let response = sent.map_err(|f| error(f.tag, f.message))?;
    let mut header_map = Map::default();
    for (k, v) in &response.headers {
        header_map.insert(Rc::from(k.as_str()), Value::str(v));
    }
    let content_type = header_map.get("content-type").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    let body = decode_body(&content_type, response.body);
    let headers = Value::map(header_map);
    let code = response.code;
    if code >= 400 {
        return Err(Value::from_pairs([
            ("message", Value::str(format!("HTTP server responded with error code {code}"))),
            ("tags", Value::list(vec![Value::str(tags::HTTP)])),
            ("code", Value::Int(i64::from(code))),
            ("headers", headers),
            ("body", body),
        ]));
    }
    Ok(Value::from_pairs([("body", body), ("code", Value::Int(i64::from(code))), ("headers", headers)]))
}

/// JSON for a JSON content type, text for `text/*`, otherwise bytes.
fn decode_body(content_type: &str, bytes: Vec<u8>) -> Value {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if (mime == "application/json" || mime.ends_with("+json"))
        && let Ok(j) = serde_json::from_slice::<serde_json::Value>(&bytes)
    {
        return wf_vm::json::from_json(&j);
    }
    if mime.starts_with("text/") || (mime.is_empty() && bytes.is_empty()) {
        return Value::str(String::from_utf8_lossy(&bytes));
    }
    if mime == "application/json" || mime.ends_with("+json") {
        return Value::str(String::from_utf8_lossy(&bytes));
    }
    Value::Bytes(Rc::from(bytes))
}

fn failure(e: ureq::Error) -> Failure {
    let (tag, message) = match e {
        ureq::Error::Timeout(_) => (tags::TIMEOUT, format!("HTTP request timed out: {e}")),
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            (tags::CONNECTION_FAILED, format!("could not connect: {e}"))
        }
        ureq::Error::BodyExceedsLimit(_) => (tags::RESOURCE_LIMIT, "HTTP response larger than 2 MB".to_string()),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => (tags::VALUE, format!("invalid URL: {e}")),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            (tags::CONNECTION_FAILED, format!("could not connect: {io}"))
        }
        other => (tags::CONNECTION, format!("the connection failed: {other}")),
    };
    Failure { tag, message }
}
