//! The machine: runs a [`Program`] one instruction at a time until it needs the outside
//! world. It never blocks and never reads the wall clock: the driver calls [`Machine::poll`],
//! performs the [`Effect`] it gets, and hands the outcome back with [`Machine::answer`].

use std::collections::HashMap;
use std::rc::Rc;

use crate::code::{NO_SLOT, Op, Program};
use crate::effects::{Effect, EffectId, effect};
use crate::error::{Raised, error, tags, type_error, value_error};
use crate::memory;
use crate::ops::{self, IntResult};
use crate::scopes::Scopes;
use crate::stdlib::{Args, Context};
use crate::value::{Map, Value};

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
}

/// What the machine needs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Perform this effect and [`Machine::answer`] it.
    Effect(EffectId, Effect),
    /// Waiting for answers to effects already handed out.
    Waiting,
    /// The execution succeeded with this result.
    Done(Value),
    /// The execution failed with this error.
    Failed(Raised),
}

/// What to do with an effect's answer.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// Push the result.
    Push,
    /// A retry backoff slept `slept` seconds: the next delay is `min(slept * mult, max)`.
    Backoff { delay: u32, multiplier: u32, max: u32, slept: f64 },
}

#[derive(Debug)]
struct Frame {
    func: u32,
    pc: u32,
    slots: Vec<Option<Value>>,
    stack_base: usize,
    scope_base: usize,
}

/// The branches or iterations of a running parallel step.
#[derive(Debug)]
struct Group {
    table: u32,
    /// For a parallel `for`: the items to run.
    items: Vec<Value>,
    total: usize,
    started: usize,
    running: usize,
    limit: usize,
    errors: Vec<(usize, Value)>,
}

#[derive(Debug)]
enum FiberState {
    Ready,
    Blocked(Pending),
    Children(Group),
    Finished,
}

/// A thread of execution: `main`, or one branch or iteration of a parallel step.
#[derive(Debug)]
struct Fiber {
    stack: Vec<Value>,
    frames: Vec<Frame>,
    scopes: Scopes,
    state: FiberState,
    /// The fiber that started this one and the index of its frame that holds the variables.
    parent: Option<(usize, usize)>,
    /// Slots shared with the parent (the parallel step's `shared`).
    shared: Vec<u32>,
    /// The branch's code: only `try`s inside it catch its errors in its base frame.
    range: (u32, u32),
    /// Parallel nesting depth (0 for `main`).
    depth: u32,
    /// Index of the branch in its group.
    index: usize,
}

impl Fiber {
    fn new(frame: Frame) -> Fiber {
        Fiber {
            stack: Vec::with_capacity(64),
            frames: vec![frame],
            scopes: Scopes::default(),
            state: FiberState::Ready,
            parent: None,
            shared: Vec::new(),
            range: (0, u32::MAX),
            depth: 0,
            index: 0,
        }
    }
}

/// The clock, environment and random numbers natives see.
#[derive(Debug)]
struct Host {
    now: f64,
    env: HashMap<String, Value>,
    rng: u64,
}

impl Context for Host {
    fn now(&self) -> f64 {
        self.now
    }

    fn env(&self, name: &str) -> Option<Value> {
        match self.env.get(name) {
            Some(v) => Some(v.clone()),
            None => built_in_env(name).map(Value::str),
        }
    }

    fn random_u64(&mut self) -> u64 {
        splitmix64(&mut self.rng)
    }
}

/// Execution-wide counters and settings the interpreter loop updates.
#[derive(Debug)]
struct Run {
    host: Host,
    limits: Limits,
    steps: u64,
    /// The step count at which `Step` next leaves its fast path (see [`Run::next_check`]).
    check_at: u64,
    /// Bytes stored since variables were last measured (see `memory.rs`).
    stored: usize,
    /// Slot vectors of returned frames, reused by calls (no allocation per call).
    spare_slots: Vec<Vec<Option<Value>>>,
    trace: Option<Vec<Rc<str>>>,
    /// The scheduler's own random numbers (kept apart from `uuid.generate`'s).
    schedule: u64,
}

impl Run {
    /// The next step count at which a step needs more than counting: every step when
    /// tracing, else the step limit or the next memory checkpoint, whichever comes first.
    fn next_check(&self) -> u64 {
        if self.trace.is_some() {
            return 0;
        }
        let over_limit = self.limits.max_steps.saturating_add(1);
        if self.limits.max_memory == usize::MAX {
            return over_limit;
        }
        let checkpoint = (self.steps / memory::CHECK_EVERY_STEPS + 1) * memory::CHECK_EVERY_STEPS;
        over_limit.min(checkpoint)
    }
}

/// How a fiber stopped running.
enum Exit {
    Effect(Effect, Pending),
    Spawn(u32),
    Finished(Value),
    Failed(Raised),
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
}

