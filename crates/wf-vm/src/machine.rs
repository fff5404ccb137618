//! The machine: runs a [`Program`] one instruction at a time until it needs the outside
//! world. It never blocks and never reads the wall clock: the driver calls [`Machine::poll`],
//! performs the [`Effect`] it gets, and hands the outcome back with [`Machine::answer`].

use std::collections::HashMap;
use std::rc::Rc;

use crate::code::{NO_SLOT, Op, Program};
use crate::effects::{Effect, EffectId, effect};
use crate::error::{Raised, error, tags, type_error, value_error};
use crate::ops;
use crate::stdlib::{Args, Context};
use crate::value::{Map, Value};

/// GCW's limits. Benchmarks and tests may lift them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Step executions per execution (ResourceLimitError past it).
    pub max_steps: u64,
    /// Subworkflow call depth (RecursionError past it).
    pub max_call_depth: usize,
}

impl Limits {
    /// The limits real GCW applies (see `docs/semantics.md`).
    pub const GCW: Limits = Limits { max_steps: 100_000, max_call_depth: 20 };
    /// No limits (for benchmarks).
    pub const NONE: Limits = Limits { max_steps: u64::MAX, max_call_depth: 100_000 };
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
    /// A retry backoff slept `seconds`: the next delay is `min(seconds * mult, max)`.
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

#[derive(Debug)]
struct ScopeRecord {
    /// Slots that were unset when the scope began (and are unset again when it ends).
    created: Vec<u32>,
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
        self.env.get(name).cloned()
    }

