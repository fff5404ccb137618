//! The pure standard library (`wf_vm::stdlib::invoke`) with large generated arguments.
//!
//! The input is a program for building arguments: its first byte picks the function, then
//! each argument is built from a few bytes (a kind, a size in KiB up to 256, and a unit of
//! text taken from the input), so that the fuzzer reaches long texts that match each
//! other, long patterns, lists, maps, layouts with long prefixes and awkward scalars.
//!
//! Oracles: nothing panics; no call allocates more than 256 MiB beyond what was allocated
//! before it (a list of matches takes about 250 bytes a character: `text.find_all_regex`
//! with a pattern that matches everywhere on 256 KiB is some 65 MiB) (the global allocator is capped: past the cap an allocation fails and the
//! process aborts, which is a finding); a string result is at most 256 KB and a bytes
//! result at most 2 MB; an error is a map with a message and a tag.
#![no_main]

use std::alloc::System;

use cap::Cap;
use libfuzzer_sys::fuzz_target;
use wf_check::stdlib::{FUNCTIONS, Status};
use wf_vm::stdlib::{Args, Context, invoke, native};
use wf_vm::{Map, Value};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// What one call may allocate beyond what was allocated before it.
const CALL_BUDGET: usize = 256 * 1024 * 1024;

struct Fixed;

impl Context for Fixed {
    fn now(&self) -> f64 {
        1_700_000_000.0
    }
    fn env(&self, name: &str) -> Option<Value> {
        (name == "GOOGLE_CLOUD_PROJECT_ID").then(|| Value::str("p"))
    }
    fn random_u64(&mut self) -> u64 {
        7
    }
}

/// Reads bytes off the front of the input; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    /// Up to `max` bytes as text (invalid UTF-8 replaced).
    fn text(&mut self, max: usize) -> String {
        let n = usize::from(self.byte()).min(max).min(self.0.len());
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(taken).into_owned()
    }

    /// A size: up to 256 KiB, in steps of 1 KiB, or a small count.
    fn size(&mut self) -> usize {
        match self.byte() {
            b @ 0..=127 => usize::from(b),
            b => (usize::from(b) - 127) * 2048,
        }
    }

    fn value(&mut self, depth: u8) -> Value {
        match self.byte() % 12 {
            0 => Value::Null,
            1 => Value::Bool(self.byte() & 1 == 1),
            2 => Value::Int(i64::from_le_bytes(std::array::from_fn(|_| self.byte()))),
            3 => Value::Double(f64::from_le_bytes(std::array::from_fn(|_| self.byte()))),
            4 => Value::str(self.text(64)),
            5 | 6 => {
                let unit = self.text(8);
                let n = self.size();
                let unit = if unit.is_empty() { "a".to_string() } else { unit };
                Value::str(unit.repeat(n.div_ceil(unit.len()).min(256 * 1024 / unit.len())))
            }
            7 => {
                let n = self.size();
                Value::Bytes(vec![self.byte(); n * 8].into())
            }
            8 if depth < 4 => {
                let item = self.value(depth + 1);
                Value::list(vec![item; self.size().min(10_000)])
            }
            9 if depth < 4 => {
                let n = self.size().min(10_000);
                let item = self.value(depth + 1);
                let mut m = Map::default();
                for i in 0..n {
                    m.insert(format!("k{i}").into(), item.clone());
                }
                Value::map(m)
            }
            10 => {
                let prefix = "p".repeat(self.size());
                let indent = " ".repeat(self.size());
                Value::from_pairs([("prefix", Value::str(prefix)), ("indent", Value::str(indent))])
            }
            _ => Value::str(["", ".", "a*", "(|a)", "\\w+", "UTF-8", "UTF-16", "Europe/Paris"][usize::from(self.byte() % 8)]),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let natives: Vec<_> =
        FUNCTIONS.iter().filter(|f| !f.blocking && f.status == Status::Documented && native(f.name).is_some()).collect();
    let mut input = Input(data);
    let f = natives[usize::from(input.byte()) % natives.len()];
    let args: Vec<Option<Value>> =
        (0..f.params.len()).map(|_| if input.byte() % 8 == 0 { None } else { Some(input.value(0)) }).collect();
    let cap = ALLOCATOR.allocated() + CALL_BUDGET;
    ALLOCATOR.set_limit(cap).expect("the cap is above what is allocated");
    let result = invoke(native(f.name).expect("a native"), Args::new(&args), &mut Fixed);
    ALLOCATOR.set_limit(usize::MAX).expect("lifting the cap");
    match &result {
        Ok(Value::Str(s)) => assert!(s.len() <= wf_vm::sizes::MAX_STRING_BYTES, "{}: {} bytes", f.name, s.len()),
        Ok(Value::Bytes(b)) => assert!(b.len() <= wf_vm::sizes::MAX_BYTES, "{}: {} bytes", f.name, b.len()),
        Ok(_) => {}
        Err(e) => {
            assert!(e.get("message").and_then(Value::as_str).is_some(), "{}: {e:?}", f.name);
            assert!(e.get("tags").and_then(Value::as_list).is_some_and(|t| !t.is_empty()), "{}: {e:?}", f.name);
        }
    }
});