/// Built-in environment variables and their defaults.
const BUILT_IN_ENV: &[(&str, &str)] = &[
    ("GOOGLE_CLOUD_PROJECT_ID", "local-project"),
    ("GOOGLE_CLOUD_PROJECT_NUMBER", "000000000000"),
    ("GOOGLE_CLOUD_LOCATION", "us-central1"),
    ("GOOGLE_CLOUD_WORKFLOW_ID", "workflow"),
    ("GOOGLE_CLOUD_WORKFLOW_REVISION_ID", "000001-abc"),
    ("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID", "local-execution"),
    ("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ATTEMPT", "1"),
];

/// The default of a built-in environment variable (`GOOGLE_CLOUD_PROJECT_ID`, ...).
pub fn built_in_env(name: &str) -> Option<&'static str> {
    BUILT_IN_ENV.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

/// Deepest parallel nesting GCW allows.
const MAX_PARALLEL_DEPTH: u32 = 2;

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
        };
        let mut m = Machine {
            program,
            fibers: Vec::new(),
            ready: Vec::new(),
            waiting: HashMap::new(),
            run,
            next_effect: 1,
            outcome: None,
        };
        let Some(main) = m.program.functions.first() else {
            m.outcome =
                Some(Status::Failed(Raised { value: error(tags::SYSTEM, "the workflow has no main"), span: None }));
            return m;
        };
        let args = (main.params > 0).then_some(argument);
        let frame = new_frame(&m.program, 0, args, Vec::new(), 0, 0);
        m.fibers.push(Fiber::new(frame));
        m.ready.push(0);
        m
    }

    /// Sets the clock (Unix seconds) that `sys.now` and `time.*` see.
    pub fn set_now(&mut self, now: f64) {
        self.run.host.now = now;
    }

    /// Step executions so far.
    pub fn steps_executed(&self) -> u64 {
        self.run.steps
    }

    /// The names of the executed steps, in order (when `trace` was requested).
    pub fn trace(&self) -> &[Rc<str>] {
        self.run.trace.as_deref().unwrap_or(&[])
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
                    self.fibers[cur].state = FiberState::Blocked(pending);
                    self.waiting.insert(id, cur);
                    return Status::Effect(id, effect);
                }
                Exit::Spawn(table) => self.spawn(cur, table),
                Exit::Finished(value) => self.finish(cur, Ok(value)),
                Exit::Failed(raised) => self.finish(cur, Err(raised)),
            }
        }
    }

    /// Answers effect `id` with its result, or with the error it raised.
    pub fn answer(&mut self, id: EffectId, result: Result<Value, Value>) {
        let Some(cur) = self.waiting.remove(&id) else { return };
        let FiberState::Blocked(pending) = self.fibers[cur].state else { return };
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
                    return;
                }
            }
        }
        self.ready.push(cur);
    }

    /// The next fiber to run, chosen by the seeded scheduler.
    fn pick(&mut self) -> Option<usize> {
        match self.ready.len() {
            0 => None,
            1 => self.ready.pop(),
            n => {
                let i = (splitmix64(&mut self.run.schedule) % n as u64) as usize;
                Some(self.ready.swap_remove(i))
            }
        }
    }

    /// Starts the branches of parallel step `table` under fiber `parent`.
    fn spawn(&mut self, parent: usize, table: u32) {
        let program = Rc::clone(&self.program);
        let t = &program.parallels[table as usize];
        let fiber = &mut self.fibers[parent];
        if fiber.depth >= MAX_PARALLEL_DEPTH {
            let e =
                error(tags::PARALLEL_NESTING, format!("parallel steps nest deeper than {MAX_PARALLEL_DEPTH} levels"));
            return self.raise_in(parent, e);
        }
        let frame = fiber.frames.last().expect("a running fiber has a frame");
        let items = match &t.each {
            Some(each) => match parallel_items(frame.slots[each.source as usize].as_ref(), each.range) {
                Ok(items) => items,
                Err(e) => return self.raise_in(parent, e),
            },
            None => Vec::new(),
        };
        let limit = match t.limit.map(|s| frame.slots[s as usize].clone()) {
            None => usize::MAX,
            Some(Some(Value::Int(n))) if n > 0 => n as usize,
            Some(other) => {
                let found = other.as_ref().map_or("nothing".to_string(), |v| v.to_string());
                let e = value_error(format!("`concurrency_limit` must be a positive integer, found {found}"));
                return self.raise_in(parent, e);
            }
        };
        let total = if t.each.is_some() { items.len() } else { t.branches.len() };
        self.fibers[parent].state =
            FiberState::Children(Group { table, items, total, started: 0, running: 0, limit, errors: Vec::new() });
        self.start_children(parent);
        self.resume_if_done(parent);
    }

    /// Starts queued branches of `parent`'s group, up to its concurrency limit.
    fn start_children(&mut self, parent: usize) {
        let program = Rc::clone(&self.program);
        loop {
            let (table, k, item) = match &mut self.fibers[parent].state {
                FiberState::Children(g) if g.started < g.total && g.running < g.limit => {
                    g.started += 1;
                    g.running += 1;
                    (g.table, g.started - 1, g.items.get(g.started - 1).cloned())
                }
                _ => return,
            };
            let t = &program.parallels[table as usize];
            let p = &self.fibers[parent];
            let frame_index = p.frames.len() - 1;
            let pf = &p.frames[frame_index];
            let range = t.branches.get(if t.each.is_some() { 0 } else { k }).copied().unwrap_or((0, 0));
            let mut slots = pf.slots.clone();
            if let (Some(each), Some(item)) = (&t.each, item) {
                slots[each.value as usize] = Some(item);
                if each.index != NO_SLOT {
                    slots[each.index as usize] = Some(Value::Int(k as i64));
                }
            }
            let frame = Frame { func: pf.func, pc: range.0, slots, stack_base: 0, scope_base: 0 };
            let mut child = Fiber::new(frame);
            child.parent = Some((parent, frame_index));
            child.shared = t.shared.clone();
            child.range = range;
            child.depth = p.depth + 1;
            child.index = k;
            self.fibers.push(child);
            self.ready.push(self.fibers.len() - 1);
        }
    }

    /// A fiber ended. `main` ends the execution; a branch reports to its parent.
    fn finish(&mut self, cur: usize, result: Result<Value, Raised>) {
        let fiber = &mut self.fibers[cur];
        fiber.state = FiberState::Finished;
        fiber.frames = Vec::new();
        fiber.stack = Vec::new();
        let Some((parent, _)) = fiber.parent else {
            self.outcome = Some(match result {
                Ok(v) => Status::Done(v),
                Err(r) => Status::Failed(r),
            });
            return;
        };
        let index = fiber.index;
        if let FiberState::Children(g) = &mut self.fibers[parent].state {
            g.running -= 1;
            if let Err(r) = result {
                g.errors.push((index, r.value));
            }
        }
        self.start_children(parent);
        self.resume_if_done(parent);
    }

    /// When every branch of `parent`'s group is done, continue after the parallel step (or
    /// raise UnhandledBranchError there).
    fn resume_if_done(&mut self, parent: usize) {
        let FiberState::Children(g) = &self.fibers[parent].state else { return };
        if g.running > 0 || g.started < g.total {
            return;
        }
        let t = &self.program.parallels[g.table as usize];
        let failures = (!g.errors.is_empty()).then(|| unhandled_branches(t, &g.errors));
        let after = t.after;
        let fiber = &mut self.fibers[parent];
        fiber.state = FiberState::Ready;
        if let Some(frame) = fiber.frames.last_mut() {
            frame.pc = after;
        }
        match failures {
            None => self.ready.push(parent),
            Some(e) => self.raise_in(parent, e),
        }
    }

    /// Raises `e` in fiber `cur` at the instruction before its pc.
    fn raise_in(&mut self, cur: usize, e: Value) {
        let fiber = &mut self.fibers[cur];
        fiber.state = FiberState::Ready;
        match unwind(&self.program, fiber, e) {
            Ok(()) => self.ready.push(cur),
            Err(raised) => self.finish(cur, Err(raised)),
        }
    }
}