    fn random_u64(&mut self) -> u64 {
        // splitmix64: small, fast and good enough for ids.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A running execution.
#[derive(Debug)]
pub struct Machine {
    program: Rc<Program>,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    scopes: Vec<ScopeRecord>,
    host: Host,
    limits: Limits,
    steps: u64,
    trace: Option<Vec<Rc<str>>>,
    pending: Option<(EffectId, Pending)>,
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

impl Machine {
    /// Starts `main` with the runtime `argument` (null when there is none).
    pub fn new(program: Rc<Program>, argument: Value, options: RunOptions) -> Machine {
        let mut env: HashMap<String, Value> =
            BUILT_IN_ENV.iter().map(|(k, v)| (k.to_string(), Value::str(v))).collect();
        env.extend(options.env);
        let mut m = Machine {
            program,
            stack: Vec::with_capacity(64),
            frames: Vec::new(),
            scopes: Vec::new(),
            host: Host { now: options.start_time, env, rng: options.seed },
            limits: options.limits,
            steps: 0,
            trace: options.trace.then(Vec::new),
            pending: None,
            next_effect: 1,
            outcome: None,
        };
        let Some(main) = m.program.functions.first() else {
            m.outcome =
                Some(Status::Failed(Raised { value: error(tags::SYSTEM, "the workflow has no main"), span: None }));
            return m;
        };
        let args = if main.params > 0 { vec![argument] } else { Vec::new() };
        m.push_frame(0, args);
        m
    }

    /// Sets the clock (Unix seconds) that `sys.now` and `time.*` see.
    pub fn set_now(&mut self, now: f64) {
        self.host.now = now;
    }

    /// Step executions so far.
    pub fn steps_executed(&self) -> u64 {
        self.steps
    }

    /// The names of the executed steps, in order (when `trace` was requested).
    pub fn trace(&self) -> &[Rc<str>] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// Runs until the machine needs an answer, or the execution ends.
    pub fn poll(&mut self) -> Status {
        if let Some(done) = &self.outcome {
            return done.clone();
        }
        if self.pending.is_some() {
            return Status::Waiting;
        }
        let status = self.run();
        if matches!(status, Status::Done(_) | Status::Failed(_)) {
            self.outcome = Some(status.clone());
        }
        status
    }

    /// Answers effect `id` with its result, or with the error it raised.
    pub fn answer(&mut self, id: EffectId, result: Result<Value, Value>) {
        let Some((pending_id, what)) = self.pending else { return };
        if pending_id != id {
            return;
        }
        self.pending = None;
        match (what, result) {
            (Pending::Push, Ok(v)) => self.stack.push(v),
            (Pending::Backoff { delay, multiplier, max, slept }, Ok(_)) => {
                let frame = self.frames.last_mut().expect("a frame is running");
                let mult = frame.slots[multiplier as usize].as_ref().and_then(Value::as_f64).unwrap_or(1.0);
                let cap = frame.slots[max as usize].as_ref().and_then(Value::as_f64).unwrap_or(f64::INFINITY);
                frame.slots[delay as usize] = Some(Value::Double((slept * mult).min(cap)));
            }
            (_, Err(e)) => {
                if let Err(raised) = self.throw(e) {
                    self.outcome = Some(Status::Failed(raised));
                }
            }
        }
    }

    fn push_frame(&mut self, func: u32, args: Vec<Value>) {
        let nslots = self.program.functions[func as usize].slot_names.len();
        let mut slots: Vec<Option<Value>> = Vec::with_capacity(nslots);
        slots.extend(args.into_iter().map(Some));
        slots.resize(nslots, None);
        self.frames.push(Frame { func, pc: 0, slots, stack_base: self.stack.len(), scope_base: self.scopes.len() });
    }

    /// Unwinds to the innermost `try` covering the failing instruction, or fails the
    /// execution.
    fn throw(&mut self, value: Value) -> Result<(), Raised> {
        let span = self.frames.last().map(|f| {
            let func = &self.program.functions[f.func as usize];
            func.spans.get(f.pc.saturating_sub(1) as usize).copied().unwrap_or_default()
        });
        while let Some(frame) = self.frames.last_mut() {
            let func = &self.program.functions[frame.func as usize];
            let at = frame.pc.saturating_sub(1);
            let handler = func.handlers.iter().filter(|h| h.start <= at && at < h.end).max_by_key(|h| h.start).copied();
            if let Some(h) = handler {
                self.stack.truncate(frame.stack_base);
                let keep = frame.scope_base + h.scopes as usize;
                leave_scopes(&mut self.scopes, keep, &mut frame.slots);
                frame.slots[h.error as usize] = Some(value);
                frame.pc = h.handler;
                return Ok(());
            }
            let frame = self.frames.pop().expect("the loop holds a frame");
            self.stack.truncate(frame.stack_base);
            self.scopes.truncate(frame.scope_base);
        }
        Err(Raised { value, span })
    }

    fn yield_effect(&mut self, effect: Effect, what: Pending) -> Status {
        let id = self.next_effect;
        self.next_effect += 1;
        self.pending = Some((id, what));
        Status::Effect(id, effect)
    }

    /// The interpreter loop.
    fn run(&mut self) -> Status {
        let program = Rc::clone(&self.program);
        loop {
            let Some(frame) = self.frames.last_mut() else {
                return Status::Failed(Raised { value: error(tags::SYSTEM, "no frame to run"), span: None });
            };
            let func = &program.functions[frame.func as usize];
            let Some(&op) = func.code.get(frame.pc as usize) else {
                return Status::Failed(Raised {
                    value: error(tags::SYSTEM, "ran past the end of the code"),
                    span: None,
                });
            };
            frame.pc += 1;
            let result: Result<(), Value> = match op {
                Op::Null => {
                    self.stack.push(Value::Null);
                    Ok(())
                }
                Op::Bool(b) => {
                    self.stack.push(Value::Bool(b));
                    Ok(())
                }
                Op::Int(n) => {
                    self.stack.push(Value::Int(n));
                    Ok(())
                }
                Op::Const(c) => {
                    self.stack.push(program.consts[c as usize].clone());
                    Ok(())
                }
                Op::Load(s) => match &frame.slots[s as usize] {
                    Some(v) => {
                        self.stack.push(v.clone());
                        Ok(())
                    }
                    None => Err(error(tags::KEY, format!("variable `{}` is not defined", func.slot_names[s as usize]))),
                },
                Op::Store(s) => {
                    frame.slots[s as usize] = self.stack.pop();
                    Ok(())
                }
                Op::StorePath { slot, depth, .. } => {
                    let keys = self.stack.split_off(self.stack.len() - depth as usize);
                    let value = self.stack.pop().unwrap_or_default();
                    match frame.slots[slot as usize].as_mut() {
                        Some(root) => ops::assign_path(root, &keys, value),
                        None => Err(error(
                            tags::KEY,
                            format!("variable `{}` is not defined", func.slot_names[slot as usize]),
                        )),
                    }
                }
                Op::Binary(b) => {
                    let rhs = self.stack.pop().unwrap_or_default();
                    let lhs = self.stack.pop().unwrap_or_default();
                    ops::binary(b, lhs, rhs).map(|v| self.stack.push(v))
                }
                Op::Neg => {
                    let v = self.stack.pop().unwrap_or_default();
                    ops::negate(v).map(|v| self.stack.push(v))
                }
                Op::Not => {
                    let v = self.stack.pop().unwrap_or_default();
                    ops::not(v).map(|v| self.stack.push(v))
                }
                Op::AndThen(target) | Op::OrElse(target) => {
                    let short = matches!(op, Op::OrElse(_));
                    match self.stack.pop() {
                        Some(Value::Bool(b)) if b == short => {
                            self.stack.push(Value::Bool(b));
                            frame.pc = target;
                            Ok(())
                        }
                        Some(Value::Bool(_)) => Ok(()),
                        other => Err(bool_needed(other.as_ref())),
                    }
                }
                Op::CheckBool => match self.stack.last() {
                    Some(Value::Bool(_)) => Ok(()),
                    other => Err(bool_needed(other)),
                },
                Op::Field(c) => {
                    let object = self.stack.pop().unwrap_or_default();
                    let key = program.consts[c as usize].as_str().unwrap_or("");
                    ops::field(&object, key).map(|v| self.stack.push(v))
                }
                Op::Index => {
                    let index = self.stack.pop().unwrap_or_default();
                    let object = self.stack.pop().unwrap_or_default();
                    ops::index(&object, &index).map(|v| self.stack.push(v))
                }
                Op::List(n) => {
                    let items = self.stack.split_off(self.stack.len() - n as usize);
                    self.stack.push(Value::list(items));
                    Ok(())
                }
                Op::Map(n) => {
                    let flat = self.stack.split_off(self.stack.len() - 2 * n as usize);
                    build_map(flat).map(|m| self.stack.push(m))
                }
                Op::CallNative { native, argc, present } => {
                    let args = self.stack.split_off(self.stack.len() - argc as usize);
                    let positions = 32 - present.leading_zeros() as usize;
                    let mut slots: Vec<Option<Value>> = vec![None; positions];
                    let mut given = args.into_iter();
                    for (i, slot) in slots.iter_mut().enumerate() {
                        if present & (1 << i) != 0 {
                            *slot = given.next();
                        }
                    }
                    let f = program.natives[native as usize].1;
                    f(Args::new(&slots), &mut self.host).map(|v| self.stack.push(v))
                }
                Op::CallSub { func: callee, argc } => {
                    if self.frames.len() >= self.limits.max_call_depth {
                        Err(error(tags::RECURSION, format!("call depth exceeds {}", self.limits.max_call_depth)))
                    } else {
                        let args = self.stack.split_off(self.stack.len() - argc as usize);
                        self.push_frame(callee, args);
                        Ok(())
                    }
                }
                Op::Effect(site) => {
                    let site = &program.effects[site as usize];
                    let values = self.stack.split_off(self.stack.len() - site.args.len());
                    let args: Map = site.args.iter().cloned().zip(values).collect();
                    match effect(&site.function, args) {
                        Ok(e) => return self.yield_effect(e, Pending::Push),
                        Err(e) => Err(e),
                    }
                }
                Op::Step(id) => {
                    self.steps += 1;
                    if let Some(trace) = &mut self.trace {
                        trace.push(program.steps[id as usize].clone());
                    }
                    if self.steps > self.limits.max_steps {
                        Err(error(tags::RESOURCE_LIMIT, format!("more than {} steps executed", self.limits.max_steps)))
                    } else {
                        Ok(())
                    }
                }
                Op::Jump(target) => {
                    frame.pc = target;
                    Ok(())
                }
                Op::JumpIfFalse(target) => match self.stack.pop() {
                    Some(Value::Bool(true)) => Ok(()),
                    Some(Value::Bool(false)) => {
                        frame.pc = target;
                        Ok(())
                    }
                    other => Err(type_error(format!(
                        "a condition must be a boolean, found {}",
                        other.as_ref().map_or("nothing", Value::type_name)
                    ))),
                },
                Op::Pop => {
                    self.stack.pop();
                    Ok(())
                }
                Op::Return => {
                    let value = self.stack.pop().unwrap_or_default();
                    let done = self.frames.pop().expect("a frame is running");
                    self.stack.truncate(done.stack_base);
                    self.scopes.truncate(done.scope_base);
                    if self.frames.is_empty() {
                        return match crate::json::to_json(&value) {
                            Ok(_) => Status::Done(value),
                            Err(e) => {
                                Status::Failed(Raised { value: e, span: func.spans.get(done.pc as usize - 1).copied() })
                            }
                        };
                    }
                    self.stack.push(value);
                    Ok(())
                }
                Op::Raise => Err(self.stack.pop().unwrap_or_default()),
                Op::StartList(iter) => match self.stack.pop() {
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
                Op::StartRange(iter) => start_range(self.stack.pop(), &mut frame.slots, iter as usize),
                Op::NextItem { iter, value, index, exit } => {
                    let i = iter as usize;
                    let pos = match frame.slots[i + 1] {
                        Some(Value::Int(p)) => p as usize,
                        _ => 0,
                    };
                    let item = match &frame.slots[i] {
                        Some(Value::List(l)) => l.get(pos).cloned(),
                        _ => None,
                    };
                    match item {
                        Some(item) => {
                            frame.slots[value as usize] = Some(item);
                            if index != NO_SLOT {
                                frame.slots[index as usize] = Some(Value::Int(pos as i64));
                            }
                            frame.slots[i + 1] = Some(Value::Int(pos as i64 + 1));
                        }
                        None => frame.pc = exit,
                    }
                    Ok(())
                }
                Op::NextInRange { iter, value, index, exit } => {
                    let i = iter as usize;
                    let pos = match frame.slots[i + 2] {
                        Some(Value::Int(p)) => p,
                        _ => 0,
                    };
                    let current = match (&frame.slots[i], &frame.slots[i + 1]) {
                        (Some(Value::Int(a)), Some(Value::Int(b))) => {
                            a.checked_add(pos).filter(|c| c <= b).map(Value::Int)
                        }
                        (Some(a), Some(b)) => {
                            let c = a.as_f64().unwrap_or(0.0) + pos as f64;
                            (c <= b.as_f64().unwrap_or(f64::NEG_INFINITY)).then_some(Value::Double(c))
                        }
                        _ => None,
                    };
                    match current {
                        Some(c) => {
                            frame.slots[value as usize] = Some(c);
                            if index != NO_SLOT {
                                frame.slots[index as usize] = Some(Value::Int(pos));
                            }
                            frame.slots[i + 2] = Some(Value::Int(pos + 1));
                        }
                        None => frame.pc = exit,
                    }
                    Ok(())
                }
                Op::ScopeEnter(n) => {
                    let created = program.scopes[n as usize]
                        .slots
                        .iter()
                        .copied()
                        .filter(|&s| frame.slots[s as usize].is_none())
                        .collect();
                    self.scopes.push(ScopeRecord { created });
                    Ok(())
                }
                Op::ScopeReset(_) => {
                    if let Some(record) = self.scopes.last() {
                        for &s in &record.created {
                            frame.slots[s as usize] = None;
                        }
                    }
                    Ok(())
                }
                Op::ScopeTo(depth) => {
                    let keep = frame.scope_base + depth as usize;
                    leave_scopes(&mut self.scopes, keep, &mut frame.slots);
                    Ok(())
                }
                Op::Backoff { delay, multiplier, max } => {
                    let d = frame.slots[delay as usize].as_ref().and_then(Value::as_f64).unwrap_or(1.0);
                    let cap = frame.slots[max as usize].as_ref().and_then(Value::as_f64).unwrap_or(f64::INFINITY);
                    let seconds = d.min(cap).max(0.0);
                    return self.yield_effect(
                        Effect::Sleep { seconds },
                        Pending::Backoff { delay, multiplier, max, slept: seconds },
                    );
                }
                Op::UnpackBackoff(slot) => unpack_backoff(self.stack.pop(), &mut frame.slots, slot as usize),
                Op::Parallel(_) | Op::EndBranch | Op::LoadShared(_) | Op::StoreShared(_) => {
                    Err(error(tags::SYSTEM, "parallel steps are not supported by the VM yet"))
                }
            };
            if let Err(e) = result
                && let Err(raised) = self.throw(e)
            {
                return Status::Failed(raised);
            }
        }
    }
}

fn bool_needed(found: Option<&Value>) -> Value {
    type_error(format!("`and`/`or` need booleans, found {}", found.map_or("nothing", Value::type_name)))
}

/// Leaves scopes until `keep` remain, unsetting the variables each created.
fn leave_scopes(scopes: &mut Vec<ScopeRecord>, keep: usize, slots: &mut [Option<Value>]) {
    while scopes.len() > keep {
        if let Some(record) = scopes.pop() {
            for s in record.created {
                slots[s as usize] = None;
            }
        }
    }
}

fn build_map(flat: Vec<Value>) -> Result<Value, Value> {
    let mut map = Map::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
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
