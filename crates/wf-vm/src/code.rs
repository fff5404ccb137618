//! The bytecode: a compact stack machine per subworkflow. Variables are slots resolved at
//! compile time; jumps are instruction indexes; constants, natives, effect sites and scopes
//! live in per-program tables.

use std::fmt::Write;
use std::rc::Rc;

use wf_syntax::{BinaryOp, Span};

use crate::stdlib::Native;
use crate::value::Value;

/// One instruction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Push null.
    Null,
    /// Push a boolean.
    Bool(bool),
    /// Push an integer.
    Int(i64),
    /// Push constant `n`.
    Const(u32),
    /// Push the value of a slot (KeyError when unset).
    Load(u32),
    /// Pop into a slot.
    Store(u32),
    /// Push the value of a shared variable of the enclosing parallel step.
    LoadShared(u32),
    /// Pop into a shared variable of the enclosing parallel step.
    StoreShared(u32),
    /// Pops `depth` keys and a value; sets `slot[k1]...[kn] = value` (copy-on-write).
    StorePath { slot: u32, depth: u32, shared: bool },
    /// Pop two operands, push the result.
    Binary(BinaryOp),
    /// A guard in front of the code of `lhs OP rhs` (`Load`, `Load` or `Int`, `Binary`, and
    /// `Store` when `dst` is a slot): when both operands are integers and the fast integer
    /// operation succeeds, it pushes the result (or stores it in `dst`) and skips that code;
    /// otherwise it does nothing and the code that follows runs, with its own spans and
    /// errors. `rhs` is a slot when `rhs_slot`, else an immediate `i32`.
    IntOp { op: BinaryOp, lhs: u32, rhs: u32, rhs_slot: bool, dst: u32 },
    /// The same guard in front of a condition `lhs CMP rhs` and its `JumpIfFalse`: on two
    /// integers it jumps to `target` when the comparison is false and otherwise skips the
    /// condition's code.
    IntBranch { op: BinaryOp, lhs: u32, rhs: u32, rhs_slot: bool, target: u32 },
    /// Negate a number.
    Neg,
    /// Boolean not.
    Not,
    /// `a and ...`: pops `a` (must be a boolean); when false pushes false and jumps.
    AndThen(u32),
    /// `a or ...`: pops `a` (must be a boolean); when true pushes true and jumps.
    OrElse(u32),
    /// The right operand of `and`/`or` must be a boolean (left on the stack).
    CheckBool,
    /// Pops a map, pushes field `const`.
    Field(u32),
    /// Pops index and object, pushes `object[index]`.
    Index,
    /// Pops `n` values, pushes a list.
    List(u32),
    /// Pops `n` key/value pairs, pushes a map.
    Map(u32),
    /// Calls native `native` with the arguments on the stack; `present` has a bit per
    /// parameter position that was given (the given ones are on the stack, in order).
    CallNative { native: u32, argc: u32, present: u32 },
    /// `x: ${list.concat(x, v)}`: pops `v` and appends it to the list in slot `slot` in place
    /// (copying only when another value shares the list); anything but a list in the slot
    /// goes through native `native` (`list.concat`) for its error.
    AppendInPlace { slot: u32, native: u32 },
    /// Calls subworkflow `func` with `argc` arguments (all parameters, defaults filled in).
    CallSub { func: u32, argc: u32 },
    /// A call to the outside world, described by effect site `site`; its arguments are on
    /// the stack. The machine yields an effect and pushes the driver's answer.
    Effect(u32),
    /// A step begins (counted against the step limit, recorded in the trace).
    Step(u32),
    /// Jump.
    Jump(u32),
    /// Pop a condition (must be a boolean); jump when false.
    JumpIfFalse(u32),
    /// Discard the top of the stack.
    Pop,
    /// Return the top of the stack from the subworkflow.
    Return,
    /// Raise the top of the stack.
    Raise,
    /// Loop over a list: slots `iter` (the list) and `iter + 1` (the position); assigns the
    /// element to `value` (and the position to `index`), or jumps to `exit` when done.
    NextItem { iter: u32, value: u32, index: u32, exit: u32 },
    /// Loop over a range: slots `iter` (start), `iter + 1` (end), `iter + 2` (position).
    NextInRange { iter: u32, value: u32, index: u32, exit: u32 },
    /// Checks that the popped value is a list and stores it in `iter` with position 0.
    StartList(u32),
    /// Checks that the popped value is `[start, end]` and stores it in `iter`.
    StartRange(u32),
    /// Enter scope `n`: remember which of its variables are unset now.
    ScopeEnter(u32),
    /// A loop iteration ends: unset the variables the innermost scope created in its body
    /// (the loop variables are overwritten anyway) and jump to the loop head `target`.
    NextIteration(u32),
    /// Leave scopes until `n` are left in this frame, unsetting the variables each created.
    ScopeTo(u32),
    /// Sleep `slot` seconds as a retry backoff, then `slot = min(slot * mult, max)`.
    Backoff { delay: u32, multiplier: u32, max: u32 },
    /// Pops a backoff map `{initial_delay, max_delay, multiplier}` into three slots.
    UnpackBackoff(u32),
    /// Runs a parallel step (table `n`).
    Parallel(u32),
    /// Ends a parallel branch or iteration.
    EndBranch,
    /// Passes coverage point `n` (only in programs compiled with coverage; see
    /// `coverage.rs`).
    Cover(u32),
}

