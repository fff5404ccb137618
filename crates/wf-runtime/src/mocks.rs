//! Answers for outbound calls from a list of mocks (the scenario `mocks:` format): the first
//! entry that matches the call's target and arguments, and has uses left, answers.

use wf_vm::Value;

/// One mocked answer.
#[derive(Debug, Clone)]
pub struct Mock {
    /// The call target (`http.post`, `googleapis...`).
    pub call: String,
    /// Arguments that must be present (a subset match), if given.
    pub args: Option<Value>,
    /// How many calls it answers (`None`: all).
    pub times: Option<u64>,
    /// Seconds the call takes.
    pub latency: f64,
    /// The result, or the error it raises.
    pub answer: Result<Value, Value>,
    /// Its line in the file it was read from (for messages).
    pub line: u32,
}

/// A list of mocks and how often each has answered.
#[derive(Debug, Clone, Default)]
pub struct Mocks {
    list: Vec<Mock>,
    uses: Vec<u64>,
}

impl Mocks {
    /// Mocks in priority order.
    pub fn new(list: Vec<Mock>) -> Mocks {
        let uses = vec![0; list.len()];
        Mocks { list, uses }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The mock that answers a call to `function` with `args`, counted as used.
    pub fn answer(&mut self, function: &str, args: &Value) -> Option<&Mock> {
        let i = self.list.iter().enumerate().position(|(i, mock)| {
            mock.call == function
                && mock.times.is_none_or(|t| self.uses[i] < t)
                && mock.args.as_ref().is_none_or(|want| is_subset(want, args))
        })?;
        self.uses[i] += 1;
        Some(&self.list[i])
    }
}

/// Whether `want` is contained in `have`: every key of a wanted map is present with a
/// matching value (recursively); lists and scalars must be equal (numbers compare by value).
pub fn is_subset(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Map(w), Value::Map(h)) => w.iter().all(|(k, v)| h.get(k).is_some_and(|hv| is_subset(v, hv))),
        (Value::List(w), Value::List(h)) => w.len() == h.len() && w.iter().zip(h.iter()).all(|(a, b)| is_subset(a, b)),
        _ => want == have,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_match_by_subset_recursively() {
        let have = Value::from_pairs([
            ("url", Value::str("https://x")),
            ("body", Value::from_pairs([("a", Value::Int(1)), ("b", Value::Int(2))])),
        ]);
        assert!(is_subset(&Value::from_pairs([("url", Value::str("https://x"))]), &have));
        assert!(is_subset(&Value::from_pairs([("body", Value::from_pairs([("b", Value::Double(2.0))]))]), &have));
        assert!(!is_subset(&Value::from_pairs([("url", Value::str("https://y"))]), &have));
        assert!(!is_subset(&Value::from_pairs([("nope", Value::Null)]), &have));
        assert!(is_subset(&Value::Map(Default::default()), &have));
    }

    #[test]
    fn first_match_with_uses_left_answers() {
        let mock = |args: Option<Value>, times, body: &str| Mock {
            call: "http.get".into(),
            args,
            times,
            latency: 0.0,
            answer: Ok(Value::str(body)),
            line: 1,
        };
        let mut mocks = Mocks::new(vec![
            mock(Some(Value::from_pairs([("url", Value::str("a"))])), None, "a"),
            mock(None, Some(1), "once"),
            mock(None, None, "always"),
        ]);
        let args = |u: &str| Value::from_pairs([("url", Value::str(u))]);
        let mut answer = |u: &str| mocks.answer("http.get", &args(u)).map(|m| m.answer.clone());
        assert_eq!(answer("a"), Some(Ok(Value::str("a"))));
        assert_eq!(answer("b"), Some(Ok(Value::str("once"))));
        assert_eq!(answer("b"), Some(Ok(Value::str("always"))));
        assert!(mocks.answer("http.post", &args("a")).is_none());
    }
}
