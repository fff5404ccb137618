//! The semantics of operators, field access, indexing and path assignment, as GCW defines
//! them. Every failure is a GCW error value (TypeError, KeyError, IndexError, ...).

use std::rc::Rc;

use wf_syntax::BinaryOp;

use crate::error::{error, tags, type_error};
use crate::nesting;
use crate::sizes::{MAX_STRING_BYTES, string_too_long};
use crate::value::Value;

fn overflow() -> Value {
    error(tags::VALUE, "integer overflow")
}

/// A double result, or a `ValueError` when it overflowed to infinity (GCW's doubles are
/// JSON numbers, which have no infinity or NaN; see `docs/semantics.md`).
fn finite(x: f64) -> Result<Value, Value> {
    if x.is_finite() { Ok(Value::Double(x)) } else { Err(error(tags::VALUE, "double overflow")) }
}

/// Appends the text `+` uses for `v`; false for values `+` does not join.
fn push_text(out: &mut String, v: &Value) -> bool {
    v.with_text(|text| out.push_str(text)).is_some()
}

thread_local! {
    /// Where `+` joins two texts before the result gets its own (single) allocation.
    static JOIN_BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Whether [`int_fast_path`] handles `op`.
pub fn has_int_fast_path(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Add | Sub | Mul | Eq | Ne | Lt | Le | Gt | Ge)
}

/// Whether `op` compares (its result is a boolean).
pub fn is_comparison(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Eq | Ne | Lt | Le | Gt | Ge)
}

/// The result of an integer fast path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IntResult {
    /// An arithmetic result.
    Int(i64),
    /// A comparison result.
    Bool(bool),
}

impl From<IntResult> for Value {
    fn from(r: IntResult) -> Value {
        match r {
            IntResult::Int(n) => Value::Int(n),
            IntResult::Bool(b) => Value::Bool(b),
        }
    }
}

/// `a op b` on two ints when it is a plain comparison or cannot overflow; `None` sends the
/// caller to [`binary`] (overflow errors, division, everything else).
#[inline]
pub fn int_fast_path(op: BinaryOp, a: i64, b: i64) -> Option<IntResult> {
    use IntResult::{Bool, Int};
    Some(match op {
        BinaryOp::Add => Int(a.checked_add(b)?),
        BinaryOp::Sub => Int(a.checked_sub(b)?),
        BinaryOp::Mul => Int(a.checked_mul(b)?),
        BinaryOp::Eq => Bool(a == b),
        BinaryOp::Ne => Bool(a != b),
        BinaryOp::Lt => Bool(a < b),
        BinaryOp::Le => Bool(a <= b),
        BinaryOp::Gt => Bool(a > b),
        BinaryOp::Ge => Bool(a >= b),
        _ => return None,
    })
}

/// `a op b` for every binary operator except `and`/`or` (compiled to jumps).
pub fn binary(op: BinaryOp, a: Value, b: Value) -> Result<Value, Value> {
    use Value::{Double as D, Int as I};
    match op {
        BinaryOp::Add => match (&a, &b) {
            (I(x), I(y)) => x.checked_add(*y).map(I).ok_or_else(overflow),
            (I(_) | D(_), I(_) | D(_)) => finite(num(&a) + num(&b)),
            (Value::Str(_), _) | (_, Value::Str(_)) => concat(&a, &b),
            _ => Err(operands("+", &a, &b)),
        },
        BinaryOp::Sub => arith(&a, &b, "-", i64::checked_sub, |x, y| x - y),
        BinaryOp::Mul => arith(&a, &b, "*", i64::checked_mul, |x, y| x * y),
        BinaryOp::Div => {
            numbers(&a, &b, "/")?;
            if num(&b) == 0.0 {
                return Err(error(tags::ZERO_DIVISION, "division by zero"));
            }
            finite(num(&a) / num(&b))
        }
        BinaryOp::FloorDiv => {
            numbers(&a, &b, "//")?;
            if num(&b) == 0.0 {
                return Err(error(tags::ZERO_DIVISION, "division by zero"));
            }
            match (&a, &b) {
                (I(x), I(y)) => x.checked_div_euclid(*y).map(|q| I(floor_div(*x, *y, q))).ok_or_else(overflow),
                _ => finite((num(&a) / num(&b)).floor()),
            }
        }
        BinaryOp::Rem => {
            numbers(&a, &b, "%")?;
            if num(&b) == 0.0 {
                return Err(error(tags::ZERO_DIVISION, "modulo by zero"));
            }
            match (&a, &b) {
                (I(x), I(y)) => {
                    // `i64::MIN % -1` is 0, as in Python and Go (only the quotient overflows).
                    let r = x.wrapping_rem(*y);
                    Ok(I(if r != 0 && ((r < 0) != (*y < 0)) { r + y } else { r }))
                }
                _ => {
                    let (x, y) = (num(&a), num(&b));
                    let r = x % y;
                    Ok(D(if r != 0.0 && ((r < 0.0) != (y < 0.0)) { r + y } else { r }))
                }
            }
        }
        BinaryOp::Eq => Ok(Value::Bool(a == b)),
        BinaryOp::Ne => Ok(Value::Bool(a != b)),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => compare(op, &a, &b),
        BinaryOp::In => contains(&b, &a),
        BinaryOp::And | BinaryOp::Or => match (&a, &b) {
            (Value::Bool(x), Value::Bool(y)) => Ok(Value::Bool(if op == BinaryOp::And { *x && *y } else { *x || *y })),
            _ => Err(operands(op.as_str(), &a, &b)),
        },
    }
}