/// Marks an unused slot operand (a loop without `index`).
pub const NO_SLOT: u32 = u32::MAX;

/// A blocking call site: what is called and the names of the arguments on the stack.
#[derive(Debug, Clone)]
pub struct EffectSite {
    /// The function, e.g. `http.get`.
    pub function: Rc<str>,
    /// The argument names, in stack order (positional calls use parameter names).
    pub args: Vec<Rc<str>>,
}

/// A `try` region: an error raised at a pc in `start..end` goes to `handler` with the error
/// in slot `error`.
#[derive(Debug, Clone, Copy)]
pub struct Handler {
    /// First instruction covered.
    pub start: u32,
    /// One past the last instruction covered.
    pub end: u32,
    /// Where handling starts.
    pub handler: u32,
    /// Where the error value goes.
    pub error: u32,
    /// How many scopes of the frame are open at `start` (deeper ones are left on an error).
    pub scopes: u32,
}

/// The slots a scope (loop body, except block, branch) may create.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Slots assigned inside the scope: first the loop variables, then the body's.
    pub slots: Vec<u32>,
    /// How many of `slots` are loop variables, set by the loop at every iteration.
    pub loop_vars: u32,
}

/// A parallel step.
#[derive(Debug, Clone)]
pub struct ParallelTable {
    /// The code of each branch (for a parallel `for`: the one body), as `start..end`; a
    /// `try` outside this range never catches the branch's errors.
    pub branches: Vec<(u32, u32)>,
    /// Branch names (the index as text for a parallel `for`).
    pub names: Vec<Rc<str>>,
    /// For a parallel `for`: the slot holding the list or range, the loop variable slots, and
    /// whether it is a range.
    pub each: Option<ParallelEach>,
    /// Slots of the `shared` variables.
    pub shared: Vec<u32>,
    /// `concurrency_limit` slot, if any.
    pub limit: Option<u32>,
    /// Where to continue after the step.
    pub after: u32,
}

/// The loop of a parallel `for`.
#[derive(Debug, Clone, Copy)]
pub struct ParallelEach {
    /// Slot of the list or `[start, end]`.
    pub source: u32,
    /// Whether it is a range.
    pub range: bool,
    /// Loop variable slot.
    pub value: u32,
    /// Index slot or [`NO_SLOT`].
    pub index: u32,
}

/// A compiled subworkflow.
#[derive(Debug, Clone, Default)]
pub struct Function {
    /// Its name.
    pub name: Rc<str>,
    /// The instructions.
    pub code: Vec<Op>,
    /// The source span of each instruction (for errors and listings).
    pub spans: Vec<Span>,
    /// Number of parameters (the first slots).
    pub params: u32,
    /// Names of the slots (`$...` for hidden ones).
    pub slot_names: Vec<Rc<str>>,
    /// `try` regions.
    pub handlers: Vec<Handler>,
    /// Which step each instruction belongs to: `(first pc, step id)`, sorted by pc; an
    /// instruction belongs to the last entry at or before it.
    pub step_marks: Vec<(u32, u32)>,
}

/// A whole compiled workflow.
#[derive(Debug, Default)]
pub struct Program {
    /// Subworkflows; `main` is 0.
    pub functions: Vec<Function>,
    /// Constants.
    pub consts: Vec<Value>,
    /// Natives called, with their names.
    pub natives: Vec<(Rc<str>, Native)>,
    /// Blocking call sites.
    pub effects: Vec<EffectSite>,
    /// Scopes.
    pub scopes: Vec<Scope>,
    /// Parallel steps.
    pub parallels: Vec<ParallelTable>,
    /// Step names, by step id.
    pub steps: Vec<Rc<str>>,
    /// The function each step is in, by step id.
    pub step_routines: Vec<u32>,
    /// The coverage points and their counters, when compiled with coverage.
    pub coverage: Option<crate::coverage::Coverage>,
}

impl Program {
    /// The step, routine and span of instruction `pc` of function `func`.
    pub fn origin(&self, func: u32, pc: u32) -> crate::effects::Origin {
        let Some(f) = self.functions.get(func as usize) else { return crate::effects::Origin::default() };
        crate::effects::Origin {
            step: self.step_at(func, pc).cloned().unwrap_or_else(|| Rc::from("")),
            routine: Rc::clone(&f.name),
            span: f.spans.get(pc as usize).copied().unwrap_or_default(),
        }
    }

