//! Compiling one subworkflow: slots, steps, control flow, `try`/`retry`/`except`.

use std::collections::HashMap;
use std::rc::Rc;

use wf_syntax::ast::{
    Backoff, Call, DataKind, For, ForSource, Next, NextTarget, ParallelBody, RangeSpec, Retry, Step, StepBody,
    StepKind, Subworkflow,
};
use wf_syntax::{ExprKind, Span};

use wf_check::resolution::Resolution;

use super::expr::IntGuard;
use super::{Compiler, Emitter, Result, unsupported};
use crate::code::{EffectSite, Function, Handler, NO_SLOT, Op, ParallelEach, ParallelTable, Scope};
use crate::coverage::{Point, PointKind};
use crate::value::Value;

/// Labels of the innermost loop.
struct LoopCx {
    breaks: Vec<usize>,
    continues: Vec<usize>,
    /// Scope depth inside the loop body.
    depth: u32,
}

pub(crate) struct FnCompiler<'c, 'a> {
    pub c: &'c mut Compiler<'a>,
    pub e: Emitter,
    /// The index of the function being compiled.
    func: u32,
    slots: HashMap<&'a str, u32>,
    step_pc: HashMap<usize, u32>,
    jumps: Vec<(usize, usize)>,
    loops: Vec<LoopCx>,
    depth: u32,
    /// The `shared` variables of the innermost parallel step being compiled.
    shared: Vec<&'a str>,
    /// The steps being compiled with their ids, innermost last.
    open_steps: Vec<(u32, &'a Step)>,
    /// The checker's jump targets and scope depths (one resolution for `wf check` and `wf run`).
    resolution: Resolution<'a>,
}

fn address(step: &Step) -> usize {
    std::ptr::from_ref(step) as usize
}

impl<'c, 'a> FnCompiler<'c, 'a> {
    /// Compiles `sub` into a function.
    pub fn compile(c: &'c mut Compiler<'a>, sub: &'a Subworkflow) -> Result<Function> {
        let f =
            Function { name: Rc::from(sub.name.text.as_str()), params: sub.params.len() as u32, ..Function::default() };
        let func = c.program.functions.len() as u32;
        let mut fc = FnCompiler {
            c,
            e: Emitter { f, span: sub.name.span },
            func,
            slots: HashMap::new(),
            step_pc: HashMap::new(),
            jumps: Vec::new(),
            loops: Vec::new(),
            depth: 0,
            shared: Vec::new(),
            open_steps: Vec::new(),
            resolution: Resolution::of(sub),
        };
        for p in &sub.params {
            fc.slot(&p.name.text);
        }
        fc.cover(PointKind::Entry, sub.name.span);
        fc.block(&sub.steps)?;
        fc.e.emit(Op::Null);
        fc.e.emit(Op::Return);
        for (at, target) in std::mem::take(&mut fc.jumps) {
            let pc = fc.step_pc.get(&target).copied().unwrap_or(0);
            fc.e.patch(at, pc);
        }
        Ok(fc.e.f)
    }

    /// The slot of a variable (allocated on first use).
    pub fn slot(&mut self, name: &'a str) -> u32 {
        if let Some(&s) = self.slots.get(name) {
            return s;
        }
        let s = self.e.f.slot_names.len() as u32;
        self.e.f.slot_names.push(Rc::from(name));
        self.slots.insert(name, s);
        s
    }

    /// `n` consecutive hidden slots.
    fn hidden(&mut self, what: &str, n: u32) -> u32 {
        let first = self.e.f.slot_names.len() as u32;
        for i in 0..n {
            self.e.f.slot_names.push(Rc::from(format!("${what}{first}.{i}")));
        }
        first
    }

    fn block(&mut self, steps: &'a [Step]) -> Result<()> {
        for step in steps {
            self.step_pc.insert(address(step), self.e.pc());
            self.e.span = step.name.span;
            let id = self.c.step_id(step);
            self.mark_step(id);
            self.open_steps.push((id, step));
            // Before `Step`, which may fail (step or memory limit) after the trace has it.
            self.cover(PointKind::Step, step.name.span);
            self.e.emit(Op::Step(id));
            self.body(&step.body)?;
            self.open_steps.pop();
        }
        if let Some(&(outer, _)) = self.open_steps.last() {
            self.mark_step(outer);
        }
        Ok(())
    }

