//! `json.decode`, `json.encode` and `json.encode_to_string`.

use serde_json::Value as Json;

use super::{Args, Call, Context};
use crate::error::{error, tags};
use crate::json::{check_json, from_json};
use crate::nesting::MAX_NESTING;
use crate::sizes::Bounded;
use crate::value::Value;

/// `json.decode(data)`: JSON text or UTF-8 bytes (bad bytes become U+FFFD) to a value.
pub(super) fn decode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("json.decode", args);
    let text = match c.req(0, "data")? {
        Value::Str(s) => std::borrow::Cow::Borrowed(&**s),
        Value::Bytes(b) => String::from_utf8_lossy(b),
        v => return Err(c.wrong("data", "bytes or a string", v)),
    };
    if crate::json::nests_deeper_than(&text, MAX_NESTING) {
        return Err(error(
            tags::RESOURCE_LIMIT,
            format!("json.decode: the JSON nests arrays and objects more than {MAX_NESTING} levels deep"),
        ));
    }
    match serde_json::from_str::<Json>(&text) {
        Ok(j) => Ok(from_json(&j)),
        Err(e) => Err(c.value_err(format!("invalid JSON: {e}"))),
    }
}

/// `json.encode(data, indent?)`: a value as UTF-8 JSON bytes.
pub(super) fn encode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let text = encode_text(Call::new("json.encode", args), Bounded::bytes())?;
    Ok(Value::Bytes(text.into_bytes().into()))
}

/// `json.encode_to_string(data, indent?)`: a value as a JSON string.
pub(super) fn encode_to_string(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    Ok(Value::str(encode_text(Call::new("json.encode_to_string", args), Bounded::string())?))
}

/// How to lay out encoded JSON.
struct Layout<'a> {
    prefix: &'a str,
    indent: &'a str,
}

/// The default `indent` string when indentation is on.
const DEFAULT_INDENT: &str = "    ";

/// The JSON text of the call's `data`, written into `out`, which stops it at the result's
/// size limit (a prefix and indent repeat on every line, so the text can be far larger
/// than the value).
fn encode_text(c: Call<'_>, mut out: Bounded) -> Result<String, Value> {
    let data = c.req(0, "data")?;
    let layout = layout(&c)?;
    // Values that cannot be JSON (bytes, NaN) are a ValueError, as GCW documents.
    check_json(data).map_err(|e| {
        if crate::error::has_tag(&e, tags::RESOURCE_LIMIT) {
            return e;
        }
        c.value_err(e.get("message").and_then(Value::as_str).unwrap_or("cannot encode"))
    })?;
    write_json(data, layout.as_ref(), 0, &mut out)?;
    Ok(out.finish())
}

/// Reads `indent`: absent, null or false = compact; true = 4 spaces; a map
/// `{prefix?, indent?}` of strings.
fn layout<'a>(c: &Call<'a>) -> Result<Option<Layout<'a>>, Value> {
    match c.opt(1) {
        None | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(Layout { prefix: "", indent: DEFAULT_INDENT })),
        Some(Value::Map(m)) => {
            let field = |key: &str, default: &'a str| match m.get(key) {
                None | Some(Value::Null) => Ok(default),
                Some(Value::Str(s)) => Ok(&**s),
                Some(v) => Err(c.wrong(&format!("indent.{key}"), "a string", v)),
            };
            // `m` lives as long as the arguments, so the strings may be borrowed.
            Ok(Some(Layout { prefix: field("prefix", "")?, indent: field("indent", DEFAULT_INDENT)? }))
        }
        Some(v) => Err(c.wrong("indent", "a boolean or a map", v)),
    }
}

/// Writes `v` (which [`check_json`] accepted) as JSON: compact without a layout; with one,
/// each element on a new line that starts with the prefix and one indent per nesting level
/// (the first line has neither, like Go's `MarshalIndent`).
fn write_json(v: &Value, layout: Option<&Layout<'_>>, depth: usize, out: &mut Bounded) -> Result<(), Value> {
    let newline = |out: &mut Bounded, depth: usize| -> Result<(), Value> {
        if let Some(layout) = layout {
            out.push('\n')?;
            out.push_str(layout.prefix)?;
            for _ in 0..depth {
                out.push_str(layout.indent)?;
            }
        }
        Ok(())
    };
    let colon = if layout.is_some() { ": " } else { ":" };
    match v {
        Value::List(items) if !items.is_empty() => {
            out.push('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',')?;
                }
                newline(out, depth + 1)?;
                write_json(item, layout, depth + 1, out)?;
            }
            newline(out, depth)?;
            out.push(']')
        }
        Value::Map(fields) if !fields.is_empty() => {
            out.push('{')?;
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',')?;
                }
                newline(out, depth + 1)?;
                write_string(key, out)?;
                out.push_str(colon)?;
                write_json(value, layout, depth + 1, out)?;
            }
            newline(out, depth)?;
            out.push('}')
        }
        Value::List(_) => out.push_str("[]"),
        Value::Map(_) => out.push_str("{}"),
        Value::Str(s) => write_string(s, out),
        Value::Null | Value::Bytes(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Double(x) => {
            out.push_str(&serde_json::Number::from_f64(*x).map_or_else(|| "null".into(), |n| n.to_string()))
        }
    }
}

