//! `base64.encode` and `base64.decode` (standard alphabet).

use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{Args, Call, Context};
use crate::value::Value;

/// Emits `=` padding; decoding requires canonical padding.
const PADDED: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Emits no padding; decoding accepts input with or without it.
const UNPADDED: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `base64.encode(data, padding=true)`: bytes (or a string, as UTF-8) to base64 text.
pub(super) fn encode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("base64.encode", args);
    let data: &[u8] = match c.req(0, "data")? {
        Value::Bytes(b) => b,
        Value::Str(s) => s.as_bytes(),
        v => return Err(c.wrong("data", "bytes or a string", v)),
    };
    let engine = if c.opt_bool(1, "padding", true)? { PADDED } else { UNPADDED };
    Ok(Value::str(engine.encode(data)))
}

/// `base64.decode(data, padding=true)`: base64 text to bytes; `\r` and `\n` are ignored.
pub(super) fn decode(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("base64.decode", args);
    let data = c.str(0, "data")?;
    let engine = if c.opt_bool(1, "padding", true)? { PADDED } else { UNPADDED };
    let cleaned: Vec<u8> = data.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    match engine.decode(&cleaned) {
        Ok(bytes) => Ok(Value::Bytes(bytes.into())),
        Err(e) => Err(c.value_err(format!("invalid base64 input: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{b, call, fails, s};
    use crate::value::Value;

    #[test]
    fn encodes_with_and_without_padding() {
        assert_eq!(call("base64.encode", &[b(b"f")]), Ok(s("Zg==")));
        assert_eq!(call("base64.encode", &[b(b"f"), Value::Bool(false)]), Ok(s("Zg")));
        assert_eq!(call("base64.encode", &[s("Hello World")]), Ok(s("SGVsbG8gV29ybGQ=")));
        assert_eq!(call("base64.encode", &[b(b"")]), Ok(s("")));
        fails(call("base64.encode", &[Value::Int(1)]), "TypeError");
        fails(call("base64.encode", &[b(b"x"), s("yes")]), "TypeError");
    }

    #[test]
    fn decodes() {
        assert_eq!(call("base64.decode", &[s("SGVsbG8gV29ybGQ=")]), Ok(b(b"Hello World")));
        assert_eq!(call("base64.decode", &[s("SGVs\r\nbG8=")]), Ok(b(b"Hello")));
        assert_eq!(call("base64.decode", &[s("Zg"), Value::Bool(false)]), Ok(b(b"f")));
        assert_eq!(call("base64.decode", &[s("Zg=="), Value::Bool(false)]), Ok(b(b"f")));
        fails(call("base64.decode", &[b(&[0xff, 0x00])]), "TypeError");
    }

    #[test]
    fn bad_input_is_a_value_error() {
        fails(call("base64.decode", &[s("Zg")]), "ValueError");
        fails(call("base64.decode", &[s("not base64!")]), "ValueError");
        fails(call("base64.decode", &[s("Zg=")]), "ValueError");
        fails(call("base64.decode", &[Value::Int(3)]), "TypeError");
    }
}
