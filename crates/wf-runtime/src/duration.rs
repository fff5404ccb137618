//! Durations in scenario files: a number of seconds, or a sum of parts with units
//! `ms`, `s`, `m`, `h`, `d` (`1h30m`, `1.5s`, `43200`).

/// Parses a duration string into seconds.
pub fn parse(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("an empty duration".into());
    }
    if let Ok(seconds) = t.parse::<f64>() {
        return if seconds.is_finite() && seconds >= 0.0 {
            Ok(seconds)
        } else {
            Err(format!("`{t}` is not a duration"))
        };
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("`{t}` is not a duration: expected a number before `{rest}`"));
        }
        let number: f64 = rest[..digits].parse().map_err(|_| format!("`{t}` is not a duration"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            "" => return Err(format!("`{t}` is not a duration: a unit (ms, s, m, h, d) is missing after {number}")),
            other => return Err(format!("`{t}` is not a duration: unknown unit `{other}` (use ms, s, m, h or d)")),
        };
        total += number * factor;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() {
        return Err(format!("`{t}` is not a duration: it is too long to count"));
    }
    Ok(total)
}

/// Formats seconds compactly: `0s`, `1.5s`, `30m`, `12h`, `1h30m5s`, `250ms`.
pub fn format(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return format!("{seconds}s");
    }
    let ms_total = (seconds * 1000.0).round() as u64;
    if ms_total == 0 {
        return "0s".into();
    }
    let (days, rem) = (ms_total / 86_400_000, ms_total % 86_400_000);
    let (hours, rem) = (rem / 3_600_000, rem % 3_600_000);
    let (minutes, rem) = (rem / 60_000, rem % 60_000);
    let (secs, ms) = (rem / 1000, rem % 1000);
    let mut out = String::new();
    for (n, unit) in [(days, "d"), (hours, "h"), (minutes, "m")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    match (secs, ms) {
        (0, 0) => {}
        (s, 0) => out.push_str(&format!("{s}s")),
        (0, ms) if out.is_empty() => out.push_str(&format!("{ms}ms")),
        (s, ms) => out.push_str(&format!("{s}.{}s", format!("{ms:03}").trim_end_matches('0'))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse("43200"), Ok(43200.0));
        assert_eq!(parse("1h30m"), Ok(5400.0));
        assert_eq!(parse("1.5s"), Ok(1.5));
        assert_eq!(parse("250ms"), Ok(0.25));
        assert_eq!(parse("2d1s"), Ok(172_801.0));
        assert!(parse("5x").is_err());
        assert!(parse("h").is_err());
        assert!(parse("10").is_ok() && parse("-1").is_err());
        assert!(parse("inf").is_err() && parse("NaN").is_err() && parse("1e999").is_err());
        assert_eq!(
            parse(&format!("{}d", "9".repeat(400))),
            Err(format!("`{}d` is not a duration: it is too long to count", "9".repeat(400)))
        );
        assert_eq!(format(0.0), "0s");
        assert_eq!(format(5400.0), "1h30m");
        assert_eq!(format(1.5), "1.5s");
        assert_eq!(format(0.25), "250ms");
        assert_eq!(format(43200.0), "12h");
        assert_eq!(format(90061.25), "1d1h1m1.25s");
    }
}