/// The next number of the splitmix64 sequence in `state`: small, fast, and good enough for
/// ids and scheduling (not for secrets).
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A frame for `func` whose first slots are `args`; `slots` is an empty vector to reuse.
fn new_frame(
    program: &Program,
    func: u32,
    args: impl IntoIterator<Item = Value>,
    mut slots: Vec<Option<Value>>,
    stack_base: usize,
    scope_base: usize,
) -> Frame {
    let nslots = program.functions[func as usize].slot_names.len();
    slots.reserve(nslots);
    for arg in args {
        slots.push(Some(arg));
    }
    while slots.len() < nslots {
        slots.push(None);
    }
    Frame { func, pc: 0, slots, stack_base, scope_base }
}

/// The items of a parallel `for`: the list, or every number of the range.
fn parallel_items(source: Option<&Value>, range: bool) -> Result<Vec<Value>, Value> {
    match (source, range) {
        (Some(Value::List(l)), false) => Ok(l.to_vec()),
        (Some(Value::List(l)), true) if l.len() == 2 => match (&l[0], &l[1]) {
            (Value::Int(a), Value::Int(b)) => Ok((*a..=*b).map(Value::Int).collect()),
            (a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) => {
                    let n = if b >= a { (b - a).floor() as usize + 1 } else { 0 };
                    Ok((0..n).map(|i| Value::Double(a + i as f64)).collect())
                }
                _ => Err(type_error("`range` ends must be numbers")),
            },
        },
        (Some(v), false) => Err(type_error(format!("a parallel `for ... in` needs a list, found {}", v.type_name()))),
        _ => Err(type_error("`range` needs a list of two numbers")),
    }
}