/// A JSON string literal, escaped as serde_json escapes it.
fn write_string(s: &str, out: &mut Bounded) -> Result<(), Value> {
    out.push_str(&serde_json::to_string(s).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{b, call, call_opt, fails, s};
    use crate::value::Value;

    fn sample() -> Value {
        Value::from_pairs([
            ("z", Value::Int(1)),
            ("a", Value::list(vec![Value::Bool(true), Value::Null, Value::Double(1.5)])),
            ("e", Value::list(vec![])),
        ])
    }

    #[test]
    fn decodes_text_and_bytes() {
        let v = call("json.decode", &[s(r#"{"b": [1, 2.5, "x"], "a": null}"#)]).expect("decode");
        assert_eq!(call("keys", std::slice::from_ref(&v)), Ok(Value::list(vec![s("b"), s("a")])));
        assert!(matches!(v.get("b").and_then(Value::as_list).map(|l| &l[0]), Some(Value::Int(1))));
        assert_eq!(call("json.decode", &[b(b"[true]")]), Ok(Value::list(vec![Value::Bool(true)])));
        assert_eq!(call("json.decode", &[b(b"\"\xff\"")]), Ok(s("\u{fffd}")));
    }

    #[test]
    fn decode_errors() {
        fails(call("json.decode", &[s("{")]), "ValueError");
        fails(call("json.decode", &[s("")]), "ValueError");
        fails(call("json.decode", &[s("[1] 2")]), "ValueError");
        fails(call("json.decode", &[Value::Int(1)]), "TypeError");
        // Deeper than the machine nests values: a resource limit, before parsing.
        let deep = "[".repeat(10_000);
        fails(call("json.decode", &[s(&deep)]), "ResourceLimitError");
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        fails(call("json.decode", &[s(&nested(101))]), "ResourceLimitError");
        let deepest = call("json.decode", &[s(&nested(100))]).expect("100 levels decode");
        assert_eq!(deepest.depth(), 100);
    }

    #[test]
    fn encodes_compact_in_map_order() {
        assert_eq!(call("json.encode_to_string", &[sample()]), Ok(s(r#"{"z":1,"a":[true,null,1.5],"e":[]}"#)));
        assert_eq!(call("json.encode", &[s("é")]), Ok(b("\"é\"".as_bytes())));
        assert_eq!(
            call("json.encode_to_string", &[sample(), Value::Bool(false)]),
            call("json.encode_to_string", &[sample()])
        );
        assert_eq!(call_opt("json.encode_to_string", &[Some(Value::Int(1)), Some(Value::Null)]), Ok(s("1")));
    }

    #[test]
    fn encodes_indented() {
        let expected =
            "{\n    \"z\": 1,\n    \"a\": [\n        true,\n        null,\n        1.5\n    ],\n    \"e\": []\n}";
        assert_eq!(call("json.encode_to_string", &[sample(), Value::Bool(true)]), Ok(s(expected)));
        let layout = Value::from_pairs([("prefix", s("> ")), ("indent", s("\t"))]);
        let got = call("json.encode_to_string", &[Value::list(vec![Value::Int(1)]), layout]);
        assert_eq!(got, Ok(s("[\n> \t1\n> ]")));
        let only_prefix = Value::from_pairs([("prefix", s("#"))]);
        let got = call("json.encode_to_string", &[Value::list(vec![Value::Int(1)]), only_prefix]);
        assert_eq!(got, Ok(s("[\n#    1\n#]")));
    }

    #[test]
    fn encode_errors() {
        fails(call("json.encode", &[b(b"x")]), "ValueError");
        fails(call("json.encode_to_string", &[Value::list(vec![Value::Double(f64::NAN)])]), "ValueError");
        fails(call("json.encode", &[Value::Int(1), s("yes")]), "TypeError");
        let bad = Value::from_pairs([("indent", Value::Int(2))]);
        fails(call("json.encode", &[Value::Int(1), bad]), "TypeError");
    }
}