    /// The name of the step that instruction `pc` of function `func` belongs to.
    pub fn step_at(&self, func: u32, pc: u32) -> Option<&Rc<str>> {
        let marks = &self.functions.get(func as usize)?.step_marks;
        let i = marks.partition_point(|&(start, _)| start <= pc).checked_sub(1)?;
        self.steps.get(marks[i].1 as usize)
    }

    /// A readable listing of every function, with the source line of each instruction.
    pub fn listing(&self, source: &wf_syntax::SourceFile) -> String {
        let mut out = String::new();
        for f in &self.functions {
            let _ = writeln!(out, "fn {} (params: {}, slots: {})", f.name, f.params, f.slot_names.len());
            let mut last_line = 0;
            for (pc, (op, span)) in f.code.iter().zip(&f.spans).enumerate() {
                let line = source.lines().line_col(&source.text, span.start).line;
                let src = if line != last_line && *span != Span::default() {
                    last_line = line;
                    let start = source.lines().line_start(line as usize - 1) as usize;
                    let text = source.text[start..].lines().next().unwrap_or("").trim();
                    format!("  ; {line}: {text}")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "  {pc:>4}  {:<40}{src}", self.describe(f, op));
            }
            for h in &f.handlers {
                let _ = writeln!(
                    out,
                    "  try {}..{} -> {} (error in {})",
                    h.start, h.end, h.handler, f.slot_names[h.error as usize]
                );
            }
        }
        out
    }

    fn describe(&self, f: &Function, op: &Op) -> String {
        let slot = |s: u32| f.slot_names.get(s as usize).map_or_else(|| "-".to_string(), |n| n.to_string());
        // An integer guard's right operand: a slot, or an immediate i32.
        let operand = |rhs: u32, is_slot: bool| if is_slot { slot(rhs) } else { (rhs as i32).to_string() };
        match *op {
            Op::Const(c) => format!("Const {}", self.consts.get(c as usize).map_or_else(String::new, short)),
            Op::Load(s) => format!("Load {}", slot(s)),
            Op::Store(s) => format!("Store {}", slot(s)),
            Op::LoadShared(s) => format!("LoadShared {}", slot(s)),
            Op::StoreShared(s) => format!("StoreShared {}", slot(s)),
            Op::StorePath { slot: s, depth, shared } => {
                format!("StorePath {} depth {depth}{}", slot(s), if shared { " shared" } else { "" })
            }
            Op::Binary(b) => format!("Binary {}", b.as_str()),
            Op::IntOp { op, lhs, rhs, rhs_slot, dst } => {
                let to = if dst == NO_SLOT { String::new() } else { format!(" -> {}", slot(dst)) };
                format!("IntOp {} {} {}{to}", slot(lhs), op.as_str(), operand(rhs, rhs_slot))
            }
            Op::IntBranch { op, lhs, rhs, rhs_slot, target } => {
                format!("IntBranch {} {} {} else {target}", slot(lhs), op.as_str(), operand(rhs, rhs_slot))
            }
            Op::Field(c) => format!("Field {}", self.consts.get(c as usize).map_or_else(String::new, short)),
            Op::AppendInPlace { slot: s, .. } => format!("AppendInPlace {}", slot(s)),
            Op::CallNative { native, argc, .. } => {
                format!("CallNative {} ({argc})", self.natives.get(native as usize).map_or("?", |n| &n.0))
            }
            Op::CallSub { func, argc } => {
                format!("CallSub {} ({argc})", self.functions.get(func as usize).map_or("?", |f| &f.name))
            }
            Op::Effect(site) => {
                let s = &self.effects[site as usize];
                let args: Vec<&str> = s.args.iter().map(|a| &**a).collect();
                format!("Effect {}({})", s.function, args.join(", "))
            }
            Op::Step(id) => format!("Step {}", self.steps.get(id as usize).map_or("?", |s| s)),
            Op::NextItem { iter, value, index, exit } | Op::NextInRange { iter, value, index, exit } => {
                let kind = if matches!(op, Op::NextItem { .. }) { "NextItem" } else { "NextInRange" };
                format!(
                    "{kind} {} -> {}{} else {exit}",
                    slot(iter),
                    slot(value),
                    if index == NO_SLOT { String::new() } else { format!(", {}", slot(index)) }
                )
            }
            Op::StartList(s) => format!("StartList {}", slot(s)),
            Op::StartRange(s) => format!("StartRange {}", slot(s)),
            Op::Backoff { delay, multiplier, max } => {
                format!("Backoff {} x{} max {}", slot(delay), slot(multiplier), slot(max))
            }
            Op::UnpackBackoff(s) => format!("UnpackBackoff {}", slot(s)),
            Op::Cover(n) => match self.coverage.as_ref().and_then(|c| c.points().get(n as usize)) {
                Some(p) => format!("Cover {n} {:?}", p.kind),
                None => format!("Cover {n}"),
            },
            other => format!("{other:?}"),
        }
    }
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::Str(s) => format!("{:?}", &**s),
        other => other.to_string(),
    };
    if s.chars().count() > 30 { format!("{}…", s.chars().take(29).collect::<String>()) } else { s }
}
