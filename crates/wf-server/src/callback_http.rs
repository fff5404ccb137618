//! Callback requests over HTTP: which paths are endpoints, the Bearer token check, the body
//! limit, and the answers, as GCW gives them (`{"error": {code, message, status}}`).

use wf_runtime::callbacks::{CallbackStatus, HttpRequest};

/// Largest callback body taken (GCW counts callback payloads toward an execution's 512 KB
/// of data, so a larger one could never be used).
pub const MAX_BODY: usize = 512 * 1024;

/// Who may send callback requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Requests need `Authorization: Bearer TOKEN`.
    Token(String),
    /// Anyone may (`--no-auth`).
    Open,
}

impl Auth {
    /// The refusal for a request with this `Authorization` header, if any: 401 without a
    /// Bearer token, 403 with a wrong one.
    pub fn check(&self, authorization: Option<&str>) -> Option<Answer> {
        let Auth::Token(token) = self else { return None };
        let given = authorization.and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")));
        match given {
            None => Some(Answer::error(
                401,
                "the request has no `Authorization: Bearer TOKEN` header; use the token printed at start",
            )),
            Some(t) if t.trim() != token => Some(Answer::error(403, "the Bearer token is not this server's")),
            Some(_) => None,
        }
    }
}

/// Whether `path` names a callback endpoint:
/// `/v1/projects/P/locations/L/workflows/W/executions/E/callbacks/ID`.
pub fn is_callback_path(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let fixed = [(0, "v1"), (1, "projects"), (3, "locations"), (5, "workflows"), (7, "executions"), (9, "callbacks")];
    parts.len() == 11 && fixed.iter().all(|(i, want)| parts[*i] == *want) && parts.iter().all(|p| !p.is_empty())
}

/// An HTTP answer: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The body (JSON, or empty on success).
    pub body: String,
}

impl Answer {
    /// GCW's error body for `status`.
    pub fn error(status: u16, message: &str) -> Answer {
        let body = serde_json::json!({"error": {"code": status, "message": message, "status": status_name(status)}});
        Answer { status, body: body.to_string() }
    }

    /// The answer to a request that got `status`.
    pub fn callback(status: &CallbackStatus) -> Answer {
        match status.code() {
            200 => Answer { status: 200, body: String::new() },
            code => Answer::error(code, &status.describe()),
        }
    }
}

/// The gRPC status name GCW puts beside an HTTP code.
fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        408 => "DEADLINE_EXCEEDED",
        413 => "OUT_OF_RANGE",
        429 => "RESOURCE_EXHAUSTED",
        _ => "INTERNAL",
    }
}

/// The query parameters of a query string, percent-decoded, in order.
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = query else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `a%20b+c` → `a b c` (invalid escapes are kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                // Two hex digits exactly: `from_str_radix` alone would also take a sign (`%+a`).
                let digits = &bytes[i + 1..i + 3];
                let hex = digits.iter().all(u8::is_ascii_hexdigit).then(|| std::str::from_utf8(digits).ok()).flatten();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A callback request from its parts, without its credentials (the token was checked;
/// nothing after this point may show it).
pub fn request(method: &str, query: Option<&str>, headers: Vec<(String, String)>, body: Vec<u8>) -> HttpRequest {
    HttpRequest {
        method: method.to_string(),
        query: parse_query(query),
        headers,
        body: (!body.is_empty()).then_some(body),
    }
    .without_credentials()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_paths() {
        assert!(is_callback_path("/v1/projects/p/locations/l/workflows/w/executions/e/callbacks/c"));
        assert!(!is_callback_path("/v1/projects/p/locations/l/workflows/w/executions/e/callbacks"));
        assert!(!is_callback_path("/v1/projects/p/locations/l/workflows/w/executions/e/callbacks/c/x"));
        assert!(!is_callback_path("/v2/projects/p/locations/l/workflows/w/executions/e/callbacks/c"));
        assert!(!is_callback_path("/v1/projects//locations/l/workflows/w/executions/e/callbacks/c"));
    }

    #[test]
    fn tokens() {
        let auth = Auth::Token("t0k".into());
        assert_eq!(auth.check(None).map(|a| a.status), Some(401));
        assert_eq!(auth.check(Some("Basic x")).map(|a| a.status), Some(401));
        assert_eq!(auth.check(Some("Bearer nope")).map(|a| a.status), Some(403));
        assert_eq!(auth.check(Some("Bearer t0k")), None);
        assert_eq!(Auth::Open.check(None), None);
    }

    #[test]
    fn queries_decode() {
        assert_eq!(
            parse_query(Some("a=1&b=x%20y+z&a=%zz&c")),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("a".into(), "%zz".into()),
                ("c".into(), "".into())
            ]
        );
        assert_eq!(parse_query(Some("k=%4")), vec![("k".into(), "%4".into())]);
        // Found by the `serve_http` fuzz target: `%+a` was read as the byte 0x0a.
        assert_eq!(parse_query(Some("b=%+a28&c=%-1")), vec![("b".into(), "% a28".into()), ("c".into(), "%-1".into())]);
    }

    #[test]
    fn answers() {
        assert_eq!(Answer::callback(&CallbackStatus::Stored), Answer { status: 200, body: String::new() });
        let busy = Answer::callback(&CallbackStatus::Busy);
        assert_eq!(busy.status, 429);
        assert!(busy.body.contains("RESOURCE_EXHAUSTED"), "{}", busy.body);
    }
}
