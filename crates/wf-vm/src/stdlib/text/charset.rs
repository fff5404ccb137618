//! `text.encode` and `text.decode` for the charsets GCW programs use: UTF-8, US-ASCII,
//! ISO-8859-1 and UTF-16 (BE, LE, or with a byte-order mark).

use crate::stdlib::{Args, Call, Context};
use crate::value::Value;

/// A supported character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Ascii,
    Latin1,
    /// UTF-16 with a byte-order mark (big-endian when there is none, as in Java).
    Utf16,
    Utf16Be,
    Utf16Le,
}

/// Looks a charset up by its IANA name or a common alias, ignoring case.
fn charset(c: &Call<'_>, index: usize) -> Result<Charset, Value> {
    let Some(name) = c.opt_str(index, "charset")? else { return Ok(Charset::Utf8) };
    let key: String = name.chars().filter(|ch| !matches!(ch, '-' | '_')).flat_map(char::to_lowercase).collect();
    Ok(match key.as_str() {
        "utf8" => Charset::Utf8,
        "usascii" | "ascii" | "iso646us" => Charset::Ascii,
        "iso88591" | "latin1" | "l1" | "iso885911987" => Charset::Latin1,
        "utf16" => Charset::Utf16,
        "utf16be" => Charset::Utf16Be,
        "utf16le" => Charset::Utf16Le,
        _ => return Err(c.value_err(format!("unsupported charset {name:?}"))),
    })
}

/// `text.decode(data, charset="UTF-8")`: bytes to text; bytes the charset cannot decode
/// become U+FFFD.
pub(in crate::stdlib) fn decode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.decode", args);
    let data = c.bytes(0, "data")?;
    let text = match charset(&c, 1)? {
        Charset::Utf8 => String::from_utf8_lossy(data).into_owned(),
        Charset::Ascii => data.iter().map(|&b| if b.is_ascii() { char::from(b) } else { '\u{fffd}' }).collect(),
        Charset::Latin1 => data.iter().map(|&b| char::from(b)).collect(),
        Charset::Utf16 => match data {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
            [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
            _ => utf16(data, u16::from_be_bytes),
        },
        Charset::Utf16Be => utf16(data, u16::from_be_bytes),
        Charset::Utf16Le => utf16(data, u16::from_le_bytes),
    };
    Ok(Value::str(text))
}

fn utf16(data: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = data.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut text: String = char::decode_utf16(units).map(|r| r.unwrap_or('\u{fffd}')).collect();
    if data.len() % 2 == 1 {
        text.push('\u{fffd}');
    }
    text
}

/// `text.encode(text, charset="UTF-8")`: text to bytes; a character the charset cannot
/// represent is a `ValueError`.
pub(in crate::stdlib) fn encode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("text.encode", args);
    let text = c.str(0, "text")?;
    let single_byte = |limit: u32| -> Result<Vec<u8>, Value> {
        text.chars()
            .map(|ch| {
                u8::try_from(u32::from(ch))
                    .ok()
                    .filter(|b| u32::from(*b) <= limit)
                    .ok_or_else(|| c.value_err(format!("{ch:?} cannot be encoded in the charset")))
            })
            .collect()
    };
    let bytes: Vec<u8> = match charset(&c, 1)? {
        Charset::Utf8 => text.as_bytes().to_vec(),
        Charset::Ascii => single_byte(0x7f)?,
        Charset::Latin1 => single_byte(0xff)?,
        Charset::Utf16 => [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect(),
        Charset::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Charset::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
    };
    Ok(Value::Bytes(bytes.into()))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{b, call, call_opt, fails, s};
    use crate::value::Value;

    #[test]
    fn decodes() {
        assert_eq!(call_opt("text.decode", &[Some(b("é".as_bytes())), None]), Ok(s("é")));
        assert_eq!(call("text.decode", &[b(b"a\xffb"), s("utf-8")]), Ok(s("a\u{fffd}b")));
        assert_eq!(call("text.decode", &[b(b"a\xe9"), s("ISO-8859-1")]), Ok(s("aé")));
        assert_eq!(call("text.decode", &[b(b"a\xe9"), s("US-ASCII")]), Ok(s("a\u{fffd}")));
        assert_eq!(call("text.decode", &[b(b"\xff\xfea\x00"), s("UTF-16")]), Ok(s("a")));
        assert_eq!(call("text.decode", &[b(b"\x00a\x00"), s("UTF-16BE")]), Ok(s("a\u{fffd}")));
        assert_eq!(call("text.decode", &[b(b"\x00\xd8"), s("UTF-16LE")]), Ok(s("\u{fffd}")));
    }

    #[test]
    fn decode_errors() {
        fails(call("text.decode", &[b(b"a"), s("ISO-8859-2")]), "ValueError");
        fails(call("text.decode", &[s("a")]), "TypeError");
        fails(call("text.decode", &[b(b"a"), Value::Int(8)]), "TypeError");
    }

    #[test]
    fn encodes() {
        assert_eq!(call("text.encode", &[s("é")]), Ok(b("é".as_bytes())));
        assert_eq!(call("text.encode", &[s("é"), s("latin1")]), Ok(b(b"\xe9")));
        assert_eq!(call("text.encode", &[s("a"), s("us-ascii")]), Ok(b(b"a")));
        assert_eq!(call("text.encode", &[s("a"), s("UTF-16")]), Ok(b(b"\xfe\xff\x00a")));
        assert_eq!(call("text.encode", &[s("a"), s("UTF-16LE")]), Ok(b(b"a\x00")));
    }

    #[test]
    fn encode_errors() {
        fails(call("text.encode", &[s("é"), s("ASCII")]), "ValueError");
        fails(call("text.encode", &[s("€"), s("ISO-8859-1")]), "ValueError");
        fails(call("text.encode", &[s("a"), s("EBCDIC")]), "ValueError");
        fails(call("text.encode", &[b(b"a")]), "TypeError");
    }
}