    /// Marks a coverage point of the innermost open step (when compiling with coverage).
    fn cover(&mut self, kind: PointKind, span: Span) {
        let step = if kind == PointKind::Entry { None } else { self.open_steps.last().map(|&(id, _)| id) };
        let point = Point { kind, span, function: self.func, step };
        self.c.cover(&mut self.e, point);
    }

    /// The instructions emitted from here on belong to step `id`.
    fn mark_step(&mut self, id: u32) {
        let pc = self.e.pc();
        let marks = &mut self.e.f.step_marks;
        match marks.last_mut() {
            Some(last) if last.0 == pc => last.1 = id,
            _ => marks.push((pc, id)),
        }
    }

    fn body(&mut self, body: &'a StepBody) -> Result<()> {
        self.kind(&body.kind, body.next.as_ref())?;
        if let Some(next) = &body.next {
            self.jump(next)?;
        }
        Ok(())
    }

    /// Emits a `next`.
    fn jump(&mut self, next: &'a Next) -> Result<()> {
        self.e.span = next.span;
        match &next.target {
            NextTarget::End => {
                self.e.emit(Op::Null);
                self.e.emit(Op::Return);
            }
            NextTarget::Break | NextTarget::Continue => {
                let Some(depth) = self.loops.last().map(|l| l.depth) else {
                    return unsupported(next.span, "`break`/`continue` outside a loop");
                };
                if self.depth > depth {
                    self.e.emit(Op::ScopeTo(depth));
                }
                let at = self.e.emit(Op::Jump(u32::MAX));
                let l = self.loops.last_mut().expect("checked above");
                if next.target == NextTarget::Break { l.breaks.push(at) } else { l.continues.push(at) }
            }
            NextTarget::Step(name) => {
                let from = self.open_steps.last().map(|&(_, step)| step);
                let Some(target) = from.and_then(|from| self.resolution.jump_target(from, name)) else {
                    return unsupported(next.span, format!("no step named `{name}` is visible from here"));
                };
                let target_depth = self.resolution.scope_depth(target);
                if target_depth < self.depth {
                    self.e.emit(Op::ScopeTo(target_depth));
                }
                let at = self.e.emit(Op::Jump(u32::MAX));
                self.jumps.push((at, address(target)));
            }
        }
        Ok(())
    }

    fn kind(&mut self, kind: &'a StepKind, own_next: Option<&'a Next>) -> Result<()> {
        match kind {
            StepKind::Assign(items) => {
                for a in items {
                    self.e.span = a.target.span;
                    if self.append_in_place(a)? {
                        continue;
                    }
                    if !self.int_op_into_slot(a)? {
                        self.value(&a.value)?;
                    }
                    self.e.span = a.target.span;
                    self.store_target(&a.target)?;
                }
            }
            StepKind::Call(call) => self.call_step(call)?,
            StepKind::Switch(cases) => {
                let mut to_end = Vec::new();
                for case in cases {
                    self.e.span = case.condition.span;
                    let always = matches!(case.condition.kind, DataKind::Bool(true));
                    let skip = if always { Vec::new() } else { self.jump_if_false(&case.condition)? };
                    self.cover(PointKind::Taken, case.condition.span);
                    self.body(&case.body)?;
                    if case.body.next.is_none() {
                        to_end.push(self.e.emit(Op::Jump(u32::MAX)));
                    }
                    let pc = self.e.pc();
                    for at in skip {
                        self.e.patch(at, pc);
                    }
                    // Only the jumps above reach here: every case body ends with a jump.
                    if !always {
                        self.cover(PointKind::Skipped, case.condition.span);
                    }
                }
                let end = self.e.pc();
                for at in to_end {
                    self.e.patch(at, end);
                }
                let _ = own_next;
            }
            StepKind::For(f) => self.for_loop(f)?,
            StepKind::Parallel(p) => self.parallel(p)?,
            StepKind::Raise(v) => {
                self.e.span = v.span;
                self.value(v)?;
                self.e.emit(Op::Raise);
            }
            StepKind::Return(v) => {
                self.e.span = v.span;
                self.value(v)?;
                self.e.emit(Op::Return);
            }
            StepKind::Try(t) => self.try_step(t)?,
            StepKind::Steps(steps) => self.block(steps)?,
            StepKind::Nothing => {}
            StepKind::Invalid => return unsupported(self.e.span, "this step has errors; fix them first (`wf check`)"),
        }
        Ok(())
    }