/// Python-style floor division from the Euclidean quotient.
fn floor_div(x: i64, y: i64, euclid: i64) -> i64 {
    // Euclidean and floor division differ only for a negative divisor with a remainder.
    if y < 0 && x.rem_euclid(y) != 0 { euclid - 1 } else { euclid }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn numbers(a: &Value, b: &Value, op: &str) -> Result<(), Value> {
    match (a, b) {
        (Value::Int(_) | Value::Double(_), Value::Int(_) | Value::Double(_)) => Ok(()),
        _ => Err(operands(op, a, b)),
    }
}

fn arith(
    a: &Value,
    b: &Value,
    op: &str,
    int: fn(i64, i64) -> Option<i64>,
    double: fn(f64, f64) -> f64,
) -> Result<Value, Value> {
    numbers(a, b, op)?;
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int(*x, *y).map(Value::Int).ok_or_else(overflow),
        _ => finite(double(num(a), num(b))),
    }
}

fn concat(a: &Value, b: &Value) -> Result<Value, Value> {
    JOIN_BUFFER.with_borrow_mut(|joined| {
        joined.clear();
        if !push_text(joined, a) || !push_text(joined, b) {
            return Err(operands("+", a, b));
        }
        if joined.len() > MAX_STRING_BYTES {
            joined.clear();
            joined.shrink_to(MAX_STRING_BYTES);
            return Err(string_too_long());
        }
        Ok(Value::Str(Rc::from(joined.as_str())))
    })
}

fn operands(op: &str, a: &Value, b: &Value) -> Value {
    type_error(format!("unsupported operand types for {op}: {} and {}", a.type_name(), b.type_name()))
}

fn compare(op: BinaryOp, a: &Value, b: &Value) -> Result<Value, Value> {
    let ord = match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Int(_) | Value::Double(_), Value::Int(_) | Value::Double(_)) => match num(a).partial_cmp(&num(b)) {
            Some(o) => o,
            None => return Ok(Value::Bool(false)),
        },
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => return Err(operands(op.as_str(), a, b)),
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    Ok(Value::Bool(match op {
        BinaryOp::Lt => ord == Less,
        BinaryOp::Le => ord != Greater,
        BinaryOp::Gt => ord == Greater,
        _ => ord == Equal || ord == Greater,
    }))
}

/// `needle in haystack`.
fn contains(haystack: &Value, needle: &Value) -> Result<Value, Value> {
    Ok(Value::Bool(match haystack {
        Value::List(items) => items.iter().any(|i| i == needle),
        Value::Map(m) => needle.as_str().is_some_and(|k| m.contains_key(k)),
        Value::Str(s) => match needle {
            Value::Str(n) => s.contains(&**n),
            _ => return Err(type_error(format!("`in` a string needs a string, found {}", needle.type_name()))),
        },
        other => {
            return Err(type_error(format!("`in` needs a list or a map on the right, found {}", other.type_name())));
        }
    }))
}

/// `-x`.
pub fn negate(v: Value) -> Result<Value, Value> {
    match v {
        Value::Int(n) => n.checked_neg().map(Value::Int).ok_or_else(overflow),
        Value::Double(x) => Ok(Value::Double(-x)),
        other => Err(type_error(format!("bad operand type for unary -: {}", other.type_name()))),
    }
}

