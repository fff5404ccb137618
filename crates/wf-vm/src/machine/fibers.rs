//! Fibers: `main` and each branch or iteration of a `parallel` step, their frames, and the
//! seeded scheduler that picks the next one to run.

use std::rc::Rc;

use super::host::splitmix64;
use super::interp::unwind;
use super::{Machine, Pending, Status};
use crate::code::{NO_SLOT, Program};
use crate::error::{Raised, error, tags, type_error, value_error};
use crate::scopes::Scopes;
use crate::value::Value;

/// A subworkflow call in progress.
#[derive(Debug)]
pub(super) struct Frame {
    pub func: u32,
    pub pc: u32,
    pub slots: Vec<Option<Value>>,
    pub stack_base: usize,
    pub scope_base: usize,
}

/// The branches or iterations of a running parallel step.
#[derive(Debug)]
pub(super) struct Group {
    table: u32,
    /// What each branch or iteration gets.
    items: Items,
    total: usize,
    started: usize,
    running: usize,
    limit: usize,
    errors: Vec<(usize, Value)>,
}

#[derive(Debug)]
pub(super) enum FiberState {
    Ready,
    Blocked(Pending),
    Children(Group),
    Finished,
}

/// A thread of execution: `main`, or one branch or iteration of a parallel step.
#[derive(Debug)]
pub(super) struct Fiber {
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub scopes: Scopes,
    pub state: FiberState,
    /// The fiber that started this one and the index of its frame that holds the variables.
    pub parent: Option<(usize, usize)>,
    /// Slots shared with the parent (the parallel step's `shared`).
    pub shared: Vec<u32>,
    /// The branch's code: only `try`s inside it catch its errors in its base frame.
    pub range: (u32, u32),
    /// Parallel nesting depth (0 for `main`).
    pub depth: u32,
    /// Index of the branch in its group.
    pub index: usize,
}