    /// Compiles `x: ${list.concat(x, v)}` to [`Op::AppendInPlace`], so that building a list
    /// of N items in a loop takes O(N) rather than O(N²). Returns false for any other item.
    fn append_in_place(&mut self, a: &'a wf_syntax::ast::Assignment) -> Result<bool> {
        let (ExprKind::Var(target), DataKind::Expr(value)) = (&a.target.kind, &a.value.kind) else {
            return Ok(false);
        };
        let ExprKind::Call { callee, args } = &value.kind else {
            return Ok(false);
        };
        let appends_to_target = matches!(args.first().map(|e| &e.kind), Some(ExprKind::Var(n)) if n == target);
        if args.len() != 2 || !appends_to_target || self.is_shared(target) {
            return Ok(false);
        }
        if callee.dotted_name().as_deref() != Some("list.concat") {
            return Ok(false);
        }
        let Some(native) = self.c.native("list.concat") else {
            return Ok(false);
        };
        self.expr(&args[1])?;
        self.at(callee.span);
        let slot = self.slot(target);
        self.e.emit(Op::AppendInPlace { slot, native });
        Ok(true)
    }

    /// For `x: ${a OP b}` with local variables or small integers as operands: emits the
    /// [`Op::IntOp`] guard that stores into `x`, then the plain code of `a OP b` (the caller
    /// adds the `Store`). Returns false, emitting nothing, for any other assignment.
    fn int_op_into_slot(&mut self, a: &'a wf_syntax::ast::Assignment) -> Result<bool> {
        let (ExprKind::Var(target), DataKind::Expr(value)) = (&a.target.kind, &a.value.kind) else {
            return Ok(false);
        };
        if self.is_shared(target) {
            return Ok(false);
        }
        let dst = self.slot(target);
        Ok(self.int_guard(value, IntGuard::Store(dst))?.is_some())
    }

    /// Evaluates a condition and jumps when it is false; returns the jumps to patch.
    fn jump_if_false(&mut self, condition: &'a wf_syntax::ast::Data) -> Result<Vec<usize>> {
        let guard = match &condition.kind {
            DataKind::Expr(e) => self.int_guard(e, IntGuard::JumpIfFalse)?,
            _ => None,
        };
        if guard.is_none() {
            self.value(condition)?;
        }
        let jump = self.e.emit(Op::JumpIfFalse(u32::MAX));
        Ok(guard.into_iter().chain([jump]).collect())
    }

    /// Pops a value into an assignment target (`x`, `x.a`, `x[i].b`).
    fn store_target(&mut self, target: &'a wf_syntax::Expr) -> Result<()> {
        let mut keys = Vec::new();
        let mut cur = target;
        let root = loop {
            match &cur.kind {
                ExprKind::Var(name) => break name,
                ExprKind::Member { object, name, .. } => {
                    keys.push(Key::Name(name));
                    cur = object;
                }
                ExprKind::Index { object, index } => {
                    keys.push(Key::Expr(index));
                    cur = object;
                }
                _ => return unsupported(target.span, "this cannot be assigned to"),
            }
        };
        let slot = self.slot(root);
        let shared = self.is_shared(root);
        if keys.is_empty() {
            self.e.emit(if shared { Op::StoreShared(slot) } else { Op::Store(slot) });
            return Ok(());
        }
        for key in keys.iter().rev() {
            match key {
                Key::Name(n) => {
                    let c = self.c.constant(Value::str(n));
                    self.e.emit(Op::Const(c));
                }
                Key::Expr(e) => self.expr(e)?,
            }
        }
        self.e.emit(Op::StorePath { slot, depth: keys.len() as u32, shared });
        Ok(())
    }