/// `not x`.
pub fn not(v: Value) -> Result<Value, Value> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        other => Err(type_error(format!("`not` needs a boolean, found {}", other.type_name()))),
    }
}

/// `object.key`.
pub fn field(object: &Value, key: &str) -> Result<Value, Value> {
    match object {
        Value::Map(m) => lookup(m, key).cloned().ok_or_else(|| missing_key(key)),
        other => Err(type_error(format!("cannot read field `{key}` of {}", other.type_name()))),
    }
}

/// A map's value for `key`. Small maps (error maps, HTTP responses) are scanned, which
/// skips hashing; keys written by the same program usually share the constant's text, so
/// most comparisons end at the pointer.
#[inline]
pub fn lookup<'m>(m: &'m crate::value::Map, key: &str) -> Option<&'m Value> {
    if m.len() <= 8 {
        let same = |k: &str| std::ptr::eq(k, key) || k == key;
        m.iter().find(|(k, _)| same(k)).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

fn missing_key(key: &str) -> Value {
    error(tags::KEY, format!("key not found: {key}"))
}

/// `object[index]`.
pub fn index(object: &Value, index: &Value) -> Result<Value, Value> {
    match (object, index) {
        (Value::List(items), Value::Int(i)) => {
            usize::try_from(*i).ok().and_then(|i| items.get(i)).cloned().ok_or_else(|| out_of_range(*i, items.len()))
        }
        (Value::Map(m), Value::Str(k)) => lookup(m, k).cloned().ok_or_else(|| missing_key(k)),
        (Value::List(_), other) => {
            Err(type_error(format!("list indices must be integers, found {}", other.type_name())))
        }
        (Value::Map(_), other) => Err(type_error(format!("map keys must be strings, found {}", other.type_name()))),
        (other, _) => Err(type_error(format!("{} cannot be indexed", other.type_name()))),
    }
}

fn out_of_range(i: i64, len: usize) -> Value {
    error(tags::INDEX, format!("list index {i} out of range (length {len})"))
}

/// `root[k1][k2]... = value`: every key but the last must exist; the last may add a map key.
/// A `ResourceLimitError` when the value would nest too deeply (checked before anything
/// changes: the result is at most as deep as the root was, or as the keys plus the value).
pub fn assign_path(root: &mut Value, keys: &[Value], value: Value) -> Result<(), Value> {
    if keys.is_empty() {
        *root = value;
        return Ok(());
    }
    nesting::check_depth(value.depth().saturating_add(keys.len() as u32))?;
    assign_in(root, keys, value)
}

/// Assigns below `cur`, one key per call, so that every container on the way keeps its
/// depth (the path is as long as the expression is deep, which the parser bounds).
fn assign_in(cur: &mut Value, keys: &[Value], value: Value) -> Result<(), Value> {
    let Some((key, rest)) = keys.split_first() else {
        *cur = value;
        return Ok(());
    };
    match (cur, key) {
        (Value::Map(m), Value::Str(k)) if rest.is_empty() => {
            Rc::make_mut(m).insert(k.clone(), value);
            Ok(())
        }
        (Value::Map(m), Value::Str(k)) => match m.get(&**k) {
            None => Err(missing_key(k)),
            Some(_) => Rc::make_mut(m).with_value(k, |child| assign_in(child, rest, value)).unwrap_or(Ok(())),
        },
        (Value::List(items), Value::Int(i)) => {
            let len = items.len();
            let at = usize::try_from(*i).ok().filter(|&i| i < len).ok_or_else(|| out_of_range(*i, len))?;
            let items = Rc::make_mut(items);
            if rest.is_empty() {
                items.set(at, value);
                Ok(())
            } else {
                items.with_item(at, |child| assign_in(child, rest, value)).unwrap_or(Ok(()))
            }
        }
        (other, key) if rest.is_empty() => {
            Err(type_error(format!("cannot assign into {} with a {} key", other.type_name(), key.type_name())))
        }
        (other, key) => Err(type_error(format!("cannot index {} with a {}", other.type_name(), key.type_name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn arithmetic_follows_gcw() {
        assert_eq!(binary(BinaryOp::Add, Value::Int(2), Value::Int(3)), Ok(Value::Int(5)));
        assert_eq!(binary(BinaryOp::Add, s("n="), Value::Int(5)), Ok(s("n=5")));
        assert_eq!(binary(BinaryOp::Add, Value::Bool(true), s("x")), Ok(s("truex")));
        assert_eq!(binary(BinaryOp::Add, s("x"), Value::Double(2.0)), Ok(s("x2.0")));
        assert!(binary(BinaryOp::Add, Value::Bool(true), Value::Int(1)).is_err());
        assert!(binary(BinaryOp::Add, Value::Null, s("x")).is_err());
        assert_eq!(binary(BinaryOp::Div, Value::Int(4), Value::Int(2)), Ok(Value::Double(2.0)));
        assert_eq!(binary(BinaryOp::FloorDiv, Value::Int(-7), Value::Int(2)), Ok(Value::Int(-4)));
        assert_eq!(binary(BinaryOp::FloorDiv, Value::Int(7), Value::Int(-2)), Ok(Value::Int(-4)));
        assert_eq!(binary(BinaryOp::Rem, Value::Int(-7), Value::Int(2)), Ok(Value::Int(1)));
        assert_eq!(binary(BinaryOp::Rem, Value::Int(7), Value::Int(-2)), Ok(Value::Int(-1)));
        assert!(binary(BinaryOp::Div, Value::Int(1), Value::Int(0)).is_err());
        assert!(binary(BinaryOp::Add, Value::Int(i64::MAX), Value::Int(1)).is_err());
        assert!(binary(BinaryOp::FloorDiv, Value::Int(i64::MIN), Value::Int(-1)).is_err());
        assert_eq!(binary(BinaryOp::Eq, Value::Int(1), Value::Double(1.0)), Ok(Value::Bool(true)));
        assert_eq!(binary(BinaryOp::Lt, s("a"), s("b")), Ok(Value::Bool(true)));
        assert!(binary(BinaryOp::Lt, s("a"), Value::Int(1)).is_err());
        assert_eq!(
            binary(BinaryOp::In, Value::Int(2), Value::list(vec![Value::Int(1), Value::Int(2)])),
            Ok(Value::Bool(true))
        );
    }

    #[test]
    fn paths_are_assigned_copy_on_write() {
        let inner = Value::from_pairs([("b", Value::list(vec![Value::Int(1), Value::Int(2)]))]);
        let mut root = Value::from_pairs([("a", inner)]);
        let before = root.clone();
        assign_path(&mut root, &[s("a"), s("b"), Value::Int(1)], Value::Int(9)).unwrap();
        assert_eq!(index(&field(&field(&root, "a").unwrap(), "b").unwrap(), &Value::Int(1)), Ok(Value::Int(9)));
        assert_eq!(index(&field(&field(&before, "a").unwrap(), "b").unwrap(), &Value::Int(1)), Ok(Value::Int(2)));
        assign_path(&mut root, &[s("a"), s("new")], Value::Null).unwrap();
        assert!(assign_path(&mut root, &[s("missing"), s("x")], Value::Null).is_err());
        assert!(assign_path(&mut root, &[s("a"), s("b"), Value::Int(5)], Value::Null).is_err());
    }

    #[test]
    fn paths_keep_the_depth_and_refuse_too_deep_values_before_changing() {
        let mut root = Value::from_pairs([("a", Value::from_pairs([("b", Value::list(vec![Value::Int(1)]))]))]);
        assert_eq!(root.depth(), 3);
        assign_path(&mut root, &[s("a"), s("b"), Value::Int(0)], Value::list(vec![Value::list(vec![])])).unwrap();
        assert_eq!(root.depth(), 5);
        assign_path(&mut root, &[s("a"), s("b")], Value::Null).unwrap();
        assert_eq!(root.depth(), 2);
        let mut deep = Value::Null;
        for _ in 0..crate::nesting::MAX_NESTING - 1 {
            deep = Value::list(vec![deep]);
        }
        let before = root.clone();
        let e = assign_path(&mut root, &[s("a"), s("b")], deep.clone()).unwrap_err();
        assert_eq!(field(&e, "tags"), Ok(Value::list(vec![s(tags::RESOURCE_LIMIT)])));
        assert_eq!(root, before);
        assign_path(&mut root, &[s("a")], deep).unwrap();
        assert_eq!(root.depth(), crate::nesting::MAX_NESTING);
    }
}
