//! What the machine asks of the outside world. The driver (the real-time runner of `wf run`,
//! or `wf-test`'s virtual clock) performs an effect and answers it.

use std::rc::Rc;

use wf_syntax::Span;

use crate::error::{type_error, value_error};
use crate::value::{Map, Value};

/// Identifies an effect the machine is waiting on.
pub type EffectId = u64;

/// Where an effect comes from: the step that asked, and the span of the call (or of the
/// `retry` whose backoff sleeps).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The step's name (empty when the step is not known).
    pub step: Rc<str>,
    /// The subworkflow it is in (`main`, ...).
    pub routine: Rc<str>,
    /// The source span.
    pub span: Span,
}

/// A request to the driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Call an outbound function (`http.*`, `googleapis.*`, ...) with named arguments.
    /// Answer with its result or the error it raises.
    Call {
        /// The function name.
        function: Rc<str>,
        /// The arguments, as a map.
        args: Value,
    },
    /// Wait this many seconds (`sys.sleep`, retry backoff). Answer with null.
    Sleep {
        /// Seconds.
        seconds: f64,
    },
    /// Wait until this Unix time (`sys.sleep_until`). Answer with null.
    SleepUntil {
        /// Seconds since the epoch.
        time: f64,
    },
    /// Write a log entry (`sys.log`). Answer with null.
    Log {
        /// `DEFAULT`, `INFO`, ...
        severity: Rc<str>,
        /// Which argument held the payload: `text`, `json` or `data` (empty when none).
        field: &'static str,
        /// What to log.
        payload: Value,
    },
    /// Create a callback endpoint. Answer with `{url}`.
    CreateCallback {
        /// The accepted HTTP method.
        method: Rc<str>,
    },
    /// Wait for a request to a callback endpoint. Answer with the request map, or a
    /// `TimeoutError`.
    AwaitCallback {
        /// The endpoint's URL.
        url: Rc<str>,
        /// Seconds to wait.
        timeout: f64,
    },
}

const SEVERITIES: &[&str] =
    &["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"];
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];
/// One year, the longest sleep or wait GCW allows.
const MAX_WAIT: f64 = 31_536_000.0;

/// The Unix time `sys.sleep_until(time)` wakes at. A time in the past wakes at once (the
/// driver waits for no time); one more than [`MAX_WAIT`] after `now` is a `ValueError`, as
/// is text that is not an RFC 3339 timestamp.
fn wake_time(text: &str, now: f64) -> Result<f64, Value> {
    let time = match text.parse::<jiff::Timestamp>() {
        Ok(ts) => ts.as_millisecond() as f64 / 1000.0,
        // A well-formed time past the date library's range (years near 9999 or -9999).
        Err(e) => match out_of_range(text) {
            Some(true) => f64::INFINITY,
            Some(false) => jiff::Timestamp::MIN.as_second() as f64,
            None => {
                return Err(value_error(format!(
                    "sys.sleep_until: `time` is not an RFC 3339 timestamp such as 2026-01-01T12:00:00Z: `{text}` ({e})"
                )));
            }
        },
    };
    if time - now > MAX_WAIT {
        return Err(value_error(format!(
            "sys.sleep_until: `time` must be at most one year (31,536,000 seconds) ahead, found {text}"
        )));
    }
    Ok(time)
}

/// For text with a date, a time and an offset that is no timestamp the date library can
/// hold: whether it lies after the epoch; `None` for text that is not a timestamp at all.
fn out_of_range(text: &str) -> Option<bool> {
    let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
    (pieces.time().is_some() && pieces.offset().is_some()).then(|| pieces.date().year() > 1970)
}