impl Fiber {
    pub fn new(frame: Frame) -> Fiber {
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

/// Deepest parallel nesting GCW allows.
const MAX_PARALLEL_DEPTH: u32 = 2;

/// Branches or iterations of one parallel step that run at once without a
/// `concurrency_limit` (GCW's cap is 20 per execution; see `docs/semantics.md`).
const DEFAULT_CONCURRENCY: usize = 20;

/// The items of a parallel step's branches, made one at a time as branches start, so that
/// a huge `range` costs nothing before the step limit stops it.
#[derive(Debug)]
pub(super) enum Items {
    /// Parallel `branches`: no item.
    Branches,
    /// A parallel `for ... in`: the list's items.
    List(Rc<crate::value::Nested<Vec<Value>>>),
    /// A parallel `for ... range` of integers from this start.
    Ints(i64),
    /// A parallel `for ... range` with a double end, from this start.
    Doubles(f64),
}

impl Items {
    /// The item of branch `k`.
    fn get(&self, k: usize) -> Option<Value> {
        match self {
            Items::Branches => None,
            Items::List(l) => l.get(k).cloned(),
            Items::Ints(start) => start.checked_add(k as i64).map(Value::Int),
            Items::Doubles(start) => Some(Value::Double(start + k as f64)),
        }
    }
}

impl Machine {
    /// The next fiber to run, chosen by the seeded scheduler or the scripted schedule.
    pub(super) fn pick(&mut self) -> Option<usize> {
        match self.ready.len() {
            0 => None,
            1 => self.ready.pop(),
            n => {
                let i = match &mut self.run.script {
                    Some(script) => {
                        let k = script.taken.len();
                        let i = script.choices.get(k).map_or(0, |&c| c as usize % n);
                        script.taken.push((i as u32, n as u32));
                        i
                    }
                    None => (splitmix64(&mut self.run.schedule) % n as u64) as usize,
                };
                Some(self.ready.swap_remove(i))
            }
        }
    }

    /// Starts the branches of parallel step `table` under fiber `parent`.
    pub(super) fn spawn(&mut self, parent: usize, table: u32) {
        let program = Rc::clone(&self.program);
        let t = &program.parallels[table as usize];
        let fiber = &mut self.fibers[parent];
        if fiber.depth >= MAX_PARALLEL_DEPTH {
            let e =
                error(tags::PARALLEL_NESTING, format!("parallel steps nest deeper than {MAX_PARALLEL_DEPTH} levels"));
            return self.raise_in(parent, e);
        }
        let frame = fiber.frames.last().expect("a running fiber has a frame");
        let (items, total) = match &t.each {
            Some(each) => match parallel_items(frame.slots[each.source as usize].as_ref(), each.range) {
                Ok(items) => items,
                Err(e) => return self.raise_in(parent, e),
            },
            None => (Items::Branches, t.branches.len()),
        };
        let limit = match t.limit.map(|s| frame.slots[s as usize].clone()) {
            None => DEFAULT_CONCURRENCY,
            Some(Some(Value::Int(n))) if n > 0 => n as usize,
            Some(other) => {
                let found = other.as_ref().map_or("nothing".to_string(), |v| v.to_string());
                let e = value_error(format!("`concurrency_limit` must be a positive integer, found {found}"));
                return self.raise_in(parent, e);
            }
        };
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
                    (g.table, g.started - 1, g.items.get(g.started - 1))
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
    pub(super) fn finish(&mut self, cur: usize, result: Result<Value, Raised>) {
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
    pub(super) fn raise_in(&mut self, cur: usize, e: Value) {
        let fiber = &mut self.fibers[cur];
        fiber.state = FiberState::Ready;
        match unwind(&self.program, fiber, e) {
            Ok(()) => self.ready.push(cur),
            Err(raised) => self.finish(cur, Err(raised)),
        }
    }
}

/// A frame for `func` whose first slots are `args`; `slots` is an empty vector to reuse.
pub(super) fn new_frame(
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

/// The items of a parallel `for` and how many there are: the list, or the numbers of the
/// range (counted, not made).
fn parallel_items(source: Option<&Value>, range: bool) -> Result<(Items, usize), Value> {
    match (source, range) {
        (Some(Value::List(l)), false) => Ok((Items::List(Rc::clone(l)), l.len())),
        (Some(Value::List(l)), true) if l.len() == 2 => match (&l[0], &l[1]) {
            (Value::Int(a), Value::Int(b)) => {
                let count = (i128::from(*b) - i128::from(*a) + 1).clamp(0, usize::MAX as i128);
                Ok((Items::Ints(*a), count as usize))
            }
            (a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) if a.is_finite() && b.is_finite() => {
                    // Saturates at usize::MAX: the step limit ends such a loop long before.
                    let count = if b >= a { (b - a).floor() + 1.0 } else { 0.0 };
                    Ok((Items::Doubles(a), count as usize))
                }
                (Some(_), Some(_)) => Err(value_error("`range` ends must be finite numbers")),
                _ => Err(type_error("`range` ends must be numbers")),
            },
        },
        (Some(v), false) => Err(type_error(format!("a parallel `for ... in` needs a list, found {}", v.type_name()))),
        _ => Err(type_error("`range` needs a list of two numbers")),
    }
}

/// The branch errors an `UnhandledBranchError` keeps (GCW keeps at most 100 unhandled
/// exceptions); its message still counts every failed branch.
const MAX_KEPT_BRANCH_ERRORS: usize = 100;

/// The error a parallel step raises when branches failed (see `docs/semantics.md`); a
/// `ResourceLimitError` instead when it would nest too deeply (a loop that catches it and
/// raises it again in a branch would otherwise nest it deeper each time).
fn unhandled_branches(t: &crate::code::ParallelTable, errors: &[(usize, Value)]) -> Value {
    let mut sorted = errors.to_vec();
    sorted.sort_by_key(|(i, _)| *i);
    let n = sorted.len();
    let branches: Vec<Value> = sorted
        .into_iter()
        .take(MAX_KEPT_BRANCH_ERRORS)
        .map(|(i, e)| {
            let id = t.names.get(i).map_or_else(|| Value::str(i.to_string()), |n| Value::Str(n.clone()));
            Value::from_pairs([("id", id), ("error", e)])
        })
        .collect();
    let deepest = branches.iter().map(Value::depth).max().unwrap_or(0);
    if let Err(e) = crate::nesting::check_depth(deepest + 2) {
        return e;
    }
    Value::from_pairs([
        (
            "message",
            Value::str(format!("{n} parallel branch{} failed with an unhandled error", if n == 1 { "" } else { "es" })),
        ),
        ("tags", Value::list(vec![Value::str(tags::UNHANDLED_BRANCH)])),
        ("branches", Value::list(branches)),
    ])
}
