//! A virtual-clock driver for tests: answers logs at once, wakes sleeps in time order, and
//! describes everything that happened.

#![allow(dead_code)]

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use wf_syntax::SourceFile;
use wf_vm::{Effect, Limits, Machine, Program, RunOptions, Status, Value};

/// 2026-01-01T00:00:00Z.
pub const START: f64 = 1_767_225_600.0;

/// What a run showed.
#[derive(Debug, PartialEq)]
pub struct Run {
    /// `result: ...` or `error: ...`.
    pub outcome: String,
    /// Logs and sleeps, in order.
    pub events: String,
    /// Executed steps.
    pub trace: Vec<String>,
    /// Step count.
    pub steps: u64,
}

fn show(v: &Value) -> String {
    wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| j.to_string())
}

/// Compiles `source` (ignoring checker warnings) and runs it on the virtual clock.
/// `None` when it does not parse or compile.
pub fn run_virtual(source: &SourceFile, argument: Value, seed: u64, limits: Limits) -> Option<Run> {
    let workflow = wf_syntax::parse_workflow(source).workflow?;
    let program = wf_vm::compile(&workflow).ok()?;
    Some(run_program(source, Rc::new(program), argument, seed, limits))
}

/// Runs a compiled `program` of `source` on the virtual clock.
pub fn run_program(source: &SourceFile, program: Rc<Program>, argument: Value, seed: u64, limits: Limits) -> Run {
    let options = RunOptions { start_time: START, trace: true, seed, limits, ..RunOptions::default() };
    let mut m = Machine::new(program, argument, options);
    let mut now = START;
    let mut events = String::new();
    let mut timers: Vec<(f64, u64)> = Vec::new();
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
            Status::Waiting => {
                let Some(next) = timers.iter().enumerate().min_by(|a, b| a.1.0.total_cmp(&b.1.0)).map(|(i, _)| i)
                else {
                    break "stuck: waiting with no effect outstanding".into();
                };
                let (until, id) = timers.remove(next);
                now = now.max(until);
                if m.answer(id, Ok(Value::Null), now).is_err() {
                    break "stuck: a timer answered an effect that was not waiting".into();
                }
            }
            Status::Effect(wf_vm::Request { id, effect, .. }) => match effect {
                Effect::Log { severity, payload, .. } => {
                    let _ = writeln!(events, "log {severity}: {}", show(&payload));
                    let _ = m.answer(id, Ok(Value::Null), now);
                }
                Effect::Sleep { seconds } => {
                    let _ = writeln!(events, "sleep {seconds}s");
                    timers.push((now + seconds, id));
                }
                Effect::SleepUntil { time } => {
                    let _ = writeln!(events, "sleep until {time}");
                    timers.push((time, id));
                }
                other => {
                    let _ = writeln!(events, "unexpected effect {other:?}");
                    let _ = m.answer(id, Err(wf_vm::error::error("SystemError", "no such effect in this test")), now);
                }
            },
        }
    };
    Run { outcome, events, trace: m.trace().iter().map(|s| s.to_string()).collect(), steps: m.steps_executed() }
}

/// The workflows of `tests/vm`, sorted.
pub fn vm_fixtures() -> Vec<PathBuf> {
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

/// A fixture's argument: the JSON of its `# args:` header (null without one).
pub fn fixture_argument(text: &str) -> Value {
    let line = text.lines().find_map(|l| l.strip_prefix("# args:")).unwrap_or("null");
    wf_vm::json::from_json(&serde_json::from_str(line.trim()).expect("the # args: header is JSON"))
}