/// Turns a blocking call into an effect, checking the arguments the way GCW does; `now` is
/// the clock the machine last read (Unix seconds), for `sys.sleep_until`'s one-year limit.
pub fn effect(function: &Rc<str>, args: Map, now: f64) -> Result<Effect, Value> {
    let get = |k: &str| args.get(k);
    let number = |k: &str, default: f64, max: f64| -> Result<f64, Value> {
        match get(k) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => match v.as_f64() {
                Some(x) if (0.0..=max).contains(&x) => Ok(x),
                Some(x) => Err(value_error(format!("{function}: `{k}` must be between 0 and {max}, found {x}"))),
                None => Err(type_error(format!("{function}: `{k}` must be a number, found {}", v.type_name()))),
            },
        }
    };
    let choice = |k: &str, default: &str, allowed: &[&str]| -> Result<Rc<str>, Value> {
        match get(k) {
            None | Some(Value::Null) => Ok(Rc::from(default)),
            Some(Value::Str(s)) if allowed.contains(&&**s) => Ok(s.clone()),
            Some(v) => {
                Err(value_error(format!("{function}: invalid `{k}`: {v} (expected one of {})", allowed.join(", "))))
            }
        }
    };
    Ok(match &**function {
        "sys.sleep" => match get("seconds") {
            None => return Err(type_error("sys.sleep: `seconds` is required")),
            Some(_) => Effect::Sleep { seconds: number("seconds", 0.0, MAX_WAIT)? },
        },
        "sys.sleep_until" => match get("time") {
            Some(Value::Str(t)) => Effect::SleepUntil { time: wake_time(t, now)? },
            Some(v) => {
                return Err(type_error(format!(
                    "sys.sleep_until: `time` must be an RFC 3339 string, found {}",
                    v.type_name()
                )));
            }
            None => return Err(type_error("sys.sleep_until: `time` is required")),
        },
        "sys.log" => {
            let (field, payload) = ["text", "json", "data"]
                .into_iter()
                .find_map(|k| get(k).map(|v| (k, v.clone())))
                .unwrap_or(("", Value::Null));
            Effect::Log { severity: choice("severity", "DEFAULT", SEVERITIES)?, field, payload }
        }
        "events.create_callback_endpoint" => {
            Effect::CreateCallback { method: choice("http_callback_method", "POST", METHODS)? }
        }
        "events.await_callback" => {
            let url = match get("callback") {
                Some(Value::Map(m)) => match m.get("url") {
                    Some(Value::Str(u)) => u.clone(),
                    _ => return Err(value_error("events.await_callback: `callback` has no `url`")),
                },
                Some(v) => {
                    return Err(type_error(format!(
                        "events.await_callback: `callback` must be the map from events.create_callback_endpoint, found {}",
                        v.type_name()
                    )));
                }
                None => return Err(type_error("events.await_callback: `callback` is required")),
            };
            Effect::AwaitCallback { url, timeout: number("timeout", 43_200.0, MAX_WAIT)? }
        }
        _ => Effect::Call { function: function.clone(), args: Value::map(args) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z.
    const NOW: f64 = 1_767_225_600.0;

    fn message(e: Value) -> String {
        e.get("message").and_then(Value::as_str).unwrap_or_default().to_string()
    }

    #[test]
    fn sleep_until_wakes_within_a_year() {
        assert_eq!(wake_time("2026-01-01T01:00:00+01:00", NOW), Ok(NOW));
        assert_eq!(wake_time("2027-01-01T00:00:00Z", NOW), Ok(NOW + MAX_WAIT));
        // A time in the past is given as it is: the driver wakes it at once.
        assert_eq!(wake_time("2020-01-01T00:00:00Z", NOW), Ok(1_577_836_800.0));
        assert!(wake_time("-009999-01-01T00:00:00+23:00", NOW).is_ok_and(|t| t < NOW));
    }

    #[test]
    fn sleep_until_past_a_year_names_the_limit() {
        for far in ["2027-01-01T00:00:01Z", "9999-12-30T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59"]
        {
            let e = wake_time(far, NOW).unwrap_err();
            assert_eq!(e.get("tags"), Some(&Value::list(vec![Value::str("ValueError")])));
            assert!(message(e).contains("at most one year (31,536,000 seconds) ahead"), "{far}");
        }
    }

    #[test]
    fn sleep_until_of_no_time_says_what_is_expected() {
        for bad in ["2026-01-01", "soon", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00"] {
            let m = message(wake_time(bad, NOW).unwrap_err());
            assert!(m.starts_with("sys.sleep_until: `time` is not an RFC 3339 timestamp such as"), "{m}");
        }
    }

    #[test]
    fn a_log_entry_over_256_kb_is_logged_whole() {
        // Cloud Logging's 256 KB entry limit is not applied (see docs/semantics.md, Limits).
        let big: Vec<Value> = (0..3).map(|_| Value::str("x".repeat(100 * 1024))).collect();
        let mut args = Map::default();
        args.insert(Rc::from("data"), Value::list(big.clone()));
        let Ok(Effect::Log { field, payload, .. }) = effect(&Rc::from("sys.log"), args, NOW) else {
            panic!("sys.log is a log effect")
        };
        assert_eq!((field, payload), ("data", Value::list(big)));
    }
}
