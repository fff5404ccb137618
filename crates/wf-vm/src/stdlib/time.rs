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
/// Every date from 0000-01-01 to 9999-12-31 in any offset from -23:59 to +23:59 parses
/// (the arithmetic is done here: the date library's timestamps stop a day short of the
/// year 10000, so that any offset can be applied to them); a leap second (`:60`) reads as
/// `:59`, as the date library reads it.
pub(super) fn parse(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("time.parse", args);
    let text = c.str(0, "value")?;
    let invalid = || c.value_err(format!("{text:?} is not an RFC 3339 timestamp"));
    let parts = Rfc3339::read(text).ok_or_else(invalid)?;
    Ok(Value::Double(parts.unix_seconds()))
}

/// The fields of an RFC 3339 `date-time`, each in its range.
struct Rfc3339 {
    days: i64,
    seconds_of_day: i64,
    nanos: u32,
    offset_seconds: i64,
}

impl Rfc3339 {
    /// Reads `YYYY-MM-DD`, `T`/`t`/space, `hh:mm:ss`, an optional fraction of at most nine
    /// digits, then `Z`/`z` or `±hh:mm`; `None` for any other shape or a field out of range.
    fn read(text: &str) -> Option<Rfc3339> {
        let b = text.as_bytes();
        let num = |range: std::ops::Range<usize>| -> Option<i64> {
            let digits = b.get(range)?;
            digits.iter().all(u8::is_ascii_digit).then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
        };
        let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|x| allowed.contains(x));
        let separators = at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":");
        if !separators {
            return None;
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let date =
            jiff::civil::Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?)
                .ok()?;
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut rest = 19;
        let mut nanos = 0u32;
        if at(rest, b".") {
            let frac = b[rest + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            if frac == 0 || frac > 9 {
                return None;
            }
            let digits = u32::try_from(num(rest + 1..rest + 1 + frac)?).ok()?;
            nanos = digits * 10u32.pow(u32::try_from(9 - frac).ok()?);
            rest += 1 + frac;
        }
        let offset_seconds = match &text[rest..] {
            "Z" | "z" => 0,
            zone if zone.len() == 6 && at(rest, b"+-") && at(rest + 3, b":") => {
                let (h, m) = (num(rest + 1..rest + 3)?, num(rest + 4..rest + 6)?);
                if h > 23 || m > 59 {
                    return None;
                }
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                sign * (h * 3600 + m * 60)
            }
            _ => return None,
        };
        Some(Rfc3339 {
            days: days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day())),
            seconds_of_day: hour * 3600 + minute * 60 + second.min(59),
            nanos,
            offset_seconds,
        })
    }

    fn unix_seconds(&self) -> f64 {
        let whole = self.days * 86_400 + self.seconds_of_day - self.offset_seconds;
        whole as f64 + f64::from(self.nanos) / 1e9
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (negative before it).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
    fn parses_the_whole_four_digit_range() {
        let parse = |t: &str| match call("time.parse", &[s(t)]) {
            Ok(Value::Double(x)) => x,
            other => panic!("{t}: {other:?}"),
        };
        assert_eq!(parse("9999-12-31T23:59:59Z"), 253_402_300_799.0);
        assert_eq!(parse("9999-12-31T23:59:59-23:59"), 253_402_300_799.0 + 86_340.0);
        assert_eq!(parse("0000-01-01T00:00:00Z"), -62_167_219_200.0);
        assert_eq!(parse("0000-01-01T00:00:00+23:59"), -62_167_219_200.0 - 86_340.0);
        assert_eq!(parse("2024-02-29T00:00:00Z"), 1_709_164_800.0);
        assert_eq!(parse("2016-12-31T23:59:60Z"), 1_483_228_799.0);
        assert_eq!(parse("1970-01-01T00:00:00.123456789Z"), 0.123456789);
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
            "2024-05-08T12:01:00+24:00",
            "2024-05-08T12:01:00-00:60",
            "2024-05-08T24:00:00Z",
            "2024-05-08T12:60:00Z",
            "2024-05-08T12:01:61Z",
            "2023-02-29T00:00:00Z",
        ] {
            fails(call("time.parse", &[s(bad)]), "ValueError");
        }
        fails(call("time.parse", &[Value::Int(0)]), "TypeError");
    }
}
