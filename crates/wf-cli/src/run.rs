//! `wf run` and `wf compile`: check, compile and execute one workflow with a simple
//! driver: a real or virtual clock, logs on stderr, the result as JSON on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wf_syntax::{Severity, SourceFile, Span};
use wf_vm::{Effect, Machine, RunOptions, Status, Value};

use crate::render::render_human;

/// Options of `wf run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    /// The workflow file.
    pub path: PathBuf,
    /// The runtime argument, as JSON text.
    pub args: Option<String>,
    /// `K=V` environment variables.
    pub env: Vec<(String, String)>,
    /// Skip waits instead of sleeping.
    pub virtual_time: bool,
    /// Seed for ids and the scheduler.
    pub seed: u64,
    /// Lift GCW's step and call-depth limits.
    pub no_limits: bool,
    /// Print the executed steps on stderr.
    pub trace: bool,
}

/// What `wf compile --emit` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    /// The syntax tree.
    Ast,
    /// The bytecode listing.
    Bytecode,
}

/// Reads a file for `wf run`/`wf compile`; `Err` holds the exit code after reporting.
fn load(path: &PathBuf, err: &mut dyn Write) -> std::io::Result<Result<SourceFile, i32>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Ok(SourceFile::new(path.display().to_string(), text))),
        Err(e) => {
            writeln!(err, "error: cannot read `{}`: {e}", path.display())?;
            Ok(Err(2))
        }
    }
}

/// Checks and compiles; reports problems on `err`.
fn build(
    source: &SourceFile,
    err: &mut dyn Write,
) -> std::io::Result<Result<(wf_vm::Program, wf_syntax::ast::Workflow), i32>> {
    let checked = wf_check::check(source);
    let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    if !errors.is_empty() || checked.parsed.workflow.is_none() {
        write!(err, "{}", render_human(source, &errors, false))?;
        writeln!(err, "error: `{}` has errors; fix them before running it", source.name)?;
        return Ok(Err(1));
    }
    let workflow = checked.parsed.workflow.expect("checked above");
    match wf_vm::compile(&workflow) {
        Ok(program) => Ok(Ok((program, workflow))),
        Err(e) => {
            writeln!(err, "error: {}: {}", location(source, e.span), e.message)?;
            Ok(Err(1))
        }
    }
}

fn location(source: &SourceFile, span: Span) -> String {
    let lc = source.lines().line_col(&source.text, span.start);
    format!("{}:{}:{}", source.name, lc.line, lc.column)
}

/// `wf compile FILE --emit ast|bytecode`.
pub fn run_compile(path: &PathBuf, emit: Emit, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let source = match load(path, err)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let (program, workflow) = match build(&source, err)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    match emit {
        Emit::Ast => writeln!(out, "{workflow:#?}")?,
        Emit::Bytecode => write!(out, "{}", program.listing(&source))?,
    }
    Ok(0)
}

/// `wf run`: returns the exit code (0 succeeded, 1 the workflow failed or has errors, 2 bad
/// input).
pub fn run_workflow(a: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let source = match load(&a.path, err)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let argument = match parse_argument(a.args.as_deref()) {
        Ok(v) => v,
        Err(message) => {
            writeln!(err, "error: {message}")?;
            return Ok(2);
        }
    };
    let (program, _) = match build(&source, err)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let options = RunOptions {
        env: a.env.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect(),
        seed: a.seed,
        start_time: wall_clock(),
        limits: if a.no_limits { wf_vm::Limits::NONE } else { wf_vm::Limits::GCW },
        trace: a.trace,
    };
    let mut machine = Machine::new(Rc::new(program), argument, options);
    let mut clock = wall_clock();
    // Sleeping effects (parallel branches may sleep at once): (wake-up time, effect).
    let mut timers: Vec<(f64, wf_vm::EffectId)> = Vec::new();
    loop {
        match machine.poll() {
            Status::Done(result) => {
                print_trace(&machine, a.trace, err)?;
                let json = wf_vm::json::to_json(&result).unwrap_or(serde_json::Value::Null);
                writeln!(out, "{}", serde_json::to_string_pretty(&json).unwrap_or_default())?;
                return Ok(0);
            }
            Status::Failed(raised) => {
                print_trace(&machine, a.trace, err)?;
                let json = wf_vm::json::to_json(&raised.value)
                    .unwrap_or_else(|_| serde_json::Value::String(raised.value.to_string()));
                let at = raised.span.map(|s| format!(" at {}", location(&source, s))).unwrap_or_default();
                writeln!(err, "error: the workflow failed{at}")?;
                writeln!(err, "{}", serde_json::to_string_pretty(&json).unwrap_or_default())?;
                return Ok(1);
            }
            Status::Waiting => {
                let Some(next) = timers.iter().enumerate().min_by(|a, b| a.1.0.total_cmp(&b.1.0)).map(|(i, _)| i)
                else {
                    writeln!(err, "error: internal: the machine waits for an answer that was never asked for")?;
                    return Ok(2);
                };
                let (until, id) = timers.remove(next);
                clock = wait(a.virtual_time, clock, until);
                machine.set_now(clock);
                machine.answer(id, Ok(Value::Null));
            }
            Status::Effect(id, effect) => {
                let answer = match effect {
                    Effect::Log { severity, payload, .. } => {
                        let text = match &payload {
                            Value::Str(s) => s.to_string(),
                            other => wf_vm::json::to_json(other).map_or_else(|_| other.to_string(), |j| j.to_string()),
                        };
                        writeln!(err, "[{severity}] {text}")?;
                        Ok(Value::Null)
                    }
                    Effect::Sleep { seconds } => {
                        timers.push((clock + seconds, id));
                        continue;
                    }
                    Effect::SleepUntil { time } => {
                        timers.push((time, id));
                        continue;
                    }
                    Effect::CreateCallback { .. } | Effect::AwaitCallback { .. } => {
                        writeln!(
                            err,
                            "error: this workflow uses callbacks, which `wf run` cannot serve yet; test it with `wf-test` scenarios that script the callback requests"
                        )?;
                        return Ok(1);
                    }
                    Effect::Call { function, args } if function.starts_with("http.") => {
                        crate::http::call(&function, &args)
                    }
                    Effect::Call { function, .. } => {
                        writeln!(
                            err,
                            "error: `wf run` cannot call `{function}`: connectors and other services need credentials; script them with `wf-test` mocks"
                        )?;
                        return Ok(1);
                    }
                };
                machine.set_now(clock);
                machine.answer(id, answer);
            }
        }
    }
}

fn print_trace(machine: &Machine, trace: bool, err: &mut dyn Write) -> std::io::Result<()> {
    if trace {
        for step in machine.trace() {
            writeln!(err, "step {step}")?;
        }
        writeln!(err, "{} steps executed", machine.steps_executed())?;
    }
    Ok(())
}

/// Waits until `until` on the real clock (or not at all with virtual time); returns the new
/// clock reading.
fn wait(virtual_time: bool, now: f64, until: f64) -> f64 {
    if virtual_time {
        return until.max(now);
    }
    let seconds = until - wall_clock();
    if seconds > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(seconds));
    }
    wall_clock()
}

fn wall_clock() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// Parses `--args`: JSON text, or `@path` to read it from a file.
pub fn parse_argument(text: Option<&str>) -> Result<Value, String> {
    let Some(text) = text else { return Ok(Value::Null) };
    let json_text = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?,
        None => text.to_string(),
    };
    let json: serde_json::Value =
        serde_json::from_str(&json_text).map_err(|e| format!("`--args` is not valid JSON: {e}"))?;
    Ok(wf_vm::json::from_json(&json))
}
