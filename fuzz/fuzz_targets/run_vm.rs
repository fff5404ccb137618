//! Compile and run (`wf_vm::compile`, `wf_vm::Machine`) with small limits (2,000 steps,
//! 64 KiB of variables, call depth 20), driven on a virtual clock: sleeps are answered at
//! once with the clock moved on, calls get a canned response or error, callbacks time out
//! or get a request, and with parallel branches the outstanding effects are answered in an
//! order drawn from the input. Inputs the checker finds errors in are skipped, like `wf run`.
//!
//! Oracles: nothing panics, the clock the machine is given never goes backwards, the run
//! ends within its limits, and the same input and seed give the same transcript (every
//! effect with its origin, every answer, the steps with their times, the outcome) twice,
//! and once more when compiled with coverage points.
#![no_main]

use std::fmt::Write;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use wf_check::stdlib::tags;
use wf_vm::error::error;
use wf_vm::{Effect, Limits, Machine, Program, Request, RunOptions, Status, Value};
use wfkit_fuzz::{Rng, source, text};

/// 2026-01-01T00:00:00Z, as in `wf-test`.
const START: f64 = 1_767_225_600.0;
/// Polls past this many mean the driver, not the machine, loops.
const MAX_POLLS: usize = 20_000;

const LIMITS: Limits = Limits { max_steps: 2_000, max_call_depth: 20, max_memory: 64 * 1024 };

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let file = source(&text);
    let checked = wf_check::check(&file);
    if checked.diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let Some(workflow) = &checked.parsed.workflow else { return };
    let Ok(program) = wf_vm::compile(workflow) else { return };
    let program = Rc::new(program);
    let seed = Rng::from_bytes(data).next_u64();
    let first = run(&program, seed);
    let second = run(&program, seed);
    assert!(first == second, "two runs of the same input differ:\n{first}\n---\n{second}");
    // Coverage points only watch: compiled with them, the run is the same.
    let covered = wf_vm::compile_with(workflow, wf_vm::CompileOptions { coverage: true }).expect("it compiled without");
    let with = run(&Rc::new(covered), seed);
    assert!(first == with, "coverage changes the run:\n{first}\n---\n{with}");
});

/// Runs `program` once with `seed` and returns its transcript.
fn run(program: &Rc<Program>, seed: u64) -> String {
    let argument = Value::from_pairs([("n", Value::Int(3)), ("name", Value::str("fuzz"))]);
    let options = RunOptions { seed, start_time: START, limits: LIMITS, trace: true, ..RunOptions::default() };
    let mut m = Machine::new(Rc::clone(program), argument, options);
    let mut rng = Rng(seed);
    let mut now = START;
    let mut pending: Vec<Request> = Vec::new();
    let mut log = String::new();
    for _ in 0..MAX_POLLS {
        match m.poll() {
            Status::Effect(request) => {
                let _ = writeln!(log, "effect {} {:?} from {:?}", request.id, request.effect, request.origin);
                pending.push(request);
            }
            Status::Waiting => {
                assert!(!pending.is_empty(), "the machine waits, but no effect is outstanding");
                let request = pending.swap_remove(rng.below(pending.len()));
                let (result, later) = answer(&request.effect, &mut rng, now);
                assert!(later >= now, "the clock would go back from {now} to {later}");
                now = later;
                let _ = writeln!(log, "answer {} at {now}: {result:?}", request.id);
                m.answer(request.id, result, now).expect("the machine waits for this effect");
            }
            Status::Done(v) => {
                let _ = writeln!(log, "done: {v:?}");
                return finish(&m, log);
            }
            Status::Failed(r) => {
                let _ = writeln!(log, "failed: {:?} at {:?}, trace {:?}", r.value, r.span, r.trace);
                return finish(&m, log);
            }
        }
    }
    panic!("no end after {MAX_POLLS} polls ({} steps):\n{log}", m.steps_executed());
}

fn finish(m: &Machine, mut log: String) -> String {
    assert!(m.steps_executed() <= LIMITS.max_steps + 1, "{} steps past the limit", m.steps_executed());
    for s in m.history() {
        let _ = writeln!(log, "step {}/{} at {}", s.routine, s.step, s.time);
    }
    log
}

/// The answer to an effect and the clock's reading after it.
fn answer(effect: &Effect, rng: &mut Rng, now: f64) -> (Result<Value, Value>, f64) {
    match effect {
        Effect::Sleep { seconds } => (Ok(Value::Null), now + seconds),
        Effect::SleepUntil { time } => (Ok(Value::Null), now.max(*time)),
        Effect::Log { .. } => (Ok(Value::Null), now),
        Effect::CreateCallback { method } => {
            let url = format!("https://workflowexecutions.example/v1/callbacks/{}", rng.next_u64());
            (Ok(Value::from_pairs([("url", Value::str(url)), ("method", Value::str(&**method))])), now)
        }
        Effect::AwaitCallback { url, timeout } => match rng.below(3) {
            0 => (Err(error(tags::TIMEOUT, format!("timed out after {timeout} s"))), now + timeout),
            _ => {
                let request = Value::from_pairs([
                    ("method", Value::str("POST")),
                    ("url", Value::str(&**url)),
                    ("body", Value::from_pairs([("ok", Value::Bool(true))])),
                ]);
                (Ok(Value::from_pairs([("http_request", request), ("type", Value::str("HTTP"))])), now + 1.0)
            }
        },
        Effect::Call { function, args } => match rng.below(4) {
            0 => {
                let mut e = error(tags::HTTP, format!("{function} failed"));
                if let Value::Map(m) = &mut e {
                    Rc::make_mut(m).insert("code".into(), Value::Int(503));
                }
                (Err(e), now + 0.5)
            }
            1 => (Err(error(tags::CONNECTION, "connection reset")), now + 0.5),
            _ => {
                let response = Value::from_pairs([
                    ("code", Value::Int(200)),
                    ("headers", Value::from_pairs([("Content-Type", Value::str("application/json"))])),
                    ("body", args.clone()),
                ]);
                (Ok(response), now + 0.1)
            }
        },
    }
}