    /// Whether `name` is a `shared` variable of the parallel step being compiled.
    pub fn is_shared(&self, name: &str) -> bool {
        self.shared.contains(&name)
    }

    /// Compiles a parallel step: the branches' code follows the `Parallel` instruction, each
    /// ending with `EndBranch`; every branch runs as its own fiber.
    fn parallel(&mut self, p: &'a wf_syntax::ast::Parallel) -> Result<()> {
        let span = self.e.span;
        let limit = match &p.concurrency_limit {
            Some(v) => {
                let s = self.hidden("limit", 1);
                self.value(v)?;
                self.e.emit(Op::Store(s));
                Some(s)
            }
            None => None,
        };
        let each = match &p.body {
            ParallelBody::For(f) => {
                let source = self.hidden("each", 1);
                match &f.source {
                    ForSource::In(v) => self.value(v)?,
                    ForSource::Range(RangeSpec::Pair(a, b)) => {
                        self.value(a)?;
                        self.value(b)?;
                        self.e.emit(Op::List(2));
                    }
                    ForSource::Range(RangeSpec::Expr(e)) => self.expr(e)?,
                }
                self.e.emit(Op::Store(source));
                let value = self.slot(&f.value.text);
                let index = f.index.as_ref().map_or(NO_SLOT, |i| self.slot(&i.text));
                Some(ParallelEach { source, range: matches!(f.source, ForSource::Range(_)), value, index })
            }
            _ => None,
        };
        let shared_slots = p.shared.iter().map(|n| self.slot(&n.text)).collect();
        let table = self.c.program.parallels.len() as u32;
        self.c.program.parallels.push(ParallelTable {
            branches: Vec::new(),
            names: Vec::new(),
            each,
            shared: shared_slots,
            limit,
            after: 0,
        });
        self.e.span = span;
        self.e.emit(Op::Parallel(table));
        let saved_shared = std::mem::replace(&mut self.shared, p.shared.iter().map(|n| n.text.as_str()).collect());
        let saved_depth = std::mem::replace(&mut self.depth, 0);
        let saved_loops = std::mem::take(&mut self.loops);
        let mut branches = Vec::new();
        let mut names = Vec::new();
        match &p.body {
            ParallelBody::Branches(bs) => {
                for b in bs {
                    let start = self.e.pc();
                    self.block(&b.steps)?;
                    self.e.span = b.name.span;
                    self.e.emit(Op::EndBranch);
                    branches.push((start, self.e.pc()));
                    names.push(Rc::from(b.name.text.as_str()));
                }
            }
            ParallelBody::For(f) => {
                let start = self.e.pc();
                self.loops.push(LoopCx { breaks: Vec::new(), continues: Vec::new(), depth: 0 });
                self.block(&f.steps)?;
                let l = self.loops.pop().expect("pushed above");
                if let Some(&at) = l.breaks.first() {
                    return unsupported(self.e.f.spans[at], "`next: break` cannot leave a parallel `for`");
                }
                let end_branch = self.e.pc();
                self.e.span = f.span;
                self.e.emit(Op::EndBranch);
                for at in l.continues {
                    self.e.patch(at, end_branch);
                }
                branches.push((start, self.e.pc()));
            }
            ParallelBody::Invalid => {
                return unsupported(span, "this parallel step has errors; fix them first (`wf check`)");
            }
        }
        self.shared = saved_shared;
        self.depth = saved_depth;
        self.loops = saved_loops;
        let after = self.e.pc();
        let t = &mut self.c.program.parallels[table as usize];
        t.branches = branches;
        t.names = names;
        t.after = after;
        Ok(())
    }

