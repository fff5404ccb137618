//! Runs every workflow in `tests/vm` on a virtual clock and snapshots what happened:
//! the outcome, logs, sleeps, executed steps and the bytecode listing.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use wf_syntax::SourceFile;
use wf_vm::{Effect, Machine, RunOptions, Status, Value};

/// 2026-01-01T00:00:00Z.
const START: f64 = 1_767_225_600.0;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vm");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/vm exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn argument(text: &str) -> Value {
    let line = text.lines().find_map(|l| l.strip_prefix("# args:")).unwrap_or("null");
    let json: serde_json::Value = serde_json::from_str(line.trim()).expect("the # args: header is JSON");
    wf_vm::json::from_json(&json)
}

fn show(v: &Value) -> String {
    wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| j.to_string())
}

/// Runs a file and describes everything observable.
fn run(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable");
    let source = SourceFile::new(path.file_name().unwrap().to_string_lossy(), text);
    let parsed = wf_syntax::parse_workflow(&source);
    let workflow = parsed.workflow.expect("the fixture parses");
    let program = match wf_vm::compile(&workflow) {
        Ok(p) => p,
        Err(e) => return format!("compile error: {} at {:?}", e.message, e.span),
    };
    let listing = program.listing(&source);
    let options = RunOptions { start_time: START, trace: true, ..RunOptions::default() };
    let mut m = Machine::new(Rc::new(program), argument(&source.text), options);
    let mut now = START;
    let mut events = String::new();
    let outcome = loop {
        match m.poll() {
            Status::Done(v) => break format!("result: {}", show(&v)),
            Status::Failed(r) => {
                let at = r.span.map(|s| {
                    let lc = source.lines().line_col(&source.text, s.start);
                    format!(" (line {}, column {})", lc.line, lc.column)
                });
                break format!("error: {}{}", show(&r.value), at.unwrap_or_default());
            }
            Status::Waiting => break "stuck: waiting with no effect outstanding".into(),
            Status::Effect(id, effect) => {
                let answer = match effect {
                    Effect::Log { severity, payload } => {
                        let _ = writeln!(events, "log {severity}: {}", show(&payload));
                        Ok(Value::Null)
                    }
                    Effect::Sleep { seconds } => {
                        let _ = writeln!(events, "sleep {seconds}s");
                        now += seconds;
                        Ok(Value::Null)
                    }
                    other => {
                        let _ = writeln!(events, "unexpected effect {other:?}");
                        Err(wf_vm::error::error("SystemError", "no such effect in this test"))
                    }
                };
                m.set_now(now);
                m.answer(id, answer);
            }
        }
    };
    let steps: Vec<&str> = m.trace().iter().map(|s| &**s).collect();
    format!("{outcome}\n{events}steps ({}): {}\n--- bytecode ---\n{listing}", m.steps_executed(), steps.join(", "))
}

#[test]
fn vm_fixtures() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vm/snapshots");
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let report = format!("{text}\n=== run ===\n{}", run(&path));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({snapshot_path => &snapshots, prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name, report);
        });
    }
}
