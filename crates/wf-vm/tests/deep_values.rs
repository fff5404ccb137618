//! Values at the deepest the machine builds, and at the deepest the JSON reader gives, go
//! through every recursive walk over values (printing, equality, JSON both ways, cloning,
//! dropping) on a small stack: bounding the depth where values are built is what keeps
//! these walks from overflowing, so they need no stack of their own.

use wf_vm::Value;
use wf_vm::nesting::MAX_NESTING;

/// A quarter of the stack of a spawned thread (2 MB), a sixteenth of a main thread's; the
/// walks need about a tenth of it in a debug build.
const SMALL_STACK: usize = 512 * 1024;

/// Lists and maps alternating, `levels` deep, each level also holding a scalar.
fn deep(levels: u32) -> Value {
    let mut v = Value::str("leaf");
    for i in 0..levels {
        v = if i % 2 == 0 {
            Value::try_list(vec![Value::Int(i64::from(i)), v]).expect("within the limit")
        } else {
            Value::try_map([("n".into(), Value::Double(0.5)), ("next".into(), v)].into_iter().collect())
                .expect("within the limit")
        };
    }
    v
}

fn walk_everything(v: &Value) {
    let copy = v.clone();
    assert!(copy == *v);
    let text = v.to_string();
    let json = wf_vm::json::to_json(v).expect("encodes");
    assert_eq!(json.to_string(), text);
    let back = wf_vm::json::from_json(&json);
    assert!(back == *v);
    assert_eq!(back.depth(), v.depth());
    drop(copy);
    drop(back);
}

#[test]
fn walks_over_the_deepest_values_fit_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(|| {
            let v = deep(MAX_NESTING);
            assert_eq!(v.depth(), MAX_NESTING);
            walk_everything(&v);
            // Its JSON text reads back (the reader's own limit is 127 levels).
            assert!(serde_json::from_str::<serde_json::Value>(&v.to_string()).is_ok());
            // One more level is refused where it would be built.
            assert!(Value::try_list(vec![v]).is_err());
            // The JSON reader stops at 127 levels by itself: values from outside (HTTP
            // bodies, arguments) are at most that deep, plus a few levels of envelope.
            let text = format!("{}{}", "[".repeat(127), "]".repeat(127));
            let outside = wf_vm::json::from_json(&serde_json::from_str(&text).expect("127 levels parse"));
            let wrapped = Value::from_pairs([("body", outside), ("code", Value::Int(200))]);
            walk_everything(&Value::from_pairs([("http_request", wrapped)]));
        })
        .expect("thread starts")
        .join()
        .expect("no overflow");
}

#[test]
fn equality_of_deep_values_compares_to_the_bottom() {
    let a = deep(MAX_NESTING);
    let b = deep(MAX_NESTING);
    assert!(a == b);
    let mut c = Value::str("other");
    for i in 0..MAX_NESTING {
        c = if i % 2 == 0 {
            Value::list(vec![Value::Int(i64::from(i)), c])
        } else {
            Value::from_pairs([("n", Value::Double(0.5)), ("next", c)])
        };
    }
    assert!(a != c);
}