    fn call_step(&mut self, call: &'a Call) -> Result<()> {
        self.e.span = call.function.span;
        let name = call.function.text.as_str();
        let given = |p: &str| call.args.iter().find(|a| a.name.text == p);
        if let Some(&(index, sub)) = self.c.subs.get(name) {
            for p in &sub.params {
                match (given(&p.name.text), &p.default) {
                    (Some(a), _) => self.value(&a.value)?,
                    (None, Some(d)) => self.value(d)?,
                    (None, None) => {
                        return unsupported(call.function.span, format!("missing argument `{}`", p.name.text));
                    }
                }
            }
            self.e.span = call.function.span;
            self.e.emit(Op::CallSub { func: index, argc: sub.params.len() as u32 });
        } else if let Some(f) = wf_check::stdlib::function(name).filter(|f| !f.blocking) {
            let Some(native) = self.c.native(f.name) else {
                return unsupported(call.function.span, format!("`{name}` is not implemented by the VM yet"));
            };
            let mut present = 0u32;
            for (i, p) in f.params.iter().enumerate() {
                if let Some(a) = given(p.name) {
                    self.value(&a.value)?;
                    present |= 1 << i;
                }
            }
            self.e.span = call.function.span;
            self.e.emit(Op::CallNative { native, argc: present.count_ones(), present });
        } else {
            for a in &call.args {
                self.value(&a.value)?;
            }
            let site = EffectSite {
                function: Rc::from(name),
                args: call.args.iter().map(|a| Rc::from(a.name.text.as_str())).collect(),
            };
            self.c.program.effects.push(site);
            self.e.span = call.function.span;
            self.e.emit(Op::Effect((self.c.program.effects.len() - 1) as u32));
        }
        match &call.result {
            Some(r) => {
                let s = self.slot(&r.text);
                let shared = self.is_shared(&r.text);
                self.e.emit(if shared { Op::StoreShared(s) } else { Op::Store(s) });
            }
            None => {
                self.e.emit(Op::Pop);
            }
        }
        Ok(())
    }

    /// A scope that may create `names`, of which the first `loop_vars` are loop variables.
    fn scope(&mut self, names: Vec<&'a str>, loop_vars: u32) -> u32 {
        let slots = names.into_iter().map(|n| self.slot(n)).collect();
        self.c.program.scopes.push(Scope { slots, loop_vars });
        (self.c.program.scopes.len() - 1) as u32
    }

    fn for_loop(&mut self, f: &'a For) -> Result<()> {
        self.e.span = f.span;
        let range = matches!(f.source, ForSource::Range(_));
        let iter = self.hidden("loop", if range { 3 } else { 2 });
        match &f.source {
            ForSource::In(v) => {
                self.value(v)?;
                self.e.emit(Op::StartList(iter));
            }
            ForSource::Range(RangeSpec::Pair(a, b)) => {
                self.value(a)?;
                self.value(b)?;
                self.e.emit(Op::List(2));
                self.e.emit(Op::StartRange(iter));
            }
            ForSource::Range(RangeSpec::Expr(e)) => {
                self.expr(e)?;
                self.e.emit(Op::StartRange(iter));
            }
        }
        let mut names = vec![f.value.text.as_str()];
        names.extend(f.index.as_ref().map(|i| i.text.as_str()));
        let loop_vars = names.len() as u32;
        assigned_names(&f.steps, &mut names);
        let scope = self.scope(names, loop_vars);
        let value = self.slot(&f.value.text);
        let index = f.index.as_ref().map_or(NO_SLOT, |i| self.slot(&i.text));
        self.e.span = f.span;
        self.e.emit(Op::ScopeEnter(scope));
        self.depth += 1;
        let head = self.e.pc();
        let next = if range {
            Op::NextInRange { iter, value, index, exit: u32::MAX }
        } else {
            Op::NextItem { iter, value, index, exit: u32::MAX }
        };
        let next_at = self.e.emit(next);
        self.loops.push(LoopCx { breaks: Vec::new(), continues: Vec::new(), depth: self.depth });
        self.block(&f.steps)?;
        let l = self.loops.pop().expect("pushed above");
        let cont = self.e.pc();
        self.e.span = f.span;
        self.e.emit(Op::NextIteration(head));
        self.depth -= 1;
        let exit = self.e.pc();
        self.e.emit(Op::ScopeTo(self.depth));
        self.e.patch(next_at, exit);
        for at in l.continues {
            self.e.patch(at, cont);
        }
        for at in l.breaks {
            self.e.patch(at, exit);
        }
        Ok(())
    }