/// The error a parallel step raises when branches failed (see `docs/semantics.md`).
fn unhandled_branches(t: &crate::code::ParallelTable, errors: &[(usize, Value)]) -> Value {
    let mut sorted = errors.to_vec();
    sorted.sort_by_key(|(i, _)| *i);
    let branches: Vec<Value> = sorted
        .into_iter()
        .map(|(i, e)| {
            let id = t.names.get(i).map_or_else(|| Value::str(i.to_string()), |n| Value::Str(n.clone()));
            Value::from_pairs([("id", id), ("error", e)])
        })
        .collect();
    let n = branches.len();
    Value::from_pairs([
        (
            "message",
            Value::str(format!("{n} parallel branch{} failed with an unhandled error", if n == 1 { "" } else { "es" })),
        ),
        ("tags", Value::list(vec![Value::str(tags::UNHANDLED_BRANCH)])),
        ("branches", Value::list(branches)),
    ])
}

/// Unwinds `fiber` to the innermost `try` covering the failing instruction. In a branch's
/// base frame only `try`s inside the branch count.
fn unwind(program: &Program, fiber: &mut Fiber, value: Value) -> Result<(), Raised> {
    let span = fiber.frames.last().map(|f| {
        let func = &program.functions[f.func as usize];
        func.spans.get(f.pc.saturating_sub(1) as usize).copied().unwrap_or_default()
    });
    let is_branch = fiber.parent.is_some();
    let (lo, hi) = fiber.range;
    loop {
        let base = fiber.frames.len() == 1;
        let Some(frame) = fiber.frames.last_mut() else { break };
        let func = &program.functions[frame.func as usize];
        let at = frame.pc.saturating_sub(1);
        let handler = func
            .handlers
            .iter()
            .filter(|h| h.start <= at && at < h.end && !(is_branch && base && (h.start < lo || h.end > hi)))
            .max_by_key(|h| h.start)
            .copied();
        if let Some(h) = handler {
            fiber.stack.truncate(frame.stack_base);
            let keep = frame.scope_base + h.scopes as usize;
            fiber.scopes.leave_to(keep, &mut frame.slots);
            frame.slots[h.error as usize] = Some(value);
            frame.pc = h.handler;
            return Ok(());
        }
        if base {
            break;
        }
        let frame = fiber.frames.pop().expect("the loop holds a frame");
        fiber.stack.truncate(frame.stack_base);
        fiber.scopes.forget_to(frame.scope_base);
    }
    Err(Raised { value, span })
}

/// Where a shared variable lives: the nearest ancestor fiber that does not share it further.
fn shared_home(ancestors: &[Fiber], start: Option<(usize, usize)>, slot: u32) -> Option<(usize, usize)> {
    let mut at = start?;
    loop {
        let f = ancestors.get(at.0)?;
        match f.parent {
            Some(up) if f.shared.contains(&slot) => at = up,
            _ => return Some(at),
        }
    }
}

