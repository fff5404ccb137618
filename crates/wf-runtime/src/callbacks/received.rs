//! `received_time` as GCW gives it: Go's `time.Time.String()` of the moment a request
//! arrived, e.g. `2021-06-24 12:49:16.988072651 -0700 PDT m=+742581.005780667`: the date and
//! time in the service's zone with the fraction's trailing zeros dropped (no dot when it is
//! zero), the offset and the zone's abbreviation, and the seconds since the clock's origin
//! (the process or server start in real time, the scenario start on the virtual clock) with
//! nine decimals.

use jiff::tz::TimeZone;

/// The clock that stamps requests.
#[derive(Debug, Clone)]
pub struct ReceivedClock {
    /// The origin of `m=+`, in Unix seconds.
    pub origin: f64,
    /// The zone times are shown in.
    pub zone: TimeZone,
}

impl ReceivedClock {
    /// A clock whose origin is `origin`, in the zone `TZ` names (UTC when it is unset or
    /// unknown).
    pub fn new(origin: f64) -> ReceivedClock {
        let zone = std::env::var("TZ")
            .ok()
            .map(|tz| tz.trim_start_matches(':').to_string())
            .filter(|tz| !tz.is_empty())
            .and_then(|tz| TimeZone::get(&tz).ok())
            .unwrap_or(TimeZone::UTC);
        ReceivedClock { origin, zone }
    }

    /// A clock in UTC whatever `TZ` says (scenarios give the same run on every machine).
    pub fn utc(origin: f64) -> ReceivedClock {
        ReceivedClock { origin, zone: TimeZone::UTC }
    }

    /// A clock in `zone`.
    pub fn in_zone(origin: f64, zone: TimeZone) -> ReceivedClock {
        ReceivedClock { origin, zone }
    }

    /// The `received_time` of a request at `now` (Unix seconds).
    pub fn format(&self, now: f64) -> String {
        // Whole seconds and the fraction apart: a double cannot hold Unix nanoseconds.
        let whole = now.floor();
        let nanos = whole as i128 * 1_000_000_000 + ((now - whole) * 1e9).round() as i128;
        let Ok(t) = jiff::Timestamp::from_nanosecond(nanos) else { return String::new() };
        let zoned = t.to_zoned_datetime(self.zone.clone());
        let frac = match zoned.subsec_nanosecond() {
            0 => String::new(),
            n => format!(".{n:09}").trim_end_matches('0').to_string(),
        };
        let since = ((now - self.origin).max(0.0) * 1e9).round() as u128;
        format!(
            "{}{frac} {} m=+{}.{:09}",
            zoned.strftime("%Y-%m-%d %H:%M:%S"),
            zoned.strftime("%z %Z"),
            since / 1_000_000_000,
            since % 1_000_000_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_string_form() {
        let utc = ReceivedClock::in_zone(1_767_225_600.0, TimeZone::UTC);
        assert_eq!(utc.format(1_767_225_600.0), "2026-01-01 00:00:00 +0000 UTC m=+0.000000000");
        assert_eq!(utc.format(1_767_227_400.5), "2026-01-01 00:30:00.5 +0000 UTC m=+1800.500000000");
        let la = ReceivedClock::in_zone(1_624_559_000.0, TimeZone::get("America/Los_Angeles").unwrap());
        assert_eq!(la.format(1_624_564_156.5), "2021-06-24 12:49:16.5 -0700 PDT m=+5156.500000000");
        // Nanoseconds as far as a double holds them.
        let precise = utc.format(1_767_225_600.988_072_5);
        assert!(
            precise.starts_with("2026-01-01 00:00:00.98807") && precise.ends_with(" +0000 UTC m=+0.988072395"),
            "{precise}"
        );
    }
}
