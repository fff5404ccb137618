//! The `text` module: searching, splitting, case, URL escaping and charsets. Indexes count
//! characters (code points), not bytes. Regular expressions are in [`regex_fns`].

mod charset;
mod regex_fns;
mod url;

pub(super) use charset::{decode, encode};
pub(super) use regex_fns::{find_all_regex, match_regex, replace_all_regex};
pub(super) use url::{url_decode, url_encode, url_encode_plus};

use super::{Args, Call, Context};
use crate::sizes::check_string_len;
use crate::value::Value;

/// An index as a GCW integer.
fn int(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Converts increasing byte offsets in `source` to character indexes in one pass.
struct CharIndexer<'a> {
    source: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharIndexer<'a> {
    fn new(source: &'a str) -> CharIndexer<'a> {
        CharIndexer { source, byte: 0, chars: 0 }
    }

    /// The character index of byte offset `to` (a char boundary, not before the last one).
    fn index(&mut self, to: usize) -> usize {
        if let Some(between) = self.source.get(self.byte..to) {
            self.chars += between.chars().count();
            self.byte = to;
        }
        self.chars
    }
}

/// `text.find_all(source, substr)`: the character indexes of the non-overlapping
/// occurrences of `substr`, leftmost first.
pub(super) fn find_all(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.find_all", args);
    let source = c.str(0, "source")?;
    let substr = c.str(1, "substr")?;
    let mut indexer = CharIndexer::new(source);
    Ok(Value::list(source.match_indices(substr).map(|(at, _)| int(indexer.index(at))).collect()))
}

/// `text.replace_all(source, substr, repl)`: every occurrence of `substr` replaced. The
/// result's length is computed from the number of occurrences before it is built.
pub(super) fn replace_all(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.replace_all", args);
    let source = c.str(0, "source")?;
    let substr = c.str(1, "substr")?;
    let repl = c.str(2, "repl")?;
    let count = source.match_indices(substr).count();
    let len = (source.len() - count * substr.len()).checked_add(count.saturating_mul(repl.len()));
    check_string_len(len)?;
    Ok(Value::str(source.replace(substr, repl)))
}

/// `text.split(source, separator)`: the pieces between separators; an empty separator
/// splits into characters.
pub(super) fn split(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.split", args);
    let source = c.str(0, "source")?;
    let separator = c.str(1, "separator")?;
    let parts: Vec<Value> = if separator.is_empty() {
        source.chars().map(|ch| Value::str(ch.encode_utf8(&mut [0; 4]))).collect()
    } else {
        source.split(separator).map(Value::str).collect()
    };
    Ok(Value::list(parts))
}

/// `text.substring(source, start, end)`: characters `start..end`; a negative index counts
/// from the end, and indexes are clamped to the string.
pub(super) fn substring(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.substring", args);
    let source = c.str(0, "source")?;
    let start = c.int(1, "start")?;
    let end = c.int(2, "end")?;
    let len = i64::try_from(source.chars().count()).unwrap_or(i64::MAX);
    let clamp = |i: i64| if i < 0 { i.saturating_add(len).max(0) } else { i.min(len) };
    let (start, end) = (clamp(start), clamp(end));
    if start >= end {
        return Ok(Value::str(""));
    }
    let (start, end) = (usize::try_from(start).unwrap_or(0), usize::try_from(end).unwrap_or(0));
    Ok(Value::str(source.chars().skip(start).take(end - start).collect::<String>()))
}

/// `text.to_lower(source)`.
pub(super) fn to_lower(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    Ok(Value::str(Call::new("text.to_lower", args).str(0, "source")?.to_lowercase()))
}

/// `text.to_upper(source)`.
pub(super) fn to_upper(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    Ok(Value::str(Call::new("text.to_upper", args).str(0, "source")?.to_uppercase()))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    fn ints(v: &[i64]) -> Value {
        Value::list(v.iter().map(|n| Value::Int(*n)).collect())
    }

    fn strs(v: &[&str]) -> Value {
        Value::list(v.iter().map(|x| s(x)).collect())
    }

    #[test]
    fn find_all_gives_character_indexes() {
        assert_eq!(call("text.find_all", &[s("00000"), s("00")]), Ok(ints(&[0, 2])));
        assert_eq!(call("text.find_all", &[s("Hello World"), s("l")]), Ok(ints(&[2, 3, 9])));
        assert_eq!(call("text.find_all", &[s("ééaéa"), s("a")]), Ok(ints(&[2, 4])));
        assert_eq!(call("text.find_all", &[s("abc"), s("x")]), Ok(ints(&[])));
        assert_eq!(call("text.find_all", &[s("ab"), s("")]), Ok(ints(&[0, 1, 2])));
        fails(call("text.find_all", &[s("abc"), Value::Int(1)]), "TypeError");
        fails(call("text.find_all", &[Value::Null, s("a")]), "TypeError");
    }

    #[test]
    fn replace_all_is_literal() {
        assert_eq!(call("text.replace_all", &[s("a.b.c"), s("."), s("$0")]), Ok(s("a$0b$0c")));
        assert_eq!(call("text.replace_all", &[s("aaa"), s("aa"), s("b")]), Ok(s("ba")));
        fails(call("text.replace_all", &[s("a"), s("a"), Value::Int(1)]), "TypeError");
    }

    #[test]
    fn split_pieces() {
        assert_eq!(call("text.split", &[s("a,b,,c"), s(",")]), Ok(strs(&["a", "b", "", "c"])));
        assert_eq!(call("text.split", &[s(""), s(",")]), Ok(strs(&[""])));
        assert_eq!(call("text.split", &[s("héj"), s("")]), Ok(strs(&["h", "é", "j"])));
        assert_eq!(call("text.split", &[s("a--b"), s("--")]), Ok(strs(&["a", "b"])));
        let msg = fails(call("text.split", &[s("a"), Value::Int(1)]), "TypeError");
        assert_eq!(msg, "text.split: `separator` must be a string, found integer");
    }

    #[test]
    fn substring_clamps_and_counts_from_the_end() {
        let sub = |a: i64, b: i64| call("text.substring", &[s("hello"), Value::Int(a), Value::Int(b)]);
        assert_eq!(sub(2, 4), Ok(s("ll")));
        assert_eq!(sub(-10, 10), Ok(s("hello")));
        assert_eq!(sub(-3, -1), Ok(s("ll")));
        assert_eq!(sub(4, 2), Ok(s("")));
        assert_eq!(sub(i64::MIN, i64::MAX), Ok(s("hello")));
        assert_eq!(call("text.substring", &[s("héllo"), Value::Int(1), Value::Int(2)]), Ok(s("é")));
        fails(call("text.substring", &[s("a"), Value::Double(1.0), Value::Int(2)]), "TypeError");
        fails(call("text.substring", &[Value::Int(1), Value::Int(1), Value::Int(2)]), "TypeError");
    }

    #[test]
    fn case() {
        assert_eq!(call("text.to_lower", &[s("ÀBc")]), Ok(s("àbc")));
        assert_eq!(call("text.to_upper", &[s("straße")]), Ok(s("STRASSE")));
        fails(call("text.to_lower", &[Value::Int(1)]), "TypeError");
        fails(call("text.to_upper", &[Value::Null]), "TypeError");
    }
}