/// Runs fiber `cur` until it needs an effect, spawns branches, or ends.
fn run_fiber(program: &Program, fibers: &mut [Fiber], cur: usize, run: &mut Run) -> Exit {
    let (ancestors, rest) = fibers.split_at_mut(cur);
    let fiber = &mut rest[0];
    // The outer loop finds the running frame; the inner one runs its code until a call,
    // a return or an error changes frames (then the outer loop looks again).
    'frames: loop {
        let depth = fiber.frames.len();
        let Some(frame) = fiber.frames.last_mut() else {
            return Exit::Failed(Raised { value: error(tags::SYSTEM, "no frame to run"), span: None });
        };
        let func = &program.functions[frame.func as usize];
        let code: &[Op] = &func.code;
        // The program counter lives in a register while the frame runs; it is written back
        // to the frame whenever control leaves this loop (calls, effects, errors, returns).
        let mut pc = frame.pc;
        loop {
            let Some(&op) = code.get(pc as usize) else {
                return Exit::Failed(Raised { value: error(tags::SYSTEM, "ran past the end of the code"), span: None });
            };
            pc += 1;
            let stack = &mut fiber.stack;
            let result: Result<(), Value> = match op {
                Op::Null => {
                    stack.push(Value::Null);
                    Ok(())
                }
                Op::Bool(b) => {
                    stack.push(Value::Bool(b));
                    Ok(())
                }
                Op::Int(n) => {
                    stack.push(Value::Int(n));
                    Ok(())
                }
                Op::Const(c) => {
                    stack.push(program.consts[c as usize].clone());
                    Ok(())
                }
                Op::Load(s) => load(stack, &frame.slots, s, func),
                Op::Store(s) => {
                    let v = stack.pop();
                    run.stored += v.as_ref().map_or(0, memory::stored_estimate);
                    put(&mut frame.slots[s as usize], v);
                    Ok(())
                }
                Op::LoadShared(s) => {
                    let slots = match shared_home(ancestors, fiber.parent, s) {
                        Some((f, fi)) => &ancestors[f].frames[fi].slots,
                        None => &frame.slots,
                    };
                    load(stack, slots, s, func)
                }
                Op::StoreShared(s) => {
                    let v = stack.pop();
                    run.stored += v.as_ref().map_or(0, memory::stored_estimate);
                    match shared_home(ancestors, fiber.parent, s) {
                        Some((f, fi)) => ancestors[f].frames[fi].slots[s as usize] = v,
                        None => put(&mut frame.slots[s as usize], v),
                    }
                    Ok(())
                }
                Op::StorePath { slot, depth, shared } => {
                    // The stack holds the value, then the keys; both are read in place.
                    let keys_at = stack.len() - depth as usize;
                    let value = std::mem::take(&mut stack[keys_at - 1]);
                    run.stored += memory::stored_estimate(&value);
                    let home = if shared { shared_home(ancestors, fiber.parent, slot) } else { None };
                    let target = match home {
                        Some((f, fi)) => ancestors[f].frames[fi].slots[slot as usize].as_mut(),
                        None => frame.slots[slot as usize].as_mut(),
                    };
                    let stored = match target {
                        Some(root) => ops::assign_path(root, &stack[keys_at..], value),
                        None => Err(undefined(func, slot)),
                    };
                    stack.truncate(keys_at - 1);
                    stored
                }
                Op::Binary(b) => {
                    let rhs = stack.pop().unwrap_or_default();
                    let lhs = stack.pop().unwrap_or_default();
                    let fast = match (&lhs, &rhs) {
                        (Value::Int(x), Value::Int(y)) => ops::int_fast_path(b, *x, *y).map(Value::from),
                        _ => None,
                    };
                    match fast {
                        Some(v) => {
                            stack.push(v);
                            Ok(())
                        }
                        None => ops::binary(b, lhs, rhs).map(|v| stack.push(v)),
                    }
                }
                Op::IntOp { op, lhs, rhs, rhs_slot, dst } => {
                    if let Some((x, y)) = int_operands(&frame.slots, lhs, rhs, rhs_slot)
                        && let Some(v) = ops::int_fast_path(op, x, y)
                    {
                        // Skip the plain code: two operands and the operation, and the store.
                        if dst == NO_SLOT {
                            stack.push(v.into());
                            pc += 3;
                        } else {
                            put_scalar(&mut frame.slots[dst as usize], v);
                            pc += 4;
                        }
                    }
                    Ok(())
                }
                Op::IntBranch { op, lhs, rhs, rhs_slot, target } => {
                    if let Some((x, y)) = int_operands(&frame.slots, lhs, rhs, rhs_slot)
                        && let Some(ops::IntResult::Bool(holds)) = ops::int_fast_path(op, x, y)
                    {
                        // Skip the plain code (operands, comparison, `JumpIfFalse`) or jump.
                        pc = if holds { pc + 4 } else { target };
                    }
                    Ok(())
                }
                Op::Neg => {
                    let v = stack.pop().unwrap_or_default();
                    ops::negate(v).map(|v| stack.push(v))
                }
                Op::Not => {
                    let v = stack.pop().unwrap_or_default();
                    ops::not(v).map(|v| stack.push(v))
                }
                Op::AndThen(target) | Op::OrElse(target) => {
                    let short = matches!(op, Op::OrElse(_));
                    match stack.pop() {
                        Some(Value::Bool(b)) if b == short => {
                            stack.push(Value::Bool(b));
                            pc = target;
                            Ok(())
                        }
                        Some(Value::Bool(_)) => Ok(()),
                        other => Err(bool_needed(other.as_ref())),
                    }
                }
                Op::CheckBool => match stack.last() {
                    Some(Value::Bool(_)) => Ok(()),
                    other => Err(bool_needed(other)),
                },
                Op::Field(c) => {
                    let object = stack.pop().unwrap_or_default();
                    let key = program.consts[c as usize].as_str().unwrap_or("");
                    ops::field(&object, key).map(|v| stack.push(v))
                }
                Op::Index => {
                    let index = stack.pop().unwrap_or_default();
                    let object = stack.pop().unwrap_or_default();
                    ops::index(&object, &index).map(|v| stack.push(v))
                }
                Op::List(n) => {
                    let items = stack.split_off(stack.len() - n as usize);
                    stack.push(Value::list(items));
                    Ok(())
                }
                Op::Map(n) => {
                    let base = stack.len() - 2 * n as usize;
                    let map = build_map(stack.drain(base..), n as usize);
                    map.map(|m| stack.push(m))
                }
                Op::AppendInPlace { slot, native } => {
                    let value = stack.pop().unwrap_or_default();
                    run.stored += 16 + memory::stored_estimate(&value);
                    match frame.slots[slot as usize].as_mut() {
                        Some(Value::List(items)) => {
                            Rc::make_mut(items).push(value);
                            Ok(())
                        }
                        Some(other) => {
                            let f = program.natives[native as usize].1;
                            let args = [Some(other.clone()), Some(value)];
                            f(Args::new(&args), &mut run.host).map(|v| frame.slots[slot as usize] = Some(v))
                        }
                        None => Err(undefined(func, slot)),
                    }
                }
                Op::CallNative { native, argc, present } => {
                    let base = stack.len() - argc as usize;
                    let positions = 32 - present.leading_zeros() as usize;
                    let f = program.natives[native as usize].1;
                    let result = if positions <= INLINE_ARGS {
                        let mut slots: [Option<Value>; INLINE_ARGS] = Default::default();
                        spread_args(stack.drain(base..), present, &mut slots[..positions]);
                        f(Args::new(&slots[..positions]), &mut run.host)
                    } else {
                        let mut slots: Vec<Option<Value>> = vec![None; positions];
                        spread_args(stack.drain(base..), present, &mut slots);
                        f(Args::new(&slots), &mut run.host)
                    };
                    result.map(|v| stack.push(v))
                }
                Op::CallSub { func: callee, argc } => {
                    if depth >= run.limits.max_call_depth {
                        Err(error(tags::RECURSION, format!("call depth exceeds {}", run.limits.max_call_depth)))
                    } else {
                        frame.pc = pc;
                        let base = stack.len() - argc as usize;
                        let slots = run.spare_slots.pop().unwrap_or_default();
                        let f = new_frame(program, callee, stack.drain(base..), slots, base, fiber.scopes.len());
                        fiber.frames.push(f);
                        continue 'frames;
                    }
                }
                Op::Effect(site) => {
                    let site = &program.effects[site as usize];
                    let values = stack.split_off(stack.len() - site.args.len());
                    let args: Map = site.args.iter().cloned().zip(values).collect();
                    match effect(&site.function, args) {
                        Ok(e) => {
                            frame.pc = pc;
                            return Exit::Effect(e, Pending::Push);
                        }
                        Err(e) => Err(e),
                    }
                }
                Op::Step(id) => {
                    run.steps += 1;
                    if run.steps < run.check_at && run.stored < memory::CHECK_AFTER_BYTES {
                        continue;
                    }
                    run.check_at = run.next_check();
                    if let Some(trace) = &mut run.trace {
                        trace.push(program.steps[id as usize].clone());
                    }
                    if run.limits.max_memory == usize::MAX {
                        run.stored = 0;
                    }
                    if run.steps > run.limits.max_steps {
                        Err(error(tags::RESOURCE_LIMIT, format!("more than {} steps executed", run.limits.max_steps)))
                    } else if run.limits.max_memory != usize::MAX
                        && (run.steps.is_multiple_of(memory::CHECK_EVERY_STEPS)
                            || run.stored >= memory::CHECK_AFTER_BYTES)
                    {
                        frame.pc = pc;
                        run.stored = 0;
                        let checked = check_memory(&fiber.frames, run.limits.max_memory);
                        if let Err(e) = checked
                            && let Err(raised) = unwind(program, fiber, e)
                        {
                            return Exit::Failed(raised);
                        }
                        continue 'frames;
                    } else {
                        Ok(())
                    }
                }
                Op::Jump(target) => {
                    pc = target;
                    Ok(())
                }
                Op::JumpIfFalse(target) => match stack.pop() {
                    Some(Value::Bool(true)) => Ok(()),
                    Some(Value::Bool(false)) => {
                        pc = target;
                        Ok(())
                    }
                    other => Err(type_error(format!(
                        "a condition must be a boolean, found {}",
                        other.as_ref().map_or("nothing", Value::type_name)
                    ))),
                },
                Op::Pop => {
                    stack.pop();
                    Ok(())
                }
                Op::Return => {
                    if fiber.parent.is_some() && depth == 1 {
                        Err(error(tags::SYSTEM, "`return` and `next: end` are not allowed inside a parallel branch"))
                    } else {
                        frame.pc = pc;
                        let value = stack.pop().unwrap_or_default();
                        let mut done = fiber.frames.pop().expect("a frame is running");
                        stack.truncate(done.stack_base);
                        fiber.scopes.forget_to(done.scope_base);
                        done.slots.clear();
                        run.spare_slots.push(std::mem::take(&mut done.slots));
                        if fiber.frames.is_empty() {
                            return match crate::json::check_json(&value) {
                                Ok(_) => Exit::Finished(value),
                                Err(e) => Exit::Failed(Raised {
                                    value: e,
                                    span: func.spans.get(done.pc as usize - 1).copied(),
                                }),
                            };
                        }
                        stack.push(value);
                        continue 'frames;
                    }
                }
                Op::Raise => Err(stack.pop().unwrap_or_default()),
                Op::StartList(iter) => match stack.pop() {
                    Some(list @ Value::List(_)) => {
                        frame.slots[iter as usize] = Some(list);
                        frame.slots[iter as usize + 1] = Some(Value::Int(0));
                        Ok(())
                    }
                    other => Err(type_error(format!(
                        "`for ... in` needs a list, found {}",
                        other.as_ref().map_or("nothing", Value::type_name)
                    ))),
                },
                Op::StartRange(iter) => start_range(stack.pop(), &mut frame.slots, iter as usize),
                Op::NextItem { iter, value, index, exit } => {
                    if !next_item(&mut frame.slots, iter, value, index) {
                        pc = exit;
                    }
                    Ok(())
                }
                Op::NextInRange { iter, value, index, exit } => {
                    if !next_in_range(&mut frame.slots, iter, value, index) {
                        pc = exit;
                    }
                    Ok(())
                }
                Op::ScopeEnter(n) => {
                    fiber.scopes.enter(&program.scopes[n as usize], &frame.slots);
                    Ok(())
                }
                Op::NextIteration(head) => {
                    fiber.scopes.reset_innermost(&mut frame.slots);
                    // Run the loop head here rather than dispatching to it.
                    let more = match code[head as usize] {
                        Op::NextInRange { iter, value, index, exit } => {
                            next_in_range(&mut frame.slots, iter, value, index).then_some(()).ok_or(exit)
                        }
                        Op::NextItem { iter, value, index, exit } => {
                            next_item(&mut frame.slots, iter, value, index).then_some(()).ok_or(exit)
                        }
                        _ => Err(head),
                    };
                    pc = match more {
                        Ok(()) => head + 1,
                        Err(to) => to,
                    };
                    Ok(())
                }
                Op::ScopeTo(depth) => {
                    fiber.scopes.leave_to(frame.scope_base + depth as usize, &mut frame.slots);
                    Ok(())
                }
                Op::Backoff { delay, multiplier, max } => {
                    let d = frame.slots[delay as usize].as_ref().and_then(Value::as_f64).unwrap_or(1.0);
                    let cap = frame.slots[max as usize].as_ref().and_then(Value::as_f64).unwrap_or(f64::INFINITY);
                    let seconds = d.min(cap).max(0.0);
                    frame.pc = pc;
                    return Exit::Effect(
                        Effect::Sleep { seconds },
                        Pending::Backoff { delay, multiplier, max, slept: seconds },
                    );
                }
                Op::UnpackBackoff(slot) => unpack_backoff(stack.pop(), &mut frame.slots, slot as usize),
                Op::Parallel(table) => {
                    frame.pc = pc;
                    return Exit::Spawn(table);
                }
                Op::EndBranch => {
                    frame.pc = pc;
                    return Exit::Finished(Value::Null);
                }
            };
            if let Err(e) = result {
                frame.pc = pc;
                if let Err(raised) = unwind(program, fiber, e) {
                    return Exit::Failed(raised);
                }
                continue 'frames;
            }
        }
    }
}