    fn try_step(&mut self, t: &'a wf_syntax::ast::Try) -> Result<()> {
        let retry = match &t.retry {
            Some(r) => Some(self.retry_setup(r)?),
            None => None,
        };
        let error = self.hidden("error", 1);
        let start = self.e.pc();
        let scopes = self.depth;
        self.body(&t.body)?;
        let end = self.e.pc();
        let to_after = self.e.emit(Op::Jump(u32::MAX));
        let handler = self.e.pc();
        self.e.f.handlers.push(Handler { start, end, handler, error, scopes });
        let mut to_except = Vec::new();
        if let Some(r) = retry {
            self.e.emit(Op::Load(r.attempt));
            self.e.emit(Op::Load(r.max));
            self.e.emit(Op::Binary(wf_syntax::BinaryOp::Lt));
            to_except.push(self.e.emit(Op::JumpIfFalse(u32::MAX)));
            self.e.emit(Op::Load(error));
            match r.predicate {
                Predicate::Native(n) => self.e.emit(Op::CallNative { native: n, argc: 1, present: 1 }),
                Predicate::Sub(f) => self.e.emit(Op::CallSub { func: f, argc: 1 }),
            };
            to_except.push(self.e.emit(Op::JumpIfFalse(u32::MAX)));
            self.cover(PointKind::Retry, r.span);
            self.e.emit(Op::Backoff { delay: r.delay, multiplier: r.delay + 2, max: r.delay + 1 });
            self.e.emit(Op::Load(r.attempt));
            self.e.emit(Op::Int(1));
            self.e.emit(Op::Binary(wf_syntax::BinaryOp::Add));
            self.e.emit(Op::Store(r.attempt));
            self.e.emit(Op::Jump(start));
        }
        let no_retry = self.e.pc();
        for at in to_except {
            self.e.patch(at, no_retry);
        }
        match &t.except {
            Some(except) => {
                self.cover(PointKind::Except, except.span);
                let mut names: Vec<&str> = except.var.iter().map(|v| v.text.as_str()).collect();
                assigned_names(&except.steps, &mut names);
                let scope = self.scope(names, 0);
                self.e.span = except.span;
                self.e.emit(Op::ScopeEnter(scope));
                self.depth += 1;
                if let Some(var) = &except.var {
                    let s = self.slot(&var.text);
                    self.e.emit(Op::Load(error));
                    self.e.emit(Op::Store(s));
                }
                self.block(&except.steps)?;
                self.depth -= 1;
                self.e.emit(Op::ScopeTo(self.depth));
            }
            None => {
                self.e.emit(Op::Load(error));
                self.e.emit(Op::Raise);
            }
        }
        let after = self.e.pc();
        self.e.patch(to_after, after);
        Ok(())
    }

    /// Evaluates the retry settings once, before the first attempt.
    fn retry_setup(&mut self, r: &'a Retry) -> Result<RetrySlots> {
        // Slots: attempt, max_retries, then delay, max_delay, multiplier (consecutive).
        let attempt = self.hidden("attempt", 1);
        let max = self.hidden("max_retries", 1);
        let delay = self.hidden("backoff", 3);
        let predicate = match r {
            Retry::Policy(e) => {
                let name = e.dotted_name().unwrap_or_default();
                let predicate = match name.as_str() {
                    "http.default_retry" => "http.default_retry_predicate",
                    "http.default_retry_non_idempotent" => "http.default_retry_predicate_non_idempotent",
                    _ => {
                        return unsupported(
                            e.span,
                            format!(
                                "retry policy `{name}` is not supported by the VM; use `http.default_retry` or a custom policy"
                            ),
                        );
                    }
                };
                self.e.emit(Op::Int(5));
                self.e.emit(Op::Store(max));
                self.default_backoff(delay);
                Predicate::Native(self.c.native(predicate).expect("predicates are built in"))
            }
            Retry::Custom(custom) => {
                let Some(max_retries) = &custom.max_retries else {
                    return unsupported(custom.span, "retry without `max_retries`");
                };
                self.value(max_retries)?;
                self.e.emit(Op::Store(max));
                match &custom.backoff {
                    Some(Backoff::Fields { initial_delay, max_delay, multiplier, .. }) => {
                        let defaults = [Value::Int(1), Value::Int(60), Value::Double(1.25)];
                        for (i, (v, d)) in [initial_delay, max_delay, multiplier].into_iter().zip(defaults).enumerate()
                        {
                            match v {
                                Some(v) => self.value(v)?,
                                None => {
                                    let c = self.c.constant(d);
                                    self.e.emit(Op::Const(c));
                                }
                            }
                            self.e.emit(Op::Store(delay + i as u32));
                        }
                    }
                    Some(Backoff::Expr(e)) => {
                        self.expr(e)?;
                        self.e.emit(Op::UnpackBackoff(delay));
                    }
                    None => self.default_backoff(delay),
                }
                let Some(pred) = &custom.predicate else {
                    return unsupported(custom.span, "retry without `predicate`");
                };
                let target = match &pred.kind {
                    DataKind::Expr(e) => e,
                    _ => return unsupported(pred.span, "a retry predicate must be `${name}`"),
                };
                match target.dotted_name() {
                    Some(n) if self.c.subs.contains_key(n.as_str()) => Predicate::Sub(self.c.subs[n.as_str()].0),
                    Some(n) if crate::predicates::native(&n).is_some() => {
                        Predicate::Native(self.c.native(&n).expect("known predicate"))
                    }
                    _ => {
                        return unsupported(
                            pred.span,
                            "a retry predicate must name a subworkflow or a predefined predicate",
                        );
                    }
                }
            }
        };
        self.e.emit(Op::Int(0));
        self.e.emit(Op::Store(attempt));
        let span = match r {
            Retry::Policy(e) => e.span,
            Retry::Custom(custom) => custom.span,
        };
        Ok(RetrySlots { span, attempt, max, delay, predicate })
    }

