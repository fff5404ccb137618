//! `time.format` and `time.parse`: Unix seconds to and from RFC 3339 text.

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};

use super::{Args, Call, Context};
use crate::value::{Value, format_double};

/// `time.format(seconds, timezone?)`: RFC 3339 with six fractional digits, `Z` when the
/// offset is zero and `±HH:MM` otherwise; `timezone` is an IANA name (default UTC).
pub(super) fn format(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("time.format", args);
    let micros = match c.number(0, "seconds")? {
        Value::Int(n) => n.checked_mul(1_000_000),
        v => {
            let x = v.as_f64().unwrap_or(f64::NAN) * 1e6;
            let x = x.round_ties_even();
            // Out-of-range and NaN doubles fail here (the range is far inside i64).
            (x.is_finite() && x.abs() < 1e18).then_some(x as i64)
        }
    };
    let out_of_range = || c.value_err(format!("{} is out of the supported time range", describe(c.args.get(0))));
    let ts = micros.and_then(|m| Timestamp::from_microsecond(m).ok()).ok_or_else(out_of_range)?;
    let zoned = match c.opt_str(1, "timezone")? {
        None | Some("") => ts.to_zoned_datetime(TimeZone::UTC),
        Some(name) => ts.in_tz(name).map_err(|_| c.value_err(format!("unknown time zone {name:?}")))?,
    };
    let year = i32::from(zoned.year());
    let year = if year < 0 { format!("-{:04}", -year) } else { format!("{year:04}") };
    let micro = i32::from(zoned.millisecond()) * 1000 + i32::from(zoned.microsecond());
    Ok(Value::str(format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{micro:06}{}",
        zoned.month(),
        zoned.day(),
        zoned.hour(),
        zoned.minute(),
        zoned.second(),
        offset_text(zoned.offset()),
    )))
}

