//! `uuid.generate`: a version 4 UUID from the driver's seeded random numbers.

use std::fmt::Write as _;

use super::{Args, Context};
use crate::value::Value;

/// `uuid.generate()`: a lower-case, hyphenated random (version 4, RFC 4122 variant) UUID.
pub(super) fn generate(_: Args<'_>, ctx: &mut dyn Context) -> Result<Value, Value> {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&ctx.random_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&ctx.random_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{b:02x}");
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::TestCtx;
    use crate::stdlib::{Args, native};
    use crate::value::Value;

    #[test]
    fn version_and_variant_bits() {
        let f = native("uuid.generate").expect("native");
        let mut ctx = TestCtx::default();
        let mut seen = Vec::new();
        for _ in 0..50 {
            let Ok(Value::Str(u)) = f(Args::new(&[]), &mut ctx) else { panic!("not a string") };
            let chars: Vec<char> = u.chars().collect();
            assert_eq!(chars.len(), 36);
            for i in [8, 13, 18, 23] {
                assert_eq!(chars[i], '-');
            }
            assert_eq!(chars[14], '4');
            assert!(matches!(chars[19], '8' | '9' | 'a' | 'b'), "{u}");
            assert!(u.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
            seen.push(u.to_string());
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 50);
    }

    #[test]
    fn deterministic_for_a_seed() {
        let f = native("uuid.generate").expect("native");
        let a = f(Args::new(&[]), &mut TestCtx::default());
        let b = f(Args::new(&[]), &mut TestCtx::default());
        assert_eq!(a, b);
    }
}
