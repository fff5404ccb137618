//! The machine: runs a [`Program`] one instruction at a time until it needs the outside
//! world. It never blocks and never reads the wall clock: the driver calls [`Machine::poll`],
//! performs the [`Effect`] it gets, and hands the outcome back with [`Machine::answer`],
//! together with the clock's reading.
//!
//! `mod.rs` is the API; `fibers.rs` holds the fibers of `parallel` steps and the seeded
//! scheduler; `interp.rs` the interpreter loop and error unwinding; `host.rs` what natives
//! see of the world (clock, environment, random numbers).

mod fibers;
mod host;
mod interp;

use std::collections::HashMap;
use std::rc::Rc;

use crate::code::Program;
use crate::effects::{Effect, EffectId, Origin};
use crate::error::{Raised, error, tags};
use crate::value::Value;

use fibers::{Fiber, FiberState, new_frame};
use host::Host;
pub use host::{built_in_env, splitmix64};
use interp::{Exit, Run, Script, run_fiber, unwind};

/// GCW's limits. Benchmarks and tests may lift them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Step executions per execution (ResourceLimitError past it).
    pub max_steps: u64,
    /// Subworkflow call depth (RecursionError past it).
    pub max_call_depth: usize,
    /// Bytes of variables, measured at checkpoints (ResourceLimitError past it).
    pub max_memory: usize,
}

impl Limits {
    /// The limits real GCW applies (see `docs/semantics.md`).
    pub const GCW: Limits = Limits { max_steps: 100_000, max_call_depth: 20, max_memory: 512 * 1024 };
    /// No limits (for benchmarks).
    pub const NONE: Limits = Limits { max_steps: u64::MAX, max_call_depth: 100_000, max_memory: usize::MAX };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::GCW
    }
}

/// How an execution starts.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Environment variables for `sys.get_env` (the `GOOGLE_CLOUD_*` built-ins have defaults).
    pub env: HashMap<String, Value>,
    /// Seeds `uuid.generate` and the parallel scheduler.
    pub seed: u64,
    /// The clock at the start, in Unix seconds.
    pub start_time: f64,
    /// Limits.
    pub limits: Limits,
    /// Record the executed steps.
    pub trace: bool,
    /// Scripted scheduling instead of the seeded scheduler: whenever several fibers are
    /// ready, the k-th such choice takes `schedule[k]` (modulo how many are ready; 0 past
    /// the end), and the machine records every choice ([`Machine::schedule_taken`]).
    pub schedule: Option<Vec<u32>>,
}

/// What the machine needs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Perform this effect and [`Machine::answer`] it.
    Effect(Request),
    /// Waiting for answers to effects already handed out.
    Waiting,
    /// The execution succeeded with this result.
    Done(Value),
    /// The execution failed with this error.
    Failed(Raised),
}

/// An effect the machine asks for: its id (for the answer), what to do, and where in the
/// workflow it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Answer with this id.
    pub id: EffectId,
    /// What to do.
    pub effect: Effect,
    /// The step and source span that asked.
    pub origin: Origin,
}

/// One executed step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// Its name.
    pub step: Rc<str>,
    /// Its subworkflow.
    pub routine: Rc<str>,
    /// The clock (Unix seconds) when it started.
    pub time: f64,
}

/// An answer the machine cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownEffect(pub EffectId);

impl std::fmt::Display for UnknownEffect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "effect {} is not waiting for an answer", self.0)
    }
}

impl std::error::Error for UnknownEffect {}

/// What to do with an effect's answer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pending {
    /// Push the result.
    Push,
    /// A retry backoff slept `slept` seconds: the next delay is `min(slept * mult, max)`.
    Backoff { delay: u32, multiplier: u32, max: u32, slept: f64 },
}

/// A running execution.
#[derive(Debug)]
pub struct Machine {
    program: Rc<Program>,
    fibers: Vec<Fiber>,
    ready: Vec<usize>,
    waiting: HashMap<EffectId, usize>,
    run: Run,
    next_effect: EffectId,
    outcome: Option<Status>,
    started_at: f64,
}

impl Machine {
    /// Starts `main` with the runtime `argument` (null when there is none).
    pub fn new(program: Rc<Program>, argument: Value, options: RunOptions) -> Machine {
        let run = Run {
            // The built-in variables are looked up only when the workflow asks for them.
            host: Host { now: options.start_time, env: options.env, rng: options.seed },
            limits: options.limits,
            steps: 0,
            check_at: 0,
            stored: 0,
            spare_slots: Vec::new(),
            trace: options.trace.then(Vec::new),
            schedule: options.seed ^ 0x5DEE_CE66_D1CE_4E5B,
            script: options.schedule.map(|s| Script { choices: s, taken: Vec::new() }),
        };
        let mut m = Machine {
            program,
            fibers: Vec::new(),
            ready: Vec::new(),
            waiting: HashMap::new(),
            run,
            next_effect: 1,
            outcome: None,
            started_at: options.start_time,
        };
        let Some(main) = m.program.functions.first() else {
            m.outcome = Some(Status::Failed(Raised::new(error(tags::SYSTEM, "the workflow has no main"), None)));
            return m;
        };
        let args = (main.params > 0).then_some(argument);
        let frame = new_frame(&m.program, 0, args, Vec::new(), 0, 0);
        m.fibers.push(Fiber::new(frame));
        m.ready.push(0);
        m
    }

