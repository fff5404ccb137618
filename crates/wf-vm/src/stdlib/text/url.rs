//! `text.url_encode`, `text.url_encode_plus` and `text.url_decode`.

use std::fmt::Write as _;

use crate::stdlib::{Args, Call, Context};
use crate::value::Value;

/// Percent-encodes the UTF-8 of `source`, keeping only letters, digits and `.-_`.
fn percent_encode(source: &str, space_as_plus: bool) -> String {
    let mut out = String::with_capacity(source.len());
    for &b in source.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => out.push(char::from(b)),
            b' ' if space_as_plus => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `text.url_encode(source)`: percent-encoding with space as `%20`.
pub(in crate::stdlib) fn url_encode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.url_encode", args);
    Ok(Value::str(percent_encode(c.str(0, "source")?, false)))
}

/// `text.url_encode_plus(source)`: percent-encoding with space as `+`.
pub(in crate::stdlib) fn url_encode_plus(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.url_encode_plus", args);
    Ok(Value::str(percent_encode(c.str(0, "source")?, true)))
}

/// `text.url_decode(source)`: `%XX` to bytes and `+` to space, then UTF-8 (bad sequences
/// become U+FFFD); a `%` without two hex digits is a `ValueError`.
pub(in crate::stdlib) fn url_decode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.url_decode", args);
    let source = c.str(0, "source")?.as_bytes();
    let mut out = Vec::with_capacity(source.len());
    let mut i = 0;
    while let Some(&b) = source.get(i) {
        match b {
            b'%' => {
                let hex = |j: usize| source.get(j).and_then(|d| char::from(*d).to_digit(16));
                match (hex(i + 1), hex(i + 2)) {
                    (Some(hi), Some(lo)) => out.push(u8::try_from(hi * 16 + lo).unwrap_or(0)),
                    _ => return Err(c.value_err(format!("`%` at byte {i} is not followed by two hexadecimal digits"))),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(Value::str(String::from_utf8_lossy(&out)))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    #[test]
    fn encodes() {
        assert_eq!(call("text.url_encode", &[s("a/b/c?item=d+e f")]), Ok(s("a%2Fb%2Fc%3Fitem%3Dd%2Be%20f")));
        assert_eq!(call("text.url_encode", &[s("aZ09-_.~*é")]), Ok(s("aZ09-_.%7E%2A%C3%A9")));
        assert_eq!(call("text.url_encode_plus", &[s("a b+c")]), Ok(s("a+b%2Bc")));
        fails(call("text.url_encode", &[Value::Int(1)]), "TypeError");
        fails(call("text.url_encode_plus", &[Value::Null]), "TypeError");
    }

    #[test]
    fn decodes() {
        assert_eq!(call("text.url_decode", &[s("a%2Fb%2Fc%3Fitem%3Dd%2Be")]), Ok(s("a/b/c?item=d+e")));
        assert_eq!(call("text.url_decode", &[s("a+b%20c%c3%A9")]), Ok(s("a b cé")));
        assert_eq!(call("text.url_decode", &[s("%ff")]), Ok(s("\u{fffd}")));
        assert_eq!(call("text.url_decode", &[s("é")]), Ok(s("é")));
    }

    #[test]
    fn decode_errors() {
        fails(call("text.url_decode", &[s("100%")]), "ValueError");
        fails(call("text.url_decode", &[s("%4")]), "ValueError");
        fails(call("text.url_decode", &[s("%zz")]), "ValueError");
        fails(call("text.url_decode", &[s("%é9")]), "ValueError");
        fails(call("text.url_decode", &[Value::Int(1)]), "TypeError");
    }
}