fn describe(v: Option<&Value>) -> String {
    match v {
        Some(Value::Double(x)) => format_double(*x),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

/// `Z`, or `±HH:MM` (`±HH:MM:SS` for the odd historical offset with seconds).
fn offset_text(offset: Offset) -> String {
    let total = offset.seconds();
    if total == 0 {
        return "Z".into();
    }
    let sign = if total < 0 { '-' } else { '+' };
    let abs = total.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 { format!("{sign}{h:02}:{m:02}") } else { format!("{sign}{h:02}:{m:02}:{s:02}") }
}

/// `time.parse(value)`: an RFC 3339 (section 5.6) timestamp as Unix seconds (a double).
pub(super) fn parse(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("time.parse", args);
    let text = c.str(0, "value")?;
    let invalid = || c.value_err(format!("{text:?} is not an RFC 3339 timestamp"));
    let normalized = normalize_rfc3339(text).ok_or_else(invalid)?;
    let ts: Timestamp = normalized.parse().map_err(|_| invalid())?;
    Ok(Value::Double(ts.as_second() as f64 + f64::from(ts.subsec_nanosecond()) / 1e9))
}

/// Checks the RFC 3339 `date-time` shape (`YYYY-MM-DD`, `T`/`t`/space, `hh:mm:ss`,
/// optional fraction, `Z`/`z` or `±hh:mm`) and returns it with `T` and `Z` upper-cased.
fn normalize_rfc3339(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|x| allowed.contains(x));
    let shape = digits(0..4)
        && at(4, b"-")
        && digits(5..7)
        && at(7, b"-")
        && digits(8..10)
        && at(10, b"Tt ")
        && digits(11..13)
        && at(13, b":")
        && digits(14..16)
        && at(16, b":")
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut rest = 19;
    if at(rest, b".") {
        let frac = b[rest + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if frac == 0 {
            return None;
        }
        rest += 1 + frac;
    }
    let zone = &text[rest..];
    let zone_ok = matches!(zone, "Z" | "z")
        || (zone.len() == 6
            && at(rest, b"+-")
            && digits(rest + 1..rest + 3)
            && at(rest + 3, b":")
            && digits(rest + 4..rest + 6));
    if !zone_ok {
        return None;
    }
    let zone = if zone == "z" { "Z" } else { zone };
    Some(format!("{}T{}{zone}", &text[..10], &text[11..rest]))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    #[test]
    fn formats_utc_with_microseconds() {
        assert_eq!(call("time.format", &[Value::Int(1720788633)]), Ok(s("2024-07-12T12:50:33.000000Z")));
        assert_eq!(call("time.format", &[Value::Double(1704903354.615087)]), Ok(s("2024-01-10T16:15:54.615087Z")));
        assert_eq!(call("time.format", &[Value::Double(0.5)]), Ok(s("1970-01-01T00:00:00.500000Z")));
        assert_eq!(call("time.format", &[Value::Double(-0.25)]), Ok(s("1969-12-31T23:59:59.750000Z")));
        assert_eq!(call("time.format", &[Value::Int(0), s("")]), Ok(s("1970-01-01T00:00:00.000000Z")));
    }

    #[test]
    fn formats_in_a_time_zone() {
        assert_eq!(call("time.format", &[Value::Int(1720788633), s("GMT")]), Ok(s("2024-07-12T12:50:33.000000Z")));
        assert_eq!(
            call("time.format", &[Value::Int(1720788633), s("Europe/Paris")]),
            Ok(s("2024-07-12T14:50:33.000000+02:00"))
        );
        assert_eq!(
            call("time.format", &[Value::Int(1704067200), s("America/New_York")]),
            Ok(s("2023-12-31T19:00:00.000000-05:00"))
        );
        assert_eq!(call("time.format", &[Value::Int(0), s("Asia/Kolkata")]), Ok(s("1970-01-01T05:30:00.000000+05:30")));
    }

    #[test]
    fn format_errors() {
        fails(call("time.format", &[Value::Int(0), s("Mars/Olympus")]), "ValueError");
        fails(call("time.format", &[Value::Double(f64::NAN)]), "ValueError");
        fails(call("time.format", &[Value::Double(1e300)]), "ValueError");
        fails(call("time.format", &[Value::Int(i64::MAX)]), "ValueError");
        fails(call("time.format", &[Value::Int(1_000_000_000_000)]), "ValueError");
        fails(call("time.format", &[s("0")]), "TypeError");
        fails(call("time.format", &[Value::Int(0), Value::Int(1)]), "TypeError");
    }

    #[test]
    fn parses() {
        assert!(
            matches!(call("time.parse", &[s("2024-05-08T12:01:00.000000Z")]), Ok(Value::Double(x)) if x == 1715169660.0)
        );
        assert!(matches!(call("time.parse", &[s("1970-01-01T01:00:00+01:00")]), Ok(Value::Double(x)) if x == 0.0));
        assert!(matches!(call("time.parse", &[s("1970-01-01t00:00:01.5z")]), Ok(Value::Double(x)) if x == 1.5));
        assert!(matches!(call("time.parse", &[s("1970-01-01 00:00:00-00:30")]), Ok(Value::Double(x)) if x == 1800.0));
        assert!(matches!(call("time.parse", &[s("1969-12-31T23:59:59.75Z")]), Ok(Value::Double(x)) if x == -0.25));
    }

    #[test]
    fn round_trips() {
        let text = call("time.format", &[Value::Double(1704903354.615087)]).expect("format");
        assert!(matches!(call("time.parse", &[text]), Ok(Value::Double(x)) if (x - 1704903354.615087).abs() < 1e-6));
    }

    #[test]
    fn parse_errors() {
        for bad in [
            "2024-05-08",
            "2024-05-08T12:01:00",
            "2024-05-08T12:01Z",
            "2024-05-08T12:01:00.Z",
            "2024-13-08T12:01:00Z",
            "2024-02-30T12:01:00Z",
            "2024-05-08T12:01:00+0100",
            "2024-05-08T12:01:00Z[UTC]",
            "20240508T120100Z",
            "",
            "2024-05-08T12:01:00.1234567890123Z",
            "２０２４-05-08T12:01:00Z",
        ] {
            fails(call("time.parse", &[s(bad)]), "ValueError");
        }
        fails(call("time.parse", &[Value::Int(0)]), "TypeError");
    }
}
