//! The predefined retry predicates, as natives taking the error.

use crate::error::tags;
use crate::stdlib::{Args, Context, Native};
use crate::value::Value;

/// The native of a predefined predicate.
pub fn native(name: &str) -> Option<Native> {
    Some(match name {
        "retry.always" => |_: Args<'_>, _: &mut dyn Context| Ok(Value::Bool(true)),
        "retry.never" => |_: Args<'_>, _: &mut dyn Context| Ok(Value::Bool(false)),
        "http.default_retry_predicate" => default_retry,
        "http.default_retry_predicate_non_idempotent" => non_idempotent,
        _ => return None,
    })
}

fn tags(error: Option<&Value>) -> Vec<String> {
    error
        .and_then(|e| e.get("tags"))
        .and_then(Value::as_list)
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn http_code(error: Option<&Value>) -> Option<i64> {
    match error.and_then(|e| e.get("code")) {
        Some(Value::Int(c)) => Some(*c),
        _ => None,
    }
}

/// True for HTTP 429, 502, 503, 504, and for connection errors and timeouts.
fn default_retry(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let e = args.get(0);
    let tags = tags(e);
    let has = |t: &str| tags.iter().any(|x| x == t);
    let http = has(tags::HTTP) && matches!(http_code(e), Some(429 | 502 | 503 | 504));
    Ok(Value::Bool(http || has(tags::CONNECTION) || has(tags::CONNECTION_FAILED) || has(tags::TIMEOUT)))
}

/// True for HTTP 429 and 503, and for connections that failed before the request was sent.
fn non_idempotent(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let e = args.get(0);
    let tags = tags(e);
    let has = |t: &str| tags.iter().any(|x| x == t);
    let http = has(tags::HTTP) && matches!(http_code(e), Some(429 | 503));
    Ok(Value::Bool(http || has(tags::CONNECTION_FAILED)))
}
