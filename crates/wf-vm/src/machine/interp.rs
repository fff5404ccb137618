//! The interpreter loop: runs one fiber's instructions until it needs an effect, starts
//! parallel branches, or ends; and unwinds errors to their handlers.

use std::rc::Rc;

use super::fibers::{Fiber, Frame, new_frame};
use super::host::Host;
use super::{Limits, Pending};
use crate::code::{NO_SLOT, Op, Program};
use crate::effects::{Effect, effect};
use crate::error::{Raised, error, tags, type_error, value_error};
use crate::memory;
use crate::nesting;
use crate::ops::{self, IntResult};
use crate::stdlib::{Args, invoke};
use crate::value::{Map, Value};

/// Execution-wide counters and settings the interpreter loop updates.
#[derive(Debug)]
pub(super) struct Run {
    pub host: Host,
    pub limits: Limits,
    pub steps: u64,
    /// The step count at which `Step` next leaves its fast path (see [`Run::next_check`]).
    pub check_at: u64,
    /// Bytes stored since variables were last measured (see `memory.rs`).
    pub stored: usize,
    /// Slot vectors of returned frames, reused by calls (no allocation per call).
    pub spare_slots: Vec<Vec<Option<Value>>>,
    /// The executed steps with the clock when each started (`RunOptions::trace`).
    pub trace: Option<Vec<(u32, f64)>>,
    /// The scheduler's own random numbers (kept apart from `uuid.generate`'s).
    pub schedule: u64,
    /// A scripted schedule, which replaces the random numbers.
    pub script: Option<Script>,
}

/// A scripted schedule and the choices taken so far (see `RunOptions::schedule`).
#[derive(Debug)]
pub(super) struct Script {
    pub choices: Vec<u32>,
    pub taken: Vec<(u32, u32)>,
}

impl Run {
    /// The next step count at which a step needs more than counting: every step when
    /// tracing, else the step limit or the next memory checkpoint, whichever comes first.
    pub fn next_check(&self) -> u64 {
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
pub(super) enum Exit {
    Effect(Effect, Pending),
    Spawn(u32),
    Finished(Value),
    Failed(Raised),
    /// The whole execution ends with this error, whatever the fiber: the step limit,
    /// which no `try` may catch (a handler would need steps of its own).
    Abort(Raised),
}

/// Unwinds `fiber` to the innermost `try` covering the failing instruction. In a branch's
/// base frame only `try`s inside the branch count.
pub(super) fn unwind(program: &Program, fiber: &mut Fiber, value: Value) -> Result<(), Raised> {
    leave(program, fiber, value, true)
}

/// The error `value` leaving every frame of `fiber`, no `try` catching it.
fn abandon(program: &Program, fiber: &mut Fiber, value: Value) -> Raised {
    match leave(program, fiber, value, false) {
        Err(raised) => raised,
        // Without catching, `leave` never resumes the fiber.
        Ok(()) => Raised::new(error(tags::SYSTEM, "an error no try may catch was caught"), None),
    }
}

/// Unwinds `fiber` frame by frame: to the innermost `try` covering the failing instruction
/// when `catch`, else out of every frame.
fn leave(program: &Program, fiber: &mut Fiber, value: Value, catch: bool) -> Result<(), Raised> {
    let span = fiber.frames.last().map(|f| {
        let func = &program.functions[f.func as usize];
        func.spans.get(f.pc.saturating_sub(1) as usize).copied().unwrap_or_default()
    });
    let is_branch = fiber.parent.is_some();
    let (lo, hi) = fiber.range;
    // The frames the error leaves, innermost first, as (function, pc): made into origins
    // only when nothing catches it.
    let mut left: Vec<(u32, u32)> = Vec::new();
    loop {
        let base = fiber.frames.len() == 1;
        let Some(frame) = fiber.frames.last_mut() else { break };
        let func = &program.functions[frame.func as usize];
        let at = frame.pc.saturating_sub(1);
        let handler = func
            .handlers
            .iter()
            .filter(|h| catch && h.start <= at && at < h.end && !(is_branch && base && (h.start < lo || h.end > hi)))
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
        left.push((frame.func, at));
        if base {
            break;
        }
        let frame = fiber.frames.pop().expect("the loop holds a frame");
        fiber.stack.truncate(frame.stack_base);
        fiber.scopes.forget_to(frame.scope_base);
    }
    let trace = left.into_iter().map(|(func, pc)| program.origin(func, pc)).collect();
    Err(Raised { value, span, trace })
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
pub(super) fn run_fiber(program: &Program, fibers: &mut [Fiber], cur: usize, run: &mut Run) -> Exit {
    let (ancestors, rest) = fibers.split_at_mut(cur);
    let fiber = &mut rest[0];
    // The outer loop finds the running frame; the inner one runs its code until a call,
    // a return or an error changes frames (then the outer loop looks again).
    'frames: loop {
        let depth = fiber.frames.len();
        let Some(frame) = fiber.frames.last_mut() else {
            return Exit::Failed(Raised::new(error(tags::SYSTEM, "no frame to run"), None));
        };
        let func = &program.functions[frame.func as usize];
        let code: &[Op] = &func.code;
        // The program counter lives in a register while the frame runs; it is written back
        // to the frame whenever control leaves this loop (calls, effects, errors, returns).
        let mut pc = frame.pc;
        loop {
            let Some(&op) = code.get(pc as usize) else {
                return Exit::Failed(Raised::new(error(tags::SYSTEM, "ran past the end of the code"), None));
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
                    Value::try_list(items).map(|l| stack.push(l))
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
                            let depth = value.depth();
                            nesting::check_depth(depth + 1).map(|()| Rc::make_mut(items).push_with_depth(value, depth))
                        }
                        Some(other) => {
                            let f = program.natives[native as usize].1;
                            let args = [Some(other.clone()), Some(value)];
                            invoke(f, Args::new(&args), &mut run.host).map(|v| frame.slots[slot as usize] = Some(v))
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
                        invoke(f, Args::new(&slots[..positions]), &mut run.host)
                    } else {
                        let mut slots: Vec<Option<Value>> = vec![None; positions];
                        spread_args(stack.drain(base..), present, &mut slots);
                        invoke(f, Args::new(&slots), &mut run.host)
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
                    match effect(&site.function, args, run.host.now) {
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
                        trace.push((id, run.host.now));
                    }
                    if run.limits.max_memory == usize::MAX {
                        run.stored = 0;
                    }
                    if run.steps > run.limits.max_steps {
                        frame.pc = pc;
                        let e =
                            error(tags::RESOURCE_LIMIT, format!("more than {} steps executed", run.limits.max_steps));
                        return Exit::Abort(abandon(program, fiber, e));
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
                                    trace: vec![program.origin(done.func, done.pc.saturating_sub(1))],
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
                Op::Cover(n) => {
                    if let Some(coverage) = &program.coverage {
                        coverage.hit(n);
                    }
                    continue;
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
    Value::try_map(map)
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
