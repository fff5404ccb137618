//! Property tests of the compiler and the machine: nothing panics on any parsed input, and
//! a run is a function of its program, argument and seed (parallel branches included).

mod common;

use std::path::Path;

use common::run_virtual;
use proptest::prelude::*;
use wf_syntax::SourceFile;
use wf_vm::{Limits, Value};

/// Small limits so that random loops end quickly.
const LIMITS: Limits = Limits { max_steps: 2_000, ..Limits::GCW };

fn seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in ["tests/vm", "tests/check/ok", "tests/check/err", "tests/syntax/ok", "examples", "bench/workloads"] {
        let mut paths: Vec<_> =
            std::fs::read_dir(root.join(dir)).expect("seed dir").flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths.into_iter().filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        {
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()));
        }
    }
    out
}

fn argument() -> Value {
    Value::from_pairs([
        ("n", Value::Int(3)),
        ("items", Value::list(vec![Value::Int(1), Value::str("two"), Value::Null])),
        ("x", Value::Double(2.5)),
    ])
}

/// Mutations at line granularity keep most files parseable, so the machine gets exercised.
fn mutate(text: &str, ops: &[(usize, usize, u8)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for &(a, b, kind) in ops {
        if lines.is_empty() {
            break;
        }
        let (a, b) = (a % lines.len(), b % lines.len());
        match kind % 4 {
            0 => lines.swap(a, b),
            1 => {
                let l = lines[a].clone();
                lines.insert(b, l);
            }
            2 => {
                lines.remove(a);
            }
            _ => {
                let l = lines[b].clone();
                if let Some(i) = lines[a].find(": ") {
                    let tail = l.trim_start().to_string();
                    lines[a] = format!("{}: {}", &lines[a][..i], tail);
                }
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_workflows_never_panic(index in any::<usize>(), ops in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u8>()), 1..4), seed in any::<u64>()) {
        thread_local!(static SEEDS: Vec<(String, String)> = seeds());
        SEEDS.with(|seeds| {
            let (name, text) = &seeds[index % seeds.len()];
            let source = SourceFile::new(name.clone(), mutate(text, &ops));
            let _ = run_virtual(&source, argument(), seed, LIMITS);
        });
    }

    #[test]
    fn random_expressions_never_panic(expr in "[ -~]{0,40}", seed in any::<u64>()) {
        let text = format!("main:\n  params: [args]\n  steps:\n    - s:\n        assign:\n          - x: 1\n          - y: '${{{}}}'\n    - r:\n        return: ${{y}}\n", expr.replace('\'', "''"));
        let _ = run_virtual(&SourceFile::new("e.yaml", text), argument(), seed, LIMITS);
    }

    #[test]
    fn same_seed_same_run(seed in any::<u64>()) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vm");
        for name in ["parallel_branches.yaml", "parallel_for.yaml", "parallel_errors.yaml"] {
            let text = std::fs::read_to_string(root.join(name)).unwrap();
            let arg = Value::from_pairs([("items", Value::list((1..=6).map(Value::Int).collect()))]);
            let source = SourceFile::new(name, text);
            let first = run_virtual(&source, arg.clone(), seed, Limits::GCW).expect("compiles");
            let second = run_virtual(&source, arg, seed, Limits::GCW).expect("compiles");
            prop_assert_eq!(first, second);
        }
    }
}

#[test]
fn seeds_change_the_interleaving_of_parallel_iterations() {
    // Iterations that never wait run in the scheduler's order, which the seed picks.
    let text = "main:\n  steps:\n    - init:\n        assign:\n          - order: []\n    - each:\n        parallel:\n          shared: [order]\n          for:\n            value: x\n            range: [1, 6]\n            steps:\n              - add:\n                  assign:\n                    - order: ${list.concat(order, x)}\n    - done:\n        return: ${order}\n";
    let source = SourceFile::new("order.yaml", text);
    let outcomes: std::collections::BTreeSet<String> =
        (0..20).map(|seed| run_virtual(&source, Value::Null, seed, Limits::GCW).expect("compiles").outcome).collect();
    assert!(outcomes.len() > 1, "20 seeds gave one order: {outcomes:?}");
}
