//! Conversions between run-time values and JSON (arguments in, results out, `json.*`).

use std::rc::Rc;

use serde_json::Value as Json;

use crate::error::type_error;
use crate::value::{Map, Value, format_double};

/// The most JSON text a value may turn into (a value that nests one shared value in itself
/// can be exponentially larger than its memory).
pub const MAX_JSON_BYTES: usize = 8 * 1024 * 1024;

/// Converts a value to JSON. Bytes cannot be JSON-encoded (a `TypeError`); non-finite
/// doubles neither (a `ValueError`); more than [`MAX_JSON_BYTES`] of JSON is a
/// `ResourceLimitError`.
pub fn to_json(v: &Value) -> Result<Json, Value> {
    check_json(v)?;
    Ok(build(v))
}

/// Whether [`to_json`] would succeed, without building anything (a workflow's result must
/// be JSON).
pub fn check_json(v: &Value) -> Result<(), Value> {
    let mut budget = MAX_JSON_BYTES;
    check(v, &mut budget)
}

fn spend(budget: &mut usize, n: usize) -> Result<(), Value> {
    *budget = budget
        .checked_sub(n)
        .ok_or_else(|| crate::error::error(crate::error::tags::RESOURCE_LIMIT, "value too large to encode as JSON"))?;
    Ok(())
}

fn check(v: &Value, budget: &mut usize) -> Result<(), Value> {
    spend(budget, 8)?;
    match v {
        Value::Double(x) if !x.is_finite() => {
            Err(crate::error::value_error(format!("{} cannot be encoded as JSON", format_double(*x))))
        }
        Value::Str(s) => spend(budget, s.len()),
        Value::Bytes(_) => Err(type_error("bytes cannot be encoded as JSON; use base64.encode first")),
        Value::List(items) => items.iter().try_for_each(|i| check(i, budget)),
        Value::Map(m) => m.iter().try_for_each(|(k, v)| {
            spend(budget, k.len())?;
            check(v, budget)
        }),
        _ => Ok(()),
    }
}

/// The JSON of a value that [`check`] accepted.
fn build(v: &Value) -> Json {
    match v {
        Value::Null | Value::Bytes(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::from(*n),
        Value::Double(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.to_string()),
        Value::List(items) => Json::Array(items.iter().map(build).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.to_string(), build(v))).collect()),
    }
}

/// Whether JSON text nests arrays and objects more than `max` levels deep (brackets inside
/// strings do not count). One pass over the bytes, no recursion: text is checked with this
/// before it is parsed and turned into a value.
pub fn nests_deeper_than(text: &str, max: u32) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0u32, false, false);
    for &b in text.as_bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Converts JSON to a value: numbers without a fraction or exponent that fit 64 bits are
/// integers, other numbers doubles.
pub fn from_json(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::list(items.iter().map(from_json).collect()),
        Json::Object(o) => {
            let mut m = Map::with_capacity_and_hasher(o.len(), Default::default());
            for (k, v) in o {
                m.insert(Rc::from(k.as_str()), from_json(v));
            }
            Value::map(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_depth_skips_strings() {
        assert!(!nests_deeper_than("[[1]]", 2));
        assert!(nests_deeper_than("[[[1]]]", 2));
        assert!(!nests_deeper_than(r#"["[[[", {"a": "\\\"{{{"}]"#, 2));
        assert!(nests_deeper_than(r#"[{"a": [1]}]"#, 2));
        assert!(!nests_deeper_than("[][][][]", 1));
        assert!(!nests_deeper_than("]]]][", 1));
    }
}
