//! `wf run` and `wf compile`: check, compile and execute one workflow on `wf-runtime`: the
//! real clock (or a virtual one), outbound calls for real or from mocks, callback endpoints
//! served on loopback; logs on stderr, the result as JSON on stdout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use wf_runtime::callbacks::{Endpoints, ReceivedClock, UrlScheme, workflow_id};
use wf_runtime::clock::wall_clock;
use wf_runtime::realtime::{Event, RealWorld};
use wf_runtime::{Clock, End, Execution, Happening, Mocks, drive};
use wf_server::{Auth, CallbackListener};
use wf_syntax::{Severity, SourceFile, Span};
use wf_vm::machine::built_in_env;
use wf_vm::{Machine, RunOptions, Value};

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
    /// Answers for outbound calls (the scenario `mocks:` format).
    pub mocks: Option<PathBuf>,
    /// Where callback endpoints are served (default `127.0.0.1:0`).
    pub listen: Option<String>,
    /// The Bearer token callback requests need (default: a random one, printed at start).
    pub callback_token: Option<String>,
    /// Callback requests need no token.
    pub no_auth: bool,
    /// Seconds to keep answering callback requests (with 404) after the end.
    pub linger: f64,
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
/// input, 130 cancelled with Ctrl-C).
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
    if let Some(problem) = wf_runtime::limits::env_problem(a.env.iter().map(|(k, v)| (k.as_str(), v.len()))) {
        writeln!(err, "error: `--env`: {problem}")?;
        return Ok(2);
    }
    let mocks = match load_mocks(a.mocks.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let (program, _) = match build(&source, err)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let ids = Identity::new(a);
    let start = wall_clock();
    let clock = if a.virtual_time { Clock::Virtual(start) } else { Clock::Real };
    let uses_callbacks = program.effects.iter().any(|e| &*e.function == "events.create_callback_endpoint");
    let mut env: HashMap<String, Value> = a.env.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect();
    for (k, v) in [("GOOGLE_CLOUD_WORKFLOW_ID", &ids.workflow), ("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID", &ids.execution)]
    {
        env.entry(k.to_string()).or_insert_with(|| Value::str(v));
    }
    let options = RunOptions {
        env,
        seed: a.seed,
        start_time: start,
        limits: if a.no_limits { wf_vm::Limits::NONE } else { wf_vm::Limits::GCW },
        trace: a.trace,
        schedule: None,
    };
    let machine = Machine::new(Rc::new(program), argument, options);
    let log_to = RefCell::new(&mut *err);
    let mut world = RealWorld::new(clock, Mocks::new(mocks), Box::new(|_, h| show(h, &log_to)));
    let sender = world.sender();
    // A second run in the same process keeps the first handler.
    let _ = ctrlc::set_handler(move || {
        let _ = sender.send(Event::Interrupt);
    });
    let mut base = "https://workflowexecutions.googleapis.com".to_string();
    let mut listener = None;
    if uses_callbacks {
        let auth = auth(a.callback_token.as_deref(), a.no_auth);
        let listen = a.listen.as_deref().unwrap_or("127.0.0.1:0");
        let started = match CallbackListener::start(listen, auth.clone(), world.sender()) {
            Ok(l) => l,
            Err(e) => {
                writeln!(log_to.borrow_mut(), "error: cannot listen for callbacks on `{listen}`: {e}")?;
                return Ok(2);
            }
        };
        base = format!("http://{}", started.addr());
        listener = Some(started);
        let how = match &auth {
            Auth::Token(t) => format!("send requests with `Authorization: Bearer {t}`"),
            Auth::Open => "no token needed (--no-auth)".to_string(),
        };
        writeln!(log_to.borrow_mut(), "wf run: serving callback endpoints on {base}; {how}")?;
        world.set_listening(true);
    }
    let urls = UrlScheme::new(&base, &ids.project, &ids.location, &ids.workflow, &ids.execution, a.seed);
    let mut exec = Execution::new(machine, Endpoints::new(urls, ReceivedClock::new(start)));
    let end = drive(&mut exec, &mut world);
    let code = report(&end, &exec, &source, a, out, *log_to.borrow_mut())?;
    if uses_callbacks && a.linger > 0.0 && code != 130 {
        // The listener goes on: requests now reach the ended execution's endpoints (404).
        let until = wall_clock() + a.linger;
        world.linger(until, |target, request| exec.endpoints_mut().deliver(target, request, wall_clock()).0);
    }
    drop(world);
    if let Some(listener) = listener {
        // Answers already decided (the last callback's 200) still reach their clients.
        listener.stop(std::time::Duration::from_secs(2));
    }
    Ok(code)
}

