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
    let mut budget = MAX_JSON_BYTES;
    encode(v, &mut budget)
}

fn spend(budget: &mut usize, n: usize) -> Result<(), Value> {
    *budget = budget
        .checked_sub(n)
        .ok_or_else(|| crate::error::error(crate::error::tags::RESOURCE_LIMIT, "value too large to encode as JSON"))?;
    Ok(())
}

fn encode(v: &Value, budget: &mut usize) -> Result<Json, Value> {
    spend(budget, 8)?;
    Ok(match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::from(*n),
        Value::Double(x) => match serde_json::Number::from_f64(*x) {
            Some(n) => Json::Number(n),
            None => return Err(crate::error::value_error(format!("{} cannot be encoded as JSON", format_double(*x)))),
        },
        Value::Str(s) => {
            spend(budget, s.len())?;
            Json::String(s.to_string())
        }
        Value::Bytes(_) => return Err(type_error("bytes cannot be encoded as JSON; use base64.encode first")),
        Value::List(items) => Json::Array(items.iter().map(|i| encode(i, budget)).collect::<Result<_, _>>()?),
        Value::Map(m) => {
            let mut out = serde_json::Map::with_capacity(m.len());
            for (k, v) in m.iter() {
                spend(budget, k.len())?;
                out.insert(k.to_string(), encode(v, budget)?);
            }
            Json::Object(out)
        }
    })
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
