//! Subset matching of values, as scenario `args`, `error` and `logs` use it.

use wf_vm::Value;

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
}