/// Advances a `for ... in` loop (slots `iter`: the list, `iter + 1`: the position): sets
/// the loop variables and returns true, or returns false when the list is done.
#[inline(always)]
fn next_item(slots: &mut [Option<Value>], iter: u32, value: u32, index: u32) -> bool {
    let i = iter as usize;
    let pos = match slots[i + 1] {
        Some(Value::Int(p)) => p as usize,
        _ => 0,
    };
    let item = match &slots[i] {
        Some(Value::List(l)) => l.get(pos).cloned(),
        _ => None,
    };
    let Some(item) = item else { return false };
    put(&mut slots[value as usize], Some(item));
    if index != NO_SLOT {
        put_scalar(&mut slots[index as usize], IntResult::Int(pos as i64));
    }
    put_scalar(&mut slots[i + 1], IntResult::Int(pos as i64 + 1));
    true
}

/// Advances a `for ... range` loop (slots `iter`: start, `iter + 1`: end, `iter + 2`: the
/// position): sets the loop variables and returns true, or returns false past the end.
#[inline(always)]
fn next_in_range(slots: &mut [Option<Value>], iter: u32, value: u32, index: u32) -> bool {
    let i = iter as usize;
    let pos = match slots[i + 2] {
        Some(Value::Int(p)) => p,
        _ => 0,
    };
    match (&slots[i], &slots[i + 1]) {
        (Some(Value::Int(a)), Some(Value::Int(b))) => match a.checked_add(pos).filter(|c| c <= b) {
            Some(c) => put_scalar(&mut slots[value as usize], IntResult::Int(c)),
            None => return false,
        },
        (Some(a), Some(b)) => {
            let c = a.as_f64().unwrap_or(0.0) + pos as f64;
            if c > b.as_f64().unwrap_or(f64::NEG_INFINITY) {
                return false;
            }
            put(&mut slots[value as usize], Some(Value::Double(c)));
        }
        _ => return false,
    }
    if index != NO_SLOT {
        put_scalar(&mut slots[index as usize], IntResult::Int(pos));
    }
    put_scalar(&mut slots[i + 2], IntResult::Int(pos + 1));
    true
}

