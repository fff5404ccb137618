//! Coverage points (`CompileOptions::coverage`): a program compiled with them runs exactly as
//! one without (same outcome, events, steps), and its counters say what ran.

mod common;

use std::collections::HashMap;
use std::rc::Rc;

use common::{fixture_argument, run_program, vm_fixtures};
use wf_syntax::SourceFile;
use wf_vm::code::Op;
use wf_vm::coverage::PointKind;
use wf_vm::{CompileOptions, Limits, Program, Value};

fn compile(source: &SourceFile, coverage: bool) -> Program {
    let workflow = wf_syntax::parse_workflow(source).workflow.expect("parses");
    wf_vm::compile_with(&workflow, CompileOptions { coverage }).expect("compiles")
}

#[test]
fn a_program_without_coverage_has_no_points_and_no_cover_instructions() {
    let source = SourceFile::new("w.yaml", "main:\n  steps:\n    - a:\n        return: 1\n");
    let plain = compile(&source, false);
    assert!(plain.coverage.is_none());
    assert!(plain.functions.iter().flat_map(|f| &f.code).all(|op| !matches!(op, Op::Cover(_))));
    let covered = compile(&source, true);
    let kinds: Vec<PointKind> = covered.coverage.as_ref().unwrap().points().iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [PointKind::Entry, PointKind::Step]);
}

/// Every VM fixture runs the same with coverage, and the step counters agree with the trace.
#[test]
fn coverage_changes_nothing_a_run_shows_and_counts_every_step() {
    let mut compared = 0;
    for path in vm_fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let source = SourceFile::new(path.file_name().unwrap().to_string_lossy(), text);
        let Some(workflow) = wf_syntax::parse_workflow(&source).workflow else { continue };
        let Ok(plain) = wf_vm::compile(&workflow) else { continue };
        let covered = Rc::new(compile(&source, true));
        let arg = fixture_argument(&source.text);
        let without = run_program(&source, Rc::new(plain), arg.clone(), 0, Limits::GCW);
        let with = run_program(&source, Rc::clone(&covered), arg, 0, Limits::GCW);
        assert_eq!(without, with, "{}", path.display());
        let coverage = covered.coverage.as_ref().unwrap();
        let mut counted: HashMap<String, u64> = HashMap::new();
        for (p, hits) in coverage.points().iter().zip(coverage.hits()) {
            if p.kind == PointKind::Step {
                *counted.entry(covered.steps[p.step.unwrap() as usize].to_string()).or_default() += hits;
            }
        }
        let mut traced: HashMap<String, u64> = HashMap::new();
        for s in &with.trace {
            *traced.entry(s.clone()).or_default() += 1;
        }
        counted.retain(|_, n| *n > 0);
        assert_eq!(counted, traced, "{}", path.display());
        compared += 1;
    }
    assert!(compared > 20, "only {compared} fixtures compared");
}

const BRANCHY: &str = r#"main:
  params: [args]
  steps:
    - pick:
        switch:
          - condition: ${args.n > 10}
            next: big
          - condition: ${args.n > 5}
            assign:
              - size: medium
          - condition: true
            assign:
              - size: small
    - guarded:
        try:
          steps:
            - fail:
                raise: boom
        retry:
          predicate: ${always}
          max_retries: 2
          backoff:
            initial_delay: 1
            max_delay: 1
            multiplier: 1
        except:
          as: e
          steps:
            - handled:
                return: ${size}
    - big:
        return: big

always:
  params: [e]
  steps:
    - yes:
        return: true

never_called:
  steps:
    - nothing:
        return: 0
"#;

/// The hits of each point as `kind line`, in point order.
fn hits(program: &Program, source: &SourceFile) -> Vec<String> {
    let coverage = program.coverage.as_ref().unwrap();
    coverage
        .points()
        .iter()
        .zip(coverage.hits())
        .map(|(p, n)| format!("{:?} {} {n}", p.kind, source.lines().line_col(&source.text, p.span.start).line))
        .collect()
}

#[test]
fn switch_conditions_retries_and_except_blocks_are_counted() {
    let source = SourceFile::new("branchy.yaml", BRANCHY);
    let program = Rc::new(compile(&source, true));
    let n = |n: i64| wf_vm::json::from_json(&serde_json::json!({ "n": n }));
    let first = run_program(&source, Rc::clone(&program), n(7), 0, Limits::GCW);
    assert_eq!(first.outcome, r#"result: "medium""#);
    let second = run_program(&source, Rc::clone(&program), n(3), 0, Limits::GCW);
    assert_eq!(second.outcome, r#"result: "small""#);
    let expected = [
        "Entry 1 2",
        "Step 4 2",
        "Taken 6 0",
        "Skipped 6 2",
        "Taken 8 1",
        "Skipped 8 1",
        "Taken 11 1",
        "Step 14 2",
        "Step 17 6",
        "Retry 20 4",
        "Except 27 2",
        "Step 29 2",
        "Step 31 0",
        "Entry 34 4",
        "Step 37 4",
        "Entry 40 0",
        "Step 42 0",
    ];
    assert_eq!(hits(&program, &source), expected);
}

/// Conditions on local integers run through the `IntBranch` guard, which skips the plain
/// code of the condition: the taken and skipped counters still see every evaluation.
#[test]
fn guarded_integer_conditions_are_counted_both_ways() {
    let text = r#"main:
  steps:
    - init:
        assign:
          - small: 0
    - count:
        for:
          value: i
          range: [1, 10]
          steps:
            - test:
                switch:
                  - condition: ${i < 4}
                    assign:
                      - small: ${small + 1}
    - done:
        return: ${small}
"#;
    let source = SourceFile::new("guarded.yaml", text);
    let program = Rc::new(compile(&source, true));
    let listing = program.listing(&source);
    assert!(listing.contains("IntBranch i < 4"), "{listing}");
    let run = run_program(&source, Rc::clone(&program), Value::Null, 0, Limits::GCW);
    assert_eq!(run.outcome, "result: 3");
    let hits = hits(&program, &source);
    assert!(hits.contains(&"Taken 13 3".to_string()) && hits.contains(&"Skipped 13 7".to_string()), "{hits:?}");
}