    /// The clock (Unix seconds) when the execution started.
    pub fn started_at(&self) -> f64 {
        self.started_at
    }

    /// Each choice between ready fibers so far, as (the one taken, how many were ready),
    /// when the schedule is scripted ([`RunOptions::schedule`]); empty otherwise.
    pub fn schedule_taken(&self) -> &[(u32, u32)] {
        self.run.script.as_ref().map_or(&[], |s| &s.taken)
    }

    /// Step executions so far.
    pub fn steps_executed(&self) -> u64 {
        self.run.steps
    }

    /// The names of the executed steps, in order (when `trace` was requested).
    pub fn trace(&self) -> Vec<Rc<str>> {
        self.history().map(|s| s.step).collect()
    }

    /// The executed steps, in order, with their subworkflow and the clock when each started
    /// (when `trace` was requested).
    pub fn history(&self) -> impl Iterator<Item = StepRecord> + '_ {
        self.run.trace.iter().flatten().map(|&(id, time)| StepRecord {
            step: Rc::clone(&self.program.steps[id as usize]),
            routine: self
                .program
                .step_routines
                .get(id as usize)
                .and_then(|&f| self.program.functions.get(f as usize))
                .map_or_else(|| Rc::from("main"), |f| Rc::clone(&f.name)),
            time,
        })
    }

    /// Runs until the machine needs an answer, or the execution ends. With parallel
    /// branches several effects may be outstanding at once; `Waiting` means every fiber
    /// waits for an answer.
    pub fn poll(&mut self) -> Status {
        loop {
            if let Some(done) = &self.outcome {
                return done.clone();
            }
            let Some(cur) = self.pick() else { return Status::Waiting };
            let exit = run_fiber(&self.program, &mut self.fibers, cur, &mut self.run);
            match exit {
                Exit::Effect(effect, pending) => {
                    let id = self.next_effect;
                    self.next_effect += 1;
                    let origin = self.origin(cur);
                    self.fibers[cur].state = FiberState::Blocked(pending);
                    self.waiting.insert(id, cur);
                    return Status::Effect(Request { id, effect, origin });
                }
                Exit::Spawn(table) => self.spawn(cur, table),
                Exit::Finished(value) => self.finish(cur, Ok(value)),
                Exit::Failed(raised) => self.finish(cur, Err(raised)),
                Exit::Abort(raised) => self.outcome = Some(Status::Failed(raised)),
            }
        }
    }

    /// Effects handed out and not answered yet.
    pub fn outstanding(&self) -> usize {
        self.waiting.len()
    }

    /// Answers effect `id` with its result, or with the error it raised; `now` is the
    /// clock's reading (Unix seconds) at the answer, which `sys.now` and `time.*` see from
    /// here on. An id that is not waiting is refused, and nothing changes.
    pub fn answer(&mut self, id: EffectId, result: Result<Value, Value>, now: f64) -> Result<(), UnknownEffect> {
        let Some(&cur) = self.waiting.get(&id) else { return Err(UnknownEffect(id)) };
        let FiberState::Blocked(pending) = self.fibers[cur].state else { return Err(UnknownEffect(id)) };
        self.waiting.remove(&id);
        self.run.host.now = now;
        self.fibers[cur].state = FiberState::Ready;
        let fiber = &mut self.fibers[cur];
        match (pending, result) {
            (Pending::Push, Ok(v)) => fiber.stack.push(v),
            (Pending::Backoff { delay, multiplier, max, slept }, Ok(_)) => {
                if let Some(frame) = fiber.frames.last_mut() {
                    let mult = frame.slots[multiplier as usize].as_ref().and_then(Value::as_f64).unwrap_or(1.0);
                    let cap = frame.slots[max as usize].as_ref().and_then(Value::as_f64).unwrap_or(f64::INFINITY);
                    frame.slots[delay as usize] = Some(Value::Double((slept * mult).min(cap)));
                }
            }
            (_, Err(e)) => {
                if let Err(raised) = unwind(&self.program, fiber, e) {
                    self.finish(cur, Err(raised));
                    return Ok(());
                }
            }
        }
        self.ready.push(cur);
        Ok(())
    }

    /// Where fiber `cur` stopped: its step and the span of the instruction that stopped it.
    fn origin(&self, cur: usize) -> Origin {
        let Some(frame) = self.fibers[cur].frames.last() else { return Origin::default() };
        self.program.origin(frame.func, frame.pc.saturating_sub(1))
    }
}