/// The operands of an integer guard, when both are integers.
#[inline(always)]
fn int_operands(slots: &[Option<Value>], lhs: u32, rhs: u32, rhs_slot: bool) -> Option<(i64, i64)> {
    let Some(Value::Int(x)) = slots[lhs as usize] else { return None };
    let y = if rhs_slot {
        let Some(Value::Int(y)) = slots[rhs as usize] else { return None };
        y
    } else {
        i64::from(rhs as i32)
    };
    Some((x, y))
}

/// Sets a slot to an integer or boolean, in place when it holds one of the same kind (the
/// common case in loops: no temporary value is built and copied).
#[inline(always)]
fn put_scalar(slot: &mut Option<Value>, v: IntResult) {
    match (slot.as_mut(), v) {
        (Some(Value::Int(x)), IntResult::Int(n)) => *x = n,
        (Some(Value::Bool(x)), IntResult::Bool(b)) => *x = b,
        (_, v) => put(slot, Some(v.into())),
    }
}

/// Sets a slot. Overwriting a value without heap parts (the common case in loops) needs no
/// destructor call, so the check for one is done here, inline.
#[inline(always)]
fn put(slot: &mut Option<Value>, v: Option<Value>) {
    if matches!(slot, Some(Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Map(_))) {
        *slot = v;
    } else {
        // The old value owns nothing: forgetting it frees nothing.
        std::mem::forget(std::mem::replace(slot, v));
    }
}