    fn default_backoff(&mut self, delay: u32) {
        for (i, v) in [Value::Int(1), Value::Int(60), Value::Double(1.25)].into_iter().enumerate() {
            let c = self.c.constant(v);
            self.e.emit(Op::Const(c));
            self.e.emit(Op::Store(delay + i as u32));
        }
    }

    /// The span currently attributed to emitted instructions.
    pub fn at(&mut self, span: Span) {
        self.e.span = span;
    }
}

enum Key<'a> {
    Name(&'a str),
    Expr(&'a wf_syntax::Expr),
}

enum Predicate {
    Native(u32),
    Sub(u32),
}

struct RetrySlots {
    /// The `retry` value (a coverage point's span).
    span: Span,
    attempt: u32,
    max: u32,
    /// `delay`, `delay + 1` = max delay, `delay + 2` = multiplier.
    delay: u32,
    predicate: Predicate,
}

/// The plain variables that `steps` assign (at any depth), appended to `out`.
fn assigned_names<'a>(steps: &'a [Step], out: &mut Vec<&'a str>) {
    for step in steps {
        body_names(&step.body, out);
    }
}

fn add<'a>(out: &mut Vec<&'a str>, n: &'a str) {
    if !out.contains(&n) {
        out.push(n);
    }
}

fn body_names<'a>(body: &'a StepBody, out: &mut Vec<&'a str>) {
    match &body.kind {
        StepKind::Assign(items) => {
            for a in items {
                if let ExprKind::Var(n) = &a.target.kind {
                    add(out, n);
                }
            }
        }
        StepKind::Call(c) => {
            if let Some(r) = &c.result {
                add(out, &r.text);
            }
        }
        StepKind::Steps(s) => assigned_names(s, out),
        StepKind::Switch(cases) => cases.iter().for_each(|c| body_names(&c.body, out)),
        StepKind::For(f) => {
            add(out, &f.value.text);
            if let Some(i) = &f.index {
                add(out, &i.text);
            }
            assigned_names(&f.steps, out);
        }
        StepKind::Try(t) => {
            body_names(&t.body, out);
            if let Some(e) = &t.except {
                if let Some(v) = &e.var {
                    add(out, &v.text);
                }
                assigned_names(&e.steps, out);
            }
        }
        StepKind::Parallel(p) => match &p.body {
            ParallelBody::Branches(bs) => bs.iter().for_each(|b| assigned_names(&b.steps, out)),
            ParallelBody::For(f) => assigned_names(&f.steps, out),
            ParallelBody::Invalid => {}
        },
        _ => {}
    }
}
