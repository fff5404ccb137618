//! Runs one benchmark workload in process and prints one JSON line:
//! `{"steps": S, "seconds_per_run": T, "result": R}`.
//!
//! ```sh
//! cargo run --release -q -p wf-vm --example run_workload -- FILE N [REPEAT]
//! ```
//!
//! The workflow is parsed and compiled once, and the argument `{"n": N}` built once (neither
//! is timed, like the peer's loading and copying in `bench/compare`); then it runs REPEAT
//! times (default 1) with GCW's limits lifted; `seconds_per_run` is the mean
//! wall time of one run, `steps` the steps one run executed. `bench/compare` uses it.

use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

use wf_syntax::SourceFile;
use wf_vm::{Limits, Machine, Program, RunOptions, Status, Value};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.len() > 3 {
        eprintln!("usage: run_workload FILE N [REPEAT]");
        return ExitCode::from(2);
    }
    let (Ok(n), Ok(repeat)) = (args[1].parse::<i64>(), args.get(2).map_or(Ok(1), |r| r.parse::<u32>())) else {
        eprintln!("run_workload: N must be an integer and REPEAT a positive integer");
        return ExitCode::from(2);
    };
    let repeat = repeat.max(1);
    let program = match load(&args[0]) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("run_workload: {message}");
            return ExitCode::from(2);
        }
    };

    let argument = Value::from_pairs([("n", Value::Int(n))]);
    let mut outcome = None;
    let start = Instant::now();
    for _ in 0..repeat {
        outcome = Some(run(&program, argument.clone()));
    }
    let seconds_per_run = start.elapsed().as_secs_f64() / f64::from(repeat);

    match outcome.expect("at least one run") {
        Ok((steps, result)) => {
            let result = match wf_vm::json::to_json(&result) {
                Ok(json) => json,
                Err(e) => {
                    eprintln!("run_workload: the result is not JSON: {e:?}");
                    return ExitCode::FAILURE;
                }
            };
            let line = serde_json::json!({ "steps": steps, "seconds_per_run": seconds_per_run, "result": result });
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("run_workload: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &str) -> Result<Rc<Program>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let source = SourceFile::new(path.to_string(), text);
    let parsed = wf_syntax::parse_workflow(&source);
    let workflow = parsed.workflow.ok_or_else(|| format!("{path} does not parse"))?;
    let program = wf_vm::compile(&workflow).map_err(|e| format!("{path} does not compile: {e:?}"))?;
    Ok(Rc::new(program))
}

/// Runs to the end (the workloads make no calls); returns the steps executed and the result.
fn run(program: &Rc<Program>, argument: Value) -> Result<(u64, Value), String> {
    let options = RunOptions { limits: Limits::NONE, ..RunOptions::default() };
    let mut m = Machine::new(Rc::clone(program), argument, options);
    match m.poll() {
        Status::Done(v) => Ok((m.steps_executed(), v)),
        Status::Failed(raised) => Err(format!("the workload failed: {:?}", raised.value)),
        other => Err(format!("the workload did not finish: {other:?}")),
    }
}
