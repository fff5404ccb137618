//! How large the strings and bytes the machine builds may grow, checked before the cost:
//! every operator and standard-library function that makes a string or bytes value either
//! predicts the result's length and checks it first, or builds the result in a [`Bounded`]
//! buffer that refuses to grow past the limit. Either way a result past the limit is GCW's
//! `ResourceLimitError`, never an allocation of gigabytes, and never a success.

use crate::error::{error, tags};
use crate::value::Value;

/// Longest string a value may hold (GCW's 256 KB).
pub const MAX_STRING_BYTES: usize = 256 * 1024;

/// Largest bytes value the standard library builds (`json.encode`, `text.encode`): 2 MB,
/// the largest bytes value GCW itself hands a workflow (an HTTP response body). GCW
/// documents no limit of its own for bytes (see `docs/semantics.md`, Limits).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The `ResourceLimitError` of a string result longer than [`MAX_STRING_BYTES`].
pub fn string_too_long() -> Value {
    error(tags::RESOURCE_LIMIT, "string longer than 256 KB")
}

/// The `ResourceLimitError` of a bytes result larger than [`MAX_BYTES`].
pub fn bytes_too_large() -> Value {
    error(tags::RESOURCE_LIMIT, "bytes value larger than 2 MB")
}

/// Checks a string result's length, predicted before the string is built (`None` is a
/// prediction that overflowed `usize`, which is past the limit too).
pub fn check_string_len(len: Option<usize>) -> Result<(), Value> {
    match len {
        Some(n) if n <= MAX_STRING_BYTES => Ok(()),
        _ => Err(string_too_long()),
    }
}

/// Checks a finished result of a native function: a string or bytes value past its limit
/// is an error. Functions whose result can grow faster than their arguments bound it while
/// building; this catches the ones that grow by a small factor (case mapping, URL
/// escaping, base64, charsets), so that no function returns an oversized value.
pub fn check_result(v: Value) -> Result<Value, Value> {
    match &v {
        Value::Str(s) if s.len() > MAX_STRING_BYTES => Err(string_too_long()),
        Value::Bytes(b) if b.len() > MAX_BYTES => Err(bytes_too_large()),
        _ => Ok(v),
    }
}

/// A text buffer that never holds more than `max` bytes: a push that would pass it fails
/// (with the limit's error) and leaves the buffer as it was.
#[derive(Debug)]
pub struct Bounded {
    text: String,
    max: usize,
    too_large: fn() -> Value,
}

impl Bounded {
    /// A buffer for a string result ([`MAX_STRING_BYTES`]).
    pub fn string() -> Bounded {
        Bounded { text: String::new(), max: MAX_STRING_BYTES, too_large: string_too_long }
    }

    /// A buffer for text that becomes a bytes result ([`MAX_BYTES`]).
    pub fn bytes() -> Bounded {
        Bounded { text: String::new(), max: MAX_BYTES, too_large: bytes_too_large }
    }

    /// Appends `s`, or fails if the buffer would pass its limit.
    pub fn push_str(&mut self, s: &str) -> Result<(), Value> {
        if s.len() > self.max - self.text.len() {
            return Err((self.too_large)());
        }
        self.text.push_str(s);
        Ok(())
    }

    /// Appends one character.
    pub fn push(&mut self, c: char) -> Result<(), Value> {
        self.push_str(c.encode_utf8(&mut [0; 4]))
    }

    /// The bytes written so far.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The text.
    pub fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(v: &Value) -> String {
        v.get("tags").and_then(Value::as_list).and_then(|t| t.first()).and_then(Value::as_str).unwrap().to_string()
    }

    #[test]
    fn a_bounded_buffer_stops_at_its_limit_and_keeps_what_it_had() {
        let mut b = Bounded::string();
        let chunk = "x".repeat(100 * 1024);
        b.push_str(&chunk).unwrap();
        b.push_str(&chunk).unwrap();
        let e = b.push_str(&chunk).unwrap_err();
        assert_eq!(tag(&e), "ResourceLimitError");
        assert_eq!(b.len(), 200 * 1024);
        b.push_str(&"y".repeat(56 * 1024)).unwrap();
        assert_eq!(b.len(), MAX_STRING_BYTES);
        assert!(b.push('z').is_err());
        assert_eq!(b.finish().len(), MAX_STRING_BYTES);
    }

    #[test]
    fn results_past_their_limit_are_errors() {
        assert!(check_result(Value::str("x".repeat(MAX_STRING_BYTES))).is_ok());
        assert!(check_result(Value::str("x".repeat(MAX_STRING_BYTES + 1))).is_err());
        assert!(check_result(Value::Bytes(vec![0; MAX_BYTES].into())).is_ok());
        let e = check_result(Value::Bytes(vec![0; MAX_BYTES + 1].into())).unwrap_err();
        assert_eq!(tag(&e), "ResourceLimitError");
        assert!(check_string_len(None).is_err());
        assert!(check_string_len(Some(MAX_STRING_BYTES)).is_ok());
    }
}
