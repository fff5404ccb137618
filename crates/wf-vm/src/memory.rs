//! GCW's limit on the memory an execution's variables use (512 KB). Measuring every
//! variable after every step would cost too much, so the machine measures at checkpoints:
//! every [`CHECK_EVERY_STEPS`] steps, and whenever the values stored since the last
//! measurement add up (by their own length, not their contents) to [`CHECK_AFTER_BYTES`].

use crate::value::Value;

/// Steps between two measurements.
pub(crate) const CHECK_EVERY_STEPS: u64 = 4096;

/// Bytes stored (by a cheap estimate) that trigger a measurement.
pub(crate) const CHECK_AFTER_BYTES: usize = 64 * 1024;

/// What storing `v` adds at least, in O(1): its length for strings, bytes, lists and maps.
pub(crate) fn stored_estimate(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(items) => 16 * items.len(),
        Value::Map(m) => 48 * m.len(),
        _ => 0,
    }
}

/// Adds the size of `v` to `total` (about its JSON size, a shared value counted at every
/// place it appears), stopping as soon as `total` passes `cap`.
pub(crate) fn measure(v: &Value, total: &mut usize, cap: usize) {
    if *total > cap {
        return;
    }
    match v {
        Value::Str(s) => *total += s.len() + 8,
        Value::Bytes(b) => *total += b.len() + 8,
        Value::List(items) => {
            *total += 8;
            for item in items.iter() {
                measure(item, total, cap);
            }
        }
        Value::Map(m) => {
            *total += 8;
            for (k, item) in m.iter() {
                *total += k.len() + 8;
                measure(item, total, cap);
            }
        }
        _ => *total += 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measuring_stops_past_the_cap_even_for_huge_shared_values() {
        let mut v = Value::list(vec![Value::str("x")]);
        for _ in 0..60 {
            v = Value::list(vec![v.clone(), v]);
        }
        let mut total = 0;
        measure(&v, &mut total, 1000);
        assert!(total > 1000 && total < 2000, "{total}");
    }

    #[test]
    fn the_deepest_values_are_measured_on_a_small_stack() {
        let measured = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(|| {
                let mut v = Value::Int(1);
                for _ in 0..crate::nesting::MAX_NESTING {
                    v = Value::try_list(vec![v]).expect("within the limit");
                }
                let mut total = 0;
                measure(&v, &mut total, usize::MAX);
                total
            })
            .expect("thread starts")
            .join()
            .expect("no overflow");
        assert_eq!(measured, 8 * 100 + 8);
    }

    #[test]
    fn sizes_follow_the_content() {
        let mut total = 0;
        let m = Value::from_pairs([("name", Value::str("abc")), ("n", Value::Int(1))]);
        measure(&m, &mut total, usize::MAX);
        assert_eq!(total, 8 + (4 + 8) + (3 + 8) + (1 + 8) + 8);
        assert_eq!(stored_estimate(&Value::str("abcd")), 4);
        assert_eq!(stored_estimate(&Value::Int(4)), 0);
    }
}
