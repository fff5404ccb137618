//! A request sent to a callback endpoint, and the map `events.await_callback` returns for it.

use std::rc::Rc;

use wf_vm::{Map, Value};

use super::received::ReceivedClock;

/// A request as it arrives at an endpoint: plain data, so that it can cross threads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpRequest {
    /// The HTTP method; empty for "the endpoint's own" (a scenario request that names none).
    pub method: String,
    /// Query parameters in order (a key may repeat).
    pub query: Vec<(String, String)>,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body; `None` when there is none.
    pub body: Option<Vec<u8>>,
}

/// Headers that carry credentials: the callback's Bearer token must not reach the workflow,
/// its logs, the journal or any API answer, so the servers drop these when a request
/// arrives ([`HttpRequest::without_credentials`]).
pub const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization"];

impl HttpRequest {
    /// The request without its [`CREDENTIAL_HEADERS`].
    pub fn without_credentials(mut self) -> HttpRequest {
        self.headers.retain(|(k, _)| !CREDENTIAL_HEADERS.iter().any(|c| k.eq_ignore_ascii_case(c)));
        self
    }

    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `{http_request: {body, headers, method, query, url}, received_time, type: "HTTP"}`
    /// for an endpoint at `path` that accepts `method`, received at `now` (Unix seconds).
    /// `url` is the path alone (the query is in `query`); a repeated query key gives its
    /// first value, as Go's `url.Values.Get` does.
    pub fn to_value(&self, path: &str, method: &str, now: f64, clock: &ReceivedClock) -> Value {
        let mut headers = Map::default();
        for (k, v) in &self.headers {
            headers.insert(Rc::from(canonical_header(k)), Value::str(v));
        }
        let mut query = Map::default();
        for (k, v) in &self.query {
            if !query.contains_key(k.as_str()) {
                query.insert(Rc::from(k.as_str()), Value::str(v));
            }
        }
        Value::from_pairs([
            (
                "http_request",
                Value::from_pairs([
                    ("body", self.body_value()),
                    ("headers", Value::map(headers)),
                    ("method", Value::str(method.to_ascii_uppercase())),
                    ("query", Value::map(query)),
                    ("url", Value::str(path)),
                ]),
            ),
            ("received_time", Value::str(clock.format(now))),
            ("type", Value::str("HTTP")),
        ])
    }

    /// The body as GCW decodes it: JSON for a JSON content type, text for `text/*`, bytes
    /// otherwise (and for JSON or text that does not decode); null when there is none.
    fn body_value(&self) -> Value {
        let Some(bytes) = self.body.as_deref().filter(|b| !b.is_empty()) else { return Value::Null };
        let content_type = self.header("content-type").unwrap_or("").to_ascii_lowercase();
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if mime.contains("json")
            && let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes)
        {
            return wf_vm::json::from_json(&json);
        }
        if mime.starts_with("text/")
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            return Value::str(text);
        }
        Value::Bytes(Rc::from(bytes))
    }
}

/// `Content-Type` for `content-type`: the form Go's HTTP server gives header names.
fn canonical_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
        upper = c == '-';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> ReceivedClock {
        ReceivedClock::in_zone(1_767_225_600.0, jiff::tz::TimeZone::UTC)
    }

    fn request(content_type: Option<&str>, body: &[u8]) -> HttpRequest {
        HttpRequest {
            method: "post".into(),
            query: vec![("a".into(), "1".into()), ("b".into(), "2".into()), ("a".into(), "3".into())],
            headers: content_type.map(|c| vec![("content-type".into(), c.into())]).unwrap_or_default(),
            body: Some(body.to_vec()),
        }
    }

    fn field(v: &Value, path: &[&str]) -> Value {
        path.iter().fold(v.clone(), |v, k| v.as_map().and_then(|m| m.get(*k)).cloned().unwrap_or(Value::Null))
    }

    #[test]
    fn bodies_decode_by_content_type() {
        let json = request(Some("application/json; charset=utf-8"), br#"{"foo": "bar"}"#).to_value(
            "/p",
            "POST",
            1_767_225_600.0,
            &utc(),
        );
        assert_eq!(field(&json, &["http_request", "body", "foo"]), Value::str("bar"));
        let text = request(Some("text/plain"), b"hello").to_value("/p", "POST", 1_767_225_600.0, &utc());
        assert_eq!(field(&text, &["http_request", "body"]), Value::str("hello"));
        let bad_json = request(Some("application/json"), b"{nope").to_value("/p", "POST", 1_767_225_600.0, &utc());
        assert_eq!(field(&bad_json, &["http_request", "body"]), Value::Bytes(Rc::from(&b"{nope"[..])));
        let binary =
            request(Some("application/octet-stream"), &[0, 159, 146]).to_value("/p", "POST", 1_767_225_600.0, &utc());
        assert_eq!(field(&binary, &["http_request", "body"]), Value::Bytes(Rc::from(&[0u8, 159, 146][..])));
        let none = HttpRequest { method: "GET".into(), ..HttpRequest::default() }.to_value(
            "/p",
            "POST",
            1_767_225_600.0,
            &utc(),
        );
        assert_eq!(field(&none, &["http_request", "body"]), Value::Null);
    }

    #[test]
    fn method_headers_query_url_and_time() {
        let v = request(Some("text/plain"), b"x").to_value("/v1/p", "POST", 1_767_225_600.25, &utc());
        assert_eq!(field(&v, &["http_request", "method"]), Value::str("POST"));
        assert_eq!(field(&v, &["http_request", "headers", "Content-Type"]), Value::str("text/plain"));
        assert_eq!(field(&v, &["http_request", "query", "a"]), Value::str("1"));
        assert_eq!(field(&v, &["http_request", "query", "b"]), Value::str("2"));
        assert_eq!(field(&v, &["http_request", "url"]), Value::str("/v1/p"));
        assert_eq!(field(&v, &["received_time"]), Value::str("2026-01-01 00:00:00.25 +0000 UTC m=+0.250000000"));
        assert_eq!(field(&v, &["type"]), Value::str("HTTP"));
    }
}
