//! Run-time values. Strings, bytes, lists and maps are reference-counted, so cloning a value
//! is cheap; mutation goes through `Rc::make_mut` (copy-on-write), so appending to a list or
//! map that nobody else holds happens in place. Maps keep insertion order, as GCW does.
//! Lists and maps know how deeply they nest (`nesting.rs`).

use std::fmt;
use std::rc::Rc;

use indexmap::IndexMap;

pub use crate::nesting::{MAX_NESTING, Nested};

/// A map from string keys to values, in insertion order.
pub type Map = IndexMap<Rc<str>, Value, foldhash::fast::FixedState>;

/// A GCW value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A string.
    Str(Rc<str>),
    /// Bytes.
    Bytes(Rc<[u8]>),
    /// A list, with its nesting depth.
    List(Rc<Nested<Vec<Value>>>),
    /// A map, with its nesting depth.
    Map(Rc<Nested<Map>>),
}

impl Value {
    /// A string value.
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(Rc::from(s.as_ref()))
    }

    /// A list value. Its depth is not checked: this is for values whose depth is bounded
    /// otherwise (a JSON or YAML reader's, or a fixed shape); the machine builds lists from
    /// a program's values with [`Value::try_list`].
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(Nested::new(items)))
    }

    /// A map value; like [`Value::list`], its depth is not checked (see [`Value::try_map`]).
    pub fn map(map: Map) -> Value {
        Value::Map(Rc::new(Nested::new(map)))
    }

    /// A list value, or a `ResourceLimitError` when it would nest deeper than
    /// [`MAX_NESTING`]. Out of line: the interpreter loop calls it for every list it builds.
    #[inline(never)]
    pub fn try_list(items: Vec<Value>) -> Result<Value, Value> {
        let list = Nested::new(items);
        crate::nesting::check_depth(list.depth())?;
        Ok(Value::List(Rc::new(list)))
    }

    /// A map value, or a `ResourceLimitError` when it would nest deeper than
    /// [`MAX_NESTING`]. Out of line, like [`Value::try_list`].
    #[inline(never)]
    pub fn try_map(map: Map) -> Result<Value, Value> {
        let map = Nested::new(map);
        crate::nesting::check_depth(map.depth())?;
        Ok(Value::Map(Rc::new(map)))
    }

    /// How deeply lists and maps nest in this value: 0 for a scalar, 1 for an empty list or
    /// map or one of scalars, and so on. Constant time (containers keep their depth).
    #[inline]
    pub fn depth(&self) -> u32 {
        match self {
            Value::List(l) => l.depth(),
            Value::Map(m) => m.depth(),
            _ => 0,
        }
    }

    /// A map from `(key, value)` pairs.
    pub fn from_pairs<'k>(pairs: impl IntoIterator<Item = (&'k str, Value)>) -> Value {
        Value::map(pairs.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
    }

    /// The name `get_type` gives: `null`, `boolean`, `integer`, `double`, `string`, `bytes`,
    /// `list` or `map`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Double(_) => "double",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The number as a double, if this is an int or a double.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(n) => Some(*n as f64),
            Value::Double(x) => Some(*x),
            _ => None,
        }
    }

    /// A field of a map value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }
}

/// Deep equality as GCW's `==`: numbers compare numerically across int and double, maps
/// ignore key order, values of different kinds are unequal.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Int(a), Value::Double(b)) | (Value::Double(b), Value::Int(a)) => (*a as f64) == *b,
            (Value::Double(a), Value::Double(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            // The same shared value is equal to itself without a walk (values built by
            // nesting one value in itself many times would otherwise take exponential time).
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b) || a == b,
            (Value::Map(a), Value::Map(b)) => {
                Rc::ptr_eq(a, b) || (a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w)))
            }
            _ => false,
        }
    }
}

/// Formats a double the way GCW prints it: shortest round-trip digits, and a whole number
/// keeps `.0` (`2.0`, `1.5`, `1e+21`). See `docs/semantics.md`.
pub fn format_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let s = format!("{x:?}");
    s.replace("e", "e+").replace("e+-", "e-")
}

impl Value {
    /// Calls `f` with the text `string()` and `+` give a string, number or boolean; `None`
    /// for other values.
    pub fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> Option<R> {
        Some(match self {
            Value::Str(s) => f(s),
            Value::Int(n) => f(itoa::Buffer::new().format(*n)),
            Value::Double(x) => f(&format_double(*x)),
            Value::Bool(b) => f(if *b { "true" } else { "false" }),
            _ => return None,
        })
    }
}

impl fmt::Display for Value {
    /// The text `string()` and `+` with a string produce; containers print as JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(_) | Value::Int(_) | Value::Double(_) | Value::Str(_) => {
                self.with_text(|text| f.write_str(text)).unwrap_or(Ok(()))
            }
            Value::Bytes(b) => write!(f, "<{} bytes>", b.len()),
            Value::List(_) | Value::Map(_) => match crate::json::to_json(self) {
                Ok(j) => write!(f, "{j}"),
                Err(_) => f.write_str("<unprintable>"),
            },
        }
    }
}