/// Prints how the run ended; returns the exit code.
fn report(
    end: &End,
    exec: &Execution,
    source: &SourceFile,
    a: &RunArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    print_trace(exec.machine(), a.trace, err)?;
    let code = match end {
        End::Succeeded(result) => {
            let json = wf_vm::json::to_json(result).unwrap_or(serde_json::Value::Null);
            writeln!(out, "{}", serde_json::to_string_pretty(&json).unwrap_or_default())?;
            0
        }
        End::Failed(raised) => {
            let json = wf_vm::json::to_json(&raised.value)
                .unwrap_or_else(|_| serde_json::Value::String(raised.value.to_string()));
            let at = raised.span.map(|s| format!(" at {}", location(source, s))).unwrap_or_default();
            writeln!(err, "error: the workflow failed{at}")?;
            writeln!(err, "{}", serde_json::to_string_pretty(&json).unwrap_or_default())?;
            1
        }
        End::Aborted(why) => {
            writeln!(err, "error: {why}")?;
            1
        }
        End::Cancelled => {
            writeln!(err, "status: CANCELLED")?;
            130
        }
    };
    out.flush()?;
    err.flush()?;
    Ok(code)
}

/// Shows a log line on stderr.
fn show(h: &Happening<'_>, err: &RefCell<&mut dyn Write>) {
    if let Happening::Log { severity, payload, .. } = h {
        let text = match payload {
            Value::Str(s) => s.to_string(),
            other => wf_vm::json::to_json(other).map_or_else(|_| other.to_string(), |j| j.to_string()),
        };
        let mut err = err.borrow_mut();
        let _ = writeln!(err, "[{severity}] {text}");
        let _ = err.flush();
    }
}

/// Who this execution is: project, location, workflow and execution ids.
struct Identity {
    project: String,
    location: String,
    workflow: String,
    execution: String,
}

impl Identity {
    fn new(a: &RunArgs) -> Identity {
        let env = |k: &str| {
            a.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).or_else(|| built_in_env(k).map(str::to_string))
        };
        let given = |k: &str| a.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        // Callback URLs carry the project number, as GCW's do.
        Identity {
            project: env("GOOGLE_CLOUD_PROJECT_NUMBER").unwrap_or_default(),
            location: env("GOOGLE_CLOUD_LOCATION").unwrap_or_default(),
            workflow: given("GOOGLE_CLOUD_WORKFLOW_ID").unwrap_or_else(|| workflow_id(&a.path)),
            execution: given("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID").unwrap_or_else(random_uuid),
        }
    }
}

/// 128 random bits from the OS-seeded keys of std's hasher (a local token, not a long-lived
/// secret).
fn random_bits() -> u128 {
    use std::hash::{BuildHasher, Hasher};
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt ^ wall_clock().to_bits());
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// The mocks of `--mocks FILE` (none without the option).
pub fn load_mocks(path: Option<&std::path::Path>) -> Result<Vec<wf_runtime::Mock>, wf_test::ScenarioError> {
    path.map_or(Ok(Vec::new()), wf_test::scenario::load_mocks)
}

/// Who may send callback requests: `--no-auth`, `--callback-token T`, or a random token.
pub fn auth(token: Option<&str>, no_auth: bool) -> Auth {
    match (token, no_auth) {
        (_, true) => Auth::Open,
        (Some(t), false) => Auth::Token(t.to_string()),
        (None, false) => Auth::Token(random_token()),
    }
}

/// A random Bearer token.
fn random_token() -> String {
    format!("{:032x}", random_bits())
}

/// A random version-4 UUID, the form of GCW's execution ids.
fn random_uuid() -> String {
    wf_runtime::callbacks::uuid(&mut (random_bits() as u64))
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

/// Parses `--args`: JSON text, or `@path` to read it from a file.
pub fn parse_argument(text: Option<&str>) -> Result<Value, String> {
    let Some(text) = text else { return Ok(Value::Null) };
    let json_text = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?,
        None => text.to_string(),
    };
    if let Some(problem) = wf_runtime::limits::argument_problem(json_text.len()) {
        return Err(format!("`--args`: {problem}"));
    }
    let json: serde_json::Value =
        serde_json::from_str(&json_text).map_err(|e| format!("`--args` is not valid JSON: {e}"))?;
    Ok(wf_vm::json::from_json(&json))
}