/// Pushes the value of slot `s`, or fails when the variable is not defined.
#[inline(always)]
fn load(stack: &mut Vec<Value>, slots: &[Option<Value>], s: u32, func: &crate::code::Function) -> Result<(), Value> {
    match &slots[s as usize] {
        Some(v) => {
            stack.push(v.clone());
            Ok(())
        }
        None => Err(undefined(func, s)),
    }
}

fn undefined(func: &crate::code::Function, slot: u32) -> Value {
    error(tags::KEY, format!("variable `{}` is not defined", func.slot_names[slot as usize]))
}

fn bool_needed(found: Option<&Value>) -> Value {
    type_error(format!("`and`/`or` need booleans, found {}", found.map_or("nothing", Value::type_name)))
}

/// Measures the variables of every frame of a fiber against GCW's memory limit.
fn check_memory(frames: &[Frame], max: usize) -> Result<(), Value> {
    let mut total = 0;
    for v in frames.iter().flat_map(|f| f.slots.iter().flatten()) {
        memory::measure(v, &mut total, max);
    }
    if total > max {
        Err(error(tags::RESOURCE_LIMIT, format!("the workflow's variables use more than {} KB of memory", max / 1024)))
    } else {
        Ok(())
    }
}

/// Native calls with at most this many parameter positions take their arguments without
/// a heap allocation.
const INLINE_ARGS: usize = 8;

/// Puts the given arguments at the positions whose bit is set in `present`.
fn spread_args(mut given: impl Iterator<Item = Value>, present: u32, slots: &mut [Option<Value>]) {
    for (i, slot) in slots.iter_mut().enumerate() {
        if present & (1 << i) != 0 {
            *slot = given.next();
        }
    }
}

/// A map from `n` key/value pairs, keys first.
fn build_map(mut it: impl Iterator<Item = Value>, n: usize) -> Result<Value, Value> {
    let mut map = Map::with_capacity_and_hasher(n, Default::default());
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        match k {
            Value::Str(k) => {
                map.insert(k, v);
            }
            other => return Err(type_error(format!("map keys must be strings, found {}", other.type_name()))),
        }
    }
    Ok(Value::map(map))
}

fn start_range(v: Option<Value>, slots: &mut [Option<Value>], i: usize) -> Result<(), Value> {
    let pair = match &v {
        Some(Value::List(l)) if l.len() == 2 => (l[0].clone(), l[1].clone()),
        _ => return Err(type_error("`range` needs a list of two numbers")),
    };
    if pair.0.as_f64().is_none() || pair.1.as_f64().is_none() {
        return Err(type_error(format!(
            "`range` ends must be numbers, found {} and {}",
            pair.0.type_name(),
            pair.1.type_name()
        )));
    }
    slots[i] = Some(pair.0);
    slots[i + 1] = Some(pair.1);
    slots[i + 2] = Some(Value::Int(0));
    Ok(())
}

fn unpack_backoff(v: Option<Value>, slots: &mut [Option<Value>], i: usize) -> Result<(), Value> {
    let Some(Value::Map(m)) = v else { return Err(type_error("`backoff` must be a map")) };
    for (k, key) in ["initial_delay", "max_delay", "multiplier"].iter().enumerate() {
        match m.get(*key) {
            Some(n) if n.as_f64().is_some() => slots[i + k] = Some(n.clone()),
            _ => return Err(value_error(format!("`backoff` needs a number `{key}`"))),
        }
    }
    Ok(())
}
