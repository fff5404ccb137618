//! The expression helpers without a module: `default`, `double`, `int`, `string`, `keys`,
//! `len`, `get_type` and `if`.

use super::{Args, Call, Context};
use crate::value::{Value, format_double};

/// `default(value, default_value)`: `value` unless it is null.
pub(super) fn default(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("default", args);
    let value = c.req(0, "value")?;
    let fallback = c.req(1, "default_value")?;
    Ok(if matches!(value, Value::Null) { fallback.clone() } else { value.clone() })
}

/// `double(value)`: a string, integer or double as a double.
pub(super) fn double(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("double", args);
    match c.req(0, "value")? {
        Value::Double(x) => Ok(Value::Double(*x)),
        Value::Int(n) => Ok(Value::Double(*n as f64)),
        Value::Str(s) => {
            parse_double(s).map(Value::Double).ok_or_else(|| c.value_err(format!("cannot convert {s:?} to a double")))
        }
        v => Err(c.wrong("value", "a string or a number", v)),
    }
}

/// Parses a decimal number (`1`, `-2.5`, `.5`, `1e3`); no `inf` or `nan`.
fn parse_double(s: &str) -> Option<f64> {
    let digits = s.trim_start_matches(['+', '-']);
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `int(value)`: a string holding an integer literal, or a double truncated toward zero.
pub(super) fn int(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("int", args);
    match c.req(0, "value")? {
        Value::Int(n) => Ok(Value::Int(*n)),
        Value::Double(x) => double_to_int(x.trunc())
            .map(Value::Int)
            .ok_or_else(|| c.value_err(format!("{} is out of the integer range", format_double(*x)))),
        Value::Str(s) => {
            s.parse::<i64>().map(Value::Int).map_err(|_| c.value_err(format!("cannot convert {s:?} to an integer")))
        }
        v => Err(c.wrong("value", "a string or a number", v)),
    }
}

/// A whole double as an `i64`, if it is finite and in range.
pub(super) fn double_to_int(x: f64) -> Option<i64> {
    // 2^63 is exactly representable; the valid range is [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (x.is_finite() && (-LIMIT..LIMIT).contains(&x)).then_some(x as i64)
}

/// `string(value)`: an integer, double, boolean (or string) as text.
pub(super) fn string(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("string", args);
    match c.req(0, "value")? {
        Value::Str(s) => Ok(Value::Str(s.clone())),
        v => v
            .with_text(|text| Value::str(text))
            .ok_or_else(|| c.wrong("value", "an integer, a double, a boolean or a string", v)),
    }
}

/// `keys(map)`: the keys in map order.
pub(super) fn keys(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("keys", args);
    let map = c.map(0, "map")?;
    Ok(Value::list(map.keys().map(|k| Value::Str(k.clone())).collect()))
}

/// `len(value)`: elements of a list, entries of a map, characters of a string.
pub(super) fn len(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("len", args);
    let n = match c.req(0, "value")? {
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Str(s) => s.chars().count(),
        v => return Err(c.wrong("value", "a list, a map or a string", v)),
    };
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `get_type(value)`: the type name.
pub(super) fn get_type(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("get_type", args);
    Ok(Value::str(c.req(0, "value")?.type_name()))
}

/// `if(condition, if_true, if_false)`: null counts as false.
pub(super) fn if_(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("if", args);
    let condition = match c.req(0, "condition")? {
        Value::Bool(b) => *b,
        Value::Null => false,
        v => return Err(c.wrong("condition", "a boolean or null", v)),
    };
    let if_true = c.req(1, "if_true")?;
    let if_false = c.req(2, "if_false")?;
    Ok(if condition { if_true.clone() } else { if_false.clone() })
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::{Map, Value};

    #[test]
    fn default_replaces_only_null() {
        assert_eq!(call("default", &[Value::Null, Value::Int(3)]), Ok(Value::Int(3)));
        assert_eq!(call("default", &[Value::Bool(false), Value::Int(3)]), Ok(Value::Bool(false)));
    }

    #[test]
    fn double_converts() {
        assert_eq!(call("double", &[s("2.5")]), Ok(Value::Double(2.5)));
        assert_eq!(call("double", &[s("-1e3")]), Ok(Value::Double(-1000.0)));
        assert!(matches!(call("double", &[Value::Int(3)]), Ok(Value::Double(x)) if x == 3.0));
        fails(call("double", &[s("abc")]), "ValueError");
        fails(call("double", &[s("inf")]), "ValueError");
        fails(call("double", &[s("NaN")]), "ValueError");
        fails(call("double", &[s("")]), "ValueError");
        let msg = fails(call("double", &[Value::Null]), "TypeError");
        assert_eq!(msg, "double: `value` must be a string or a number, found null");
    }

    #[test]
    fn int_converts_and_truncates() {
        assert_eq!(call("int", &[s("42")]), Ok(Value::Int(42)));
        assert_eq!(call("int", &[s("-7")]), Ok(Value::Int(-7)));
        assert!(matches!(call("int", &[Value::Double(2.7)]), Ok(Value::Int(2))));
        assert!(matches!(call("int", &[Value::Double(-2.7)]), Ok(Value::Int(-2))));
        fails(call("int", &[s("2.7")]), "ValueError");
        fails(call("int", &[s("abc")]), "ValueError");
        fails(call("int", &[s("99999999999999999999")]), "ValueError");
        fails(call("int", &[Value::Double(f64::NAN)]), "ValueError");
        fails(call("int", &[Value::Double(1e19)]), "ValueError");
        fails(call("int", &[Value::Double(f64::INFINITY)]), "ValueError");
        fails(call("int", &[Value::Bool(true)]), "TypeError");
    }

    #[test]
    fn int_range_edges() {
        assert!(matches!(call("int", &[Value::Double(-(2f64.powi(63)))]), Ok(Value::Int(i64::MIN))));
        fails(call("int", &[Value::Double(2f64.powi(63))]), "ValueError");
    }

    #[test]
    fn string_formats() {
        assert_eq!(call("string", &[Value::Double(1.5)]), Ok(s("1.5")));
        assert_eq!(call("string", &[Value::Double(2.0)]), Ok(s("2.0")));
        assert_eq!(call("string", &[Value::Int(-3)]), Ok(s("-3")));
        assert_eq!(call("string", &[Value::Bool(true)]), Ok(s("true")));
        fails(call("string", &[Value::Null]), "TypeError");
        fails(call("string", &[Value::list(vec![])]), "TypeError");
        fails(call("string", &[Value::map(Map::default())]), "TypeError");
    }

    #[test]
    fn keys_in_map_order() {
        let m = Value::from_pairs([("b", Value::Int(1)), ("a", Value::Int(2))]);
        assert_eq!(call("keys", &[m]), Ok(Value::list(vec![s("b"), s("a")])));
        fails(call("keys", &[Value::list(vec![])]), "TypeError");
    }

    #[test]
    fn len_counts_characters() {
        assert_eq!(call("len", &[s("héllo")]), Ok(Value::Int(5)));
        assert_eq!(call("len", &[Value::list(vec![Value::Null; 3])]), Ok(Value::Int(3)));
        assert_eq!(call("len", &[Value::from_pairs([("a", Value::Null)])]), Ok(Value::Int(1)));
        fails(call("len", &[Value::Int(3)]), "TypeError");
    }

    #[test]
    fn get_type_names() {
        assert_eq!(call("get_type", &[Value::Double(1.0)]), Ok(s("double")));
        assert_eq!(call("get_type", &[Value::Null]), Ok(s("null")));
    }

    #[test]
    fn if_picks_a_branch() {
        assert_eq!(call("if", &[Value::Bool(true), Value::Int(1), Value::Int(2)]), Ok(Value::Int(1)));
        assert_eq!(call("if", &[Value::Bool(false), Value::Int(1), Value::Int(2)]), Ok(Value::Int(2)));
        assert_eq!(call("if", &[Value::Null, Value::Int(1), Value::Int(2)]), Ok(Value::Int(2)));
        fails(call("if", &[Value::Int(1), Value::Int(1), Value::Int(2)]), "TypeError");
    }
}
