//! Plain-scalar resolution: the YAML 1.2 core schema, restricted to the boolean spellings GCW
//! documents (`yes`/`no`/`on`/`off` stay strings).

use super::ScalarKind;

/// Whether a plain scalar that looks like an integer overflowed 64 bits.
pub(crate) enum Resolved {
    Kind(ScalarKind),
    IntOverflow,
}

/// Resolves the text of a *plain* scalar.
pub(crate) fn resolve_plain(text: &str) -> Resolved {
    let kind = match text {
        "" | "~" | "null" | "Null" | "NULL" => ScalarKind::Null,
        "true" | "True" | "TRUE" => ScalarKind::Bool(true),
        "false" | "False" | "FALSE" => ScalarKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => ScalarKind::Double(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => ScalarKind::Double(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => ScalarKind::Double(f64::NAN),
        _ => return resolve_number(text),
    };
    Resolved::Kind(kind)
}

fn resolve_number(text: &str) -> Resolved {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else { return Resolved::Kind(ScalarKind::Str) };
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Resolved::Kind(ScalarKind::Str);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix_int(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return radix_int(oct, 8);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(n) => Resolved::Kind(ScalarKind::Int(n)),
            Err(_) => Resolved::IntOverflow,
        };
    }
    if is_core_float(digits)
        && let Ok(x) = text.parse::<f64>()
    {
        return Resolved::Kind(ScalarKind::Double(x));
    }
    Resolved::Kind(ScalarKind::Str)
}

fn radix_int(digits: &str, radix: u32) -> Resolved {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Resolved::Kind(ScalarKind::Str);
    }
    match i64::from_str_radix(digits, radix) {
        Ok(n) => Resolved::Kind(ScalarKind::Int(n)),
        Err(_) => Resolved::IntOverflow,
    }
}

/// `( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(frac) => all_digits(int_part) && all_digits(frac) && !(int_part.is_empty() && frac.is_empty()),
        None => !int_part.is_empty() && all_digits(int_part),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<ScalarKind> {
        match resolve_plain(text) {
            Resolved::Kind(k) => Some(k),
            Resolved::IntOverflow => None,
        }
    }

    #[test]
    fn core_schema_with_gcw_booleans() {
        assert_eq!(kind("1"), Some(ScalarKind::Int(1)));
        assert_eq!(kind("-17"), Some(ScalarKind::Int(-17)));
        assert_eq!(kind("0x1F"), Some(ScalarKind::Int(31)));
        assert_eq!(kind("1.25"), Some(ScalarKind::Double(1.25)));
        assert_eq!(kind("1e3"), Some(ScalarKind::Double(1000.0)));
        assert_eq!(kind("1."), Some(ScalarKind::Double(1.0)));
        assert_eq!(kind("True"), Some(ScalarKind::Bool(true)));
        assert_eq!(kind("FALSE"), Some(ScalarKind::Bool(false)));
        assert_eq!(kind("yes"), Some(ScalarKind::Str));
        assert_eq!(kind("off"), Some(ScalarKind::Str));
        assert_eq!(kind("~"), Some(ScalarKind::Null));
        assert_eq!(kind("1_000"), Some(ScalarKind::Str));
        assert_eq!(kind("."), Some(ScalarKind::Str));
        assert_eq!(kind("1.2.3"), Some(ScalarKind::Str));
        assert_eq!(kind("99999999999999999999"), None);
    }
}
