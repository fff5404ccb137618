//! Values as JSON without loss, for the store: bytes become `{"$bytes": BASE64}` and a map
//! whose only key starts with `$` is wrapped as `{"$map": {...}}`, so nothing is mistaken for
//! something else; integers and doubles keep their kind (`1` and `1.0`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map as JsonMap, Value as Json};
use wf_vm::{Map, Value};

/// The JSON form of `v`.
pub fn encode(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Double(d) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.to_string()),
        Value::Bytes(b) => tagged("$bytes", Json::String(STANDARD.encode(b))),
        Value::List(items) => Json::Array(items.iter().map(encode).collect()),
        Value::Map(m) => {
            let object: JsonMap<String, Json> = m.iter().map(|(k, v)| (k.to_string(), encode(v))).collect();
            if object.len() == 1 && object.keys().all(|k| k.starts_with('$')) {
                tagged("$map", Json::Object(object))
            } else {
                Json::Object(object)
            }
        }
    }
}

fn tagged(tag: &str, inner: Json) -> Json {
    let mut object = JsonMap::new();
    object.insert(tag.to_string(), inner);
    Json::Object(object)
}

/// The value `encode` made `j` from.
pub fn decode(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i),
            _ => Value::Double(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::list(items.iter().map(decode).collect()),
        Json::Object(o) => {
            if o.len() == 1 {
                if let Some(Json::String(b)) = o.get("$bytes") {
                    return Value::Bytes(STANDARD.decode(b).unwrap_or_default().into());
                }
                if let Some(Json::Object(inner)) = o.get("$map") {
                    return map(inner);
                }
            }
            map(o)
        }
    }
}

fn map(o: &JsonMap<String, Json>) -> Value {
    let mut m = Map::default();
    for (k, v) in o {
        m.insert(k.as_str().into(), decode(v));
    }
    Value::map(m)
}

/// A result or an error, as JSON.
pub fn encode_result(r: &Result<Value, Value>) -> Json {
    match r {
        Ok(v) => tagged("ok", encode(v)),
        Err(e) => tagged("err", encode(e)),
    }
}

/// The result `encode_result` made `j` from.
pub fn decode_result(j: &Json) -> Result<Value, Value> {
    match j.get("err") {
        Some(e) => Err(decode(e)),
        None => Ok(decode(j.get("ok").unwrap_or(&Json::Null))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        let tricky = Value::from_pairs([("$bytes", Value::str("not bytes"))]);
        let v = Value::list(vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(1),
            Value::Double(1.0),
            Value::Double(-2.5),
            Value::str("s"),
            Value::Bytes(vec![0u8, 255, 7].into()),
            Value::from_pairs([("a", Value::Int(1)), ("b", Value::list(vec![]))]),
            tricky,
        ]);
        let text = encode(&v).to_string();
        let back = decode(&serde_json::from_str(&text).unwrap());
        assert_eq!(back, v);
        assert!(matches!(back.as_list().map(|l| l[2].clone()), Some(Value::Int(1))));
        assert!(matches!(back.as_list().map(|l| l[3].clone()), Some(Value::Double(_))));
        let r: Result<Value, Value> = Err(Value::str("e"));
        assert_eq!(decode_result(&encode_result(&r)), r);
    }

    /// Found by the `serve_http` fuzz target: without serde_json's `float_roundtrip`, the
    /// text of some doubles (shortest digits) parsed back one ulp off.
    #[test]
    fn doubles_round_trip_through_text_bit_for_bit() {
        for x in [8.39420020346659e-308, 5e-324, f64::MAX, f64::MIN_POSITIVE, 0.1 + 0.2, -0.0, 1e21] {
            let text = encode(&Value::Double(x)).to_string();
            match decode(&serde_json::from_str(&text).unwrap()) {
                Value::Double(y) => assert_eq!(y.to_bits(), x.to_bits(), "{x:e} as {text}"),
                other => panic!("{x:e} as {text} decodes as {other:?}"),
            }
        }
    }
}
