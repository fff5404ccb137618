//! Every pure standard-library function, called with large arguments, allocates at most a
//! fixed multiple of its arguments' size plus a constant: no result grows with the product
//! of two arguments (`text.replace_all(s, "a", s)`), with a pattern that matches everywhere,
//! or with a prefix repeated on every line, before the size limits are checked. The global
//! allocator is capped for each call; a call that tries to pass the cap aborts the test.

use std::alloc::System;

use cap::Cap;
use proptest::prelude::*;
use wf_check::stdlib::{FUNCTIONS, Status};
use wf_vm::Value;
use wf_vm::stdlib::{Args, Context, invoke, native};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Bytes a call may allocate per byte of its arguments (lists of small values, such as the
/// matches of a pattern that matches everywhere, take about this much per character).
const PER_ARGUMENT_BYTE: usize = 256;
/// Bytes any call may allocate besides (a bounded result, the regex engine's tables).
const CONSTANT: usize = 24 * 1024 * 1024;

struct Fixed;

impl Context for Fixed {
    fn now(&self) -> f64 {
        1_700_000_000.0
    }
    fn env(&self, _: &str) -> Option<Value> {
        None
    }
    fn random_u64(&mut self) -> u64 {
        7
    }
}

/// About the bytes `v` occupies.
fn size(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len() + 16,
        Value::Bytes(b) => b.len() + 16,
        Value::List(items) => 16 + items.iter().map(size).sum::<usize>(),
        Value::Map(m) => 16 + m.iter().map(|(k, v)| k.len() + 16 + size(v)).sum::<usize>(),
        _ => 16,
    }
}

/// Large and awkward argument values built from one `unit` of text, so that the texts of
/// one call match each other: long texts (with characters that escape, change length with
/// case, or match everywhere), the unit itself, patterns, long lists and maps, layouts with
/// long prefixes.
fn argument(unit: &'static str) -> impl Strategy<Value = Value> {
    let long = (1usize..=65_536).prop_map(move |n| Value::str(unit.repeat(n.div_ceil(unit.len().max(1)))));
    let short = prop::sample::select(vec![unit, "", ".", "a*", "(|a)", "\\w*", "UTF-8", "UTF-16"]).prop_map(Value::str);
    let bytes = (0usize..=200_000).prop_map(|n| Value::Bytes(vec![b'a'; n].into()));
    let list = (0usize..=4_000, 0usize..=64).prop_map(|(n, len)| Value::list(vec![Value::str("x".repeat(len)); n]));
    let map = (0usize..=2_000).prop_map(|n| {
        let keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        Value::from_pairs(keys.iter().zip(0i64..).map(|(k, i)| (k.as_str(), Value::list(vec![Value::Int(i); 4]))))
    });
    let layout = (0usize..=65_536).prop_map(|n| {
        Value::from_pairs([("prefix", Value::str("p".repeat(n))), ("indent", Value::str(" ".repeat(n / 2)))])
    });
    let scalar = prop_oneof![
        Just(Value::Null),
        Just(Value::Bool(true)),
        any::<i64>().prop_map(Value::Int),
        (-1e308f64..1e308).prop_map(Value::Double),
    ];
    prop_oneof![4 => long, 4 => short, 1 => bytes, 1 => list, 1 => map, 1 => layout, 1 => scalar]
}

/// A pure function by name (the `text` and `json` ones, which make strings, four times as
/// often), with up to as many arguments as it takes.
fn call() -> impl Strategy<Value = (&'static str, Vec<Option<Value>>)> {
    let mut names: Vec<&'static str> = Vec::new();
    for f in FUNCTIONS.iter().filter(|f| !f.blocking && f.status == Status::Documented && native(f.name).is_some()) {
        let weight = if f.name.starts_with("text.") || f.name.starts_with("json.") { 4 } else { 1 };
        names.extend(std::iter::repeat_n(f.name, weight));
    }
    let units = vec!["a", " ", "é", "\"", "\n", "ß", "%", "{}", "ab"];
    (prop::sample::select(names), prop::sample::select(units)).prop_flat_map(|(name, unit)| {
        let arity = FUNCTIONS.iter().find(|f| f.name == name).map_or(0, |f| f.params.len());
        let args = prop::collection::vec(prop::option::weighted(0.9, argument(unit)), arity);
        (
            Just(name),
            args.prop_map(move |mut args| {
                shorten_pattern(name, &mut args);
                args
            }),
        )
    })
}

