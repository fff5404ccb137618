//! Runs every workflow in `tests/vm` on a virtual clock and snapshots what happened:
//! the outcome, logs, sleeps, executed steps and the bytecode listing.

mod common;

use std::path::Path;

use common::{fixture_argument, run_virtual, vm_fixtures};
use wf_syntax::SourceFile;
use wf_vm::Limits;

/// Runs a file and describes everything observable.
fn run(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable");
    let source = SourceFile::new(path.file_name().unwrap().to_string_lossy(), text);
    let workflow = wf_syntax::parse_workflow(&source).workflow.expect("the fixture parses");
    let listing = match wf_vm::compile(&workflow) {
        Ok(p) => p.listing(&source),
        Err(e) => return format!("compile error: {} at {:?}", e.message, e.span),
    };
    let r = run_virtual(&source, fixture_argument(&source.text), 0, Limits::GCW).expect("compiles");
    format!("{}\n{}steps ({}): {}\n--- bytecode ---\n{listing}", r.outcome, r.events, r.steps, runs(&r.trace))
}

/// The executed steps, a repeated step written once with its count (`add ×500`), so that a
/// fixture that runs into the step limit keeps a readable snapshot.
fn runs(trace: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < trace.len() {
        let n = trace[i..].iter().take_while(|s| **s == trace[i]).count();
        out.push(if n == 1 { trace[i].clone() } else { format!("{} ×{n}", trace[i]) });
        i += n;
    }
    out.join(", ")
}

#[test]
fn every_vm_fixture_matches_its_snapshot() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vm/snapshots");
    for path in vm_fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let report = format!("{text}\n=== run ===\n{}", run(&path));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({snapshot_path => &snapshots, prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name, report);
        });
    }
}

#[test]
fn every_pure_stdlib_function_has_a_run_fixture() {
    let all: String = vm_fixtures().iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let missing: Vec<&str> = wf_check::stdlib::FUNCTIONS
        .iter()
        .filter(|f| !f.blocking && f.status == wf_check::stdlib::Status::Documented)
        .map(|f| f.name)
        .filter(|name| !all.contains(&format!("{name}(")))
        .collect();
    assert!(missing.is_empty(), "stdlib functions no tests/vm fixture calls: {missing:?}");
}