/// A long pattern of a `*_regex` call replaced by one that matches everywhere. Compiling a
/// pattern of kilobytes stops at the compiled-size limit (a unit test in `regex_fns` shows
/// it with 256 KB), but takes up to a second in a debug build, and this test makes
/// thousands of calls.
fn shorten_pattern(name: &str, args: &mut [Option<Value>]) {
    if name.ends_with("_regex")
        && let Some(Some(Value::Str(p))) = args.get_mut(1)
        && p.len() > 64
    {
        *p = "(|a)".into();
    }
}

/// One test at a time holds the allocator's cap.
static CAPPED: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Calls `name` with the allocator capped at a fixed multiple of the arguments' size plus a
/// constant (past it the allocator fails and the test aborts, after naming the call), and
/// checks that a string or bytes result is within its limit.
fn call_capped(name: &str, args: &[Option<Value>]) -> Result<(), String> {
    let _one = CAPPED.lock().unwrap_or_else(|e| e.into_inner());
    let f = native(name).expect("a native");
    let argument_bytes: usize = args.iter().flatten().map(size).sum();
    let shapes: Vec<String> =
        args.iter().map(|a| a.as_ref().map_or("-".into(), |v| format!("{} of {}", v.type_name(), size(v)))).collect();
    let described = format!("{name}({})", shapes.join(", "));
    let cap = ALLOCATOR.allocated() + PER_ARGUMENT_BYTE * argument_bytes + CONSTANT;
    ALLOCATOR.set_limit(cap).expect("the cap is above what is allocated");
    let result = std::panic::catch_unwind(|| invoke(f, Args::new(args), &mut Fixed));
    ALLOCATOR.set_limit(usize::MAX).expect("lifting the cap");
    let limit = match &result {
        Ok(Ok(Value::Bytes(_))) => wf_vm::sizes::MAX_BYTES,
        Ok(Ok(Value::Str(_))) => wf_vm::sizes::MAX_STRING_BYTES,
        Ok(_) => return Ok(()),
        Err(_) => return Err(format!("{described} panicked")),
    };
    match result {
        Ok(Ok(v)) if size(&v) > limit + 16 => Err(format!("{described} returned {} bytes", size(&v))),
        _ => Ok(()),
    }
}

/// The alloc error handler aborts without saying which call it was: name every call on
/// stderr first when `WF_ALLOC_TRACE` is set (`cargo test --test allocation_bounds --
/// --nocapture`).
fn trace(name: &str, args: &[Option<Value>]) {
    if std::env::var_os("WF_ALLOC_TRACE").is_some() {
        let shapes: Vec<String> = args
            .iter()
            .map(|a| a.as_ref().map_or("-".into(), |v| format!("{} of {}", v.type_name(), size(v))))
            .collect();
        eprintln!("{name}({})", shapes.join(", "));
    }
}

/// Every pure function with every combination of these argument kinds, at full size.
#[test]
fn every_stdlib_function_with_every_kind_of_large_argument() {
    for unit in ["a", "é"] {
        let long = Value::str(unit.repeat(65_536 / unit.len()));
        let kinds: Vec<Option<Value>> = vec![
            None,
            Some(long),
            Some(Value::str(unit)),
            Some(Value::str("")),
            Some(Value::str("(|a)")),
            Some(Value::Bytes(vec![b'a'; 200_000].into())),
            Some(Value::list(vec![Value::str("x".repeat(64)); 4_000])),
            Some(Value::from_pairs([("prefix", Value::str("p".repeat(65_536))), ("indent", Value::str("  "))])),
            Some(Value::Int(-1)),
            Some(Value::Bool(true)),
        ];
        for f in FUNCTIONS.iter().filter(|f| !f.blocking && f.status == Status::Documented && native(f.name).is_some())
        {
            let arity = u32::try_from(f.params.len()).unwrap_or(0);
            for combo in 0..kinds.len().pow(arity) {
                let mut rest = combo;
                let args: Vec<Option<Value>> = (0..arity)
                    .map(|_| {
                        let v = kinds[rest % kinds.len()].clone();
                        rest /= kinds.len();
                        v
                    })
                    .collect();
                let mut args = args;
                shorten_pattern(f.name, &mut args);
                trace(f.name, &args);
                if let Err(why) = call_capped(f.name, &args) {
                    panic!("{why}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random functions with random large arguments.
    #[test]
    fn stdlib_calls_allocate_at_most_a_fixed_multiple_of_their_arguments((name, args) in call()) {
        trace(name, &args);
        if let Err(why) = call_capped(name, &args) {
            prop_assert!(false, "{}", why);
        }
    }
}
