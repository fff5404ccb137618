//! The control-flow graph of one subworkflow. Nodes are the points where something happens
//! (an assignment, a call, a condition, a definition of a loop variable, a scope end);
//! edges follow GCW's semantics: fallthrough, `next`, switch, loops, parallel branches,
//! `raise` and the implicit errors that reach `try` handlers and retries.
//!
//! Jump mistakes (unknown or invisible targets, `break` outside a loop, redundant `next`)
//! are reported while building.

use wf_syntax::Diagnostic;
use wf_syntax::ast::{
    Assignment, Backoff, Call, Data, DataKind, For, ForSource, Name, Next, NextTarget, Parallel, ParallelBody,
    RangeSpec, Retry, Step, StepBody, StepKind,
};
use wf_syntax::suggest::help_for;

use crate::codes;
use crate::program::{BlockId, JumpError, StepId, SubIndex};

/// Index of a node in [`Cfg::nodes`].
pub(crate) type NodeId = usize;

/// Where an evaluated value appears, which decides what it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EvalContext {
    /// The list of a `for ... in`.
    ForIn,
    /// `concurrency_limit`.
    Concurrency,
    /// `retry: ${policy}`.
    RetryPolicy,
    /// A retry `predicate`.
    Predicate,
    /// `max_retries` or a backoff number.
    RetryNumber,
    /// `backoff: ${...}`.
    Backoff,
}

/// What a node does.
#[derive(Debug)]
pub(crate) enum Op<'a> {
    /// Start of the subworkflow; defines the parameters.
    Entry,
    /// End without a value (`next: end`, or the last step finished).
    Exit,
    /// End by `return`.
    ReturnExit,
    /// A join or split point with no effect.
    Nop,
    /// The start of a step (used for reachability).
    Step,
    /// One item of an `assign`.
    Assign(&'a Assignment),
    /// A `call` step.
    Call(&'a Call),
    /// A value evaluated for its own sake.
    Eval(&'a Data, EvalContext),
    /// An expression evaluated for its own sake (retry policies, backoff expressions).
    EvalExpr(&'a wf_syntax::Expr, EvalContext),
    /// A `range` of a loop.
    Range(&'a RangeSpec),
    /// A switch condition.
    Cond(&'a Data),
    /// Defines a loop variable or an except variable.
    Define(&'a Name, Origin<'a>),
    /// Leaves a scope: variables created since `start` cease to exist.
    ScopeEnd(NodeId),
    /// Starts a parallel step (also the scope start of its branches).
    ParallelStart(&'a Parallel),
    /// `return`.
    Return(&'a Data),
    /// `raise`.
    Raise(&'a Data),
}

/// Where a [`Op::Define`]d variable comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// A loop's `value`.
    LoopValue(&'a For),
    /// A loop's `index`.
    LoopIndex,
    /// An `except`'s `as`.
    Error,
}

#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub op: Op<'a>,
    /// Where control goes when the node completes.
    pub succ: Vec<NodeId>,
    /// Where an error raised by the node goes (it did not complete: nothing it defines is
    /// defined there).
    pub raises_to: Vec<NodeId>,
    /// The innermost parallel step this node runs in (index into [`Cfg::parallels`]).
    pub parallel: Option<usize>,
    /// The step this node belongs to.
    pub step: Option<StepId>,
}

/// A parallel step, seen from inside its branches.
#[derive(Debug)]
pub(crate) struct ParallelScope<'a> {
    pub start: NodeId,
    pub shared: &'a [Name],
}

/// The graph.
#[derive(Debug)]
pub(crate) struct Cfg<'a> {
    pub nodes: Vec<Node<'a>>,
    pub entry: NodeId,
    pub exit: NodeId,
    pub parallels: Vec<ParallelScope<'a>>,
    /// The entry node of each step, by [`StepId`].
    pub step_nodes: Vec<NodeId>,
    /// Whether a `next` failed to resolve (reported): its edge is a guess (the next step),
    /// so "never read" cannot be judged in this subworkflow.
    pub broken_jump: bool,
}

#[derive(Clone, Copy)]
struct Handler {
    retry: Option<NodeId>,
    except: Option<NodeId>,
}

#[derive(Clone, Copy)]
struct LoopTargets {
    break_to: NodeId,
    continue_to: NodeId,
}

struct Builder<'a, 'i> {
    index: &'i SubIndex<'a>,
    cfg: Cfg<'a>,
    return_exit: NodeId,
    handlers: Vec<Handler>,
    loops: Vec<LoopTargets>,
    parallel: Option<usize>,
    step: Option<StepId>,
    diags: Vec<Diagnostic>,
}

/// Builds the graph of a subworkflow whose steps are `steps`, indexed by `index`.
pub(crate) fn build<'a>(index: &SubIndex<'a>, steps: &'a [Step]) -> (Cfg<'a>, Vec<Diagnostic>) {
    let mut b = Builder {
        index,
        cfg: Cfg {
            nodes: Vec::new(),
            entry: 0,
            exit: 0,
            parallels: Vec::new(),
            step_nodes: Vec::new(),
            broken_jump: false,
        },
        return_exit: 0,
        handlers: Vec::new(),
        loops: Vec::new(),
        parallel: None,
        step: None,
        diags: Vec::new(),
    };
    b.cfg.entry = b.node(Op::Entry);
    b.cfg.exit = b.node(Op::Exit);
    b.return_exit = b.node(Op::ReturnExit);
    b.cfg.step_nodes = (0..index.steps.len()).map(|_| b.node(Op::Step)).collect();
    for (id, &n) in b.cfg.step_nodes.iter().enumerate() {
        b.cfg.nodes[n].step = Some(id);
    }
    b.enter_block(b.cfg.entry, steps, b.cfg.exit);
    (b.cfg, b.diags)
}

impl<'a> Builder<'a, '_> {
    fn node(&mut self, op: Op<'a>) -> NodeId {
        self.cfg.nodes.push(Node {
            op,
            succ: Vec::new(),
            raises_to: Vec::new(),
            parallel: self.parallel,
            step: self.step,
        });
        self.cfg.nodes.len() - 1
    }

    fn edge(&mut self, from: NodeId, to: NodeId) {
        let succ = &mut self.cfg.nodes[from].succ;
        if !succ.contains(&to) {
            succ.push(to);
        }
    }

    /// Where an error raised here may go: the retry of each enclosing `try` up to the first
    /// one with an `except`, and that `except`.
    fn handler_targets(&self) -> Vec<NodeId> {
        let mut out = Vec::new();
        for h in self.handlers.iter().rev() {
            out.extend(h.retry);
            if let Some(e) = h.except {
                out.push(e);
                break;
            }
        }
        out
    }

    /// Links the error edges of `n`.
    fn can_raise(&mut self, n: NodeId) {
        let targets = self.handler_targets();
        self.cfg.nodes[n].raises_to = targets;
    }

    /// A node that may raise, linked from `from`.
    fn raising(&mut self, from: NodeId, op: Op<'a>) -> NodeId {
        let n = self.node(op);
        self.edge(from, n);
        self.can_raise(n);
        n
    }

    fn step_node(&self, step: &Step) -> Option<NodeId> {
        self.index.id_of(step).map(|id| self.cfg.step_nodes[id])
    }

    fn first_of(&self, steps: &[Step], otherwise: NodeId) -> NodeId {
        steps.first().and_then(|s| self.step_node(s)).unwrap_or(otherwise)
    }

    /// A node that ends the scope started at `scope`, then goes to `then`.
    fn scope_end(&mut self, scope: NodeId, then: NodeId) -> NodeId {
        let end = self.node(Op::ScopeEnd(scope));
        self.edge(end, then);
        end
    }

    /// Goes from `from` into `steps`, which continue at `cont` (directly when empty).
    fn enter_block(&mut self, from: NodeId, steps: &'a [Step], cont: NodeId) {
        let first = self.first_of(steps, cont);
        self.edge(from, first);
        self.block(steps, cont);
    }

    fn block(&mut self, steps: &'a [Step], cont: NodeId) {
        for (i, step) in steps.iter().enumerate() {
            let Some(id) = self.index.id_of(step) else { continue };
            let entry = self.cfg.step_nodes[id];
            let fallthrough = self.first_of(&steps[i + 1..], cont);
            let saved = self.step.replace(id);
            self.step_body(entry, &step.body, fallthrough, self.index.steps[id].block, true);
            self.step = saved;
        }
    }

    /// Builds a step body (or a switch case, when `is_step` is false: an explicit `next` in a
    /// case documents the branch, so it is never called redundant).
    fn step_body(&mut self, from: NodeId, body: &'a StepBody, fallthrough: NodeId, block: BlockId, is_step: bool) {
        let after = match &body.next {
            Some(next) => self.jump(next, block, fallthrough, is_step),
            None => fallthrough,
        };
        self.kind(from, &body.kind, after, block);
    }

    /// The node a `next` leads to; reports invalid jumps (then continues at `fallthrough`).
    fn jump(&mut self, next: &Next, block: BlockId, fallthrough: NodeId, lint_redundant: bool) -> NodeId {
        match &next.target {
            NextTarget::End => self.cfg.exit,
            NextTarget::Break | NextTarget::Continue => {
                let is_break = next.target == NextTarget::Break;
                let word = if is_break { "break" } else { "continue" };
                match (self.loops.last().copied(), self.index.enclosing_loop(block)) {
                    (Some(l), Some(parallel)) if !(is_break && parallel) => {
                        if is_break {
                            l.break_to
                        } else {
                            l.continue_to
                        }
                    }
                    (_, Some(true)) => {
                        self.diags.push(
                            Diagnostic::error(codes::LOOP_JUMP, next.span, "`next: break` inside a parallel `for`")
                                .with_label("iterations run concurrently; there is no loop to break out of")
                                .with_help("use `next: continue` to end this iteration, or `raise` to stop the step"),
                        );
                        fallthrough
                    }
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                codes::LOOP_JUMP,
                                next.span,
                                format!("`next: {word}` outside a `for` loop"),
                            )
                            .with_label(format!("no enclosing loop to {word}"))
                            .with_help("use `next: end` to finish the workflow, or name a step to jump to"),
                        );
                        fallthrough
                    }
                }
            }
            NextTarget::Step(name) => match self.index.resolve_jump(block, name) {
                Ok(target) => {
                    let node = self.cfg.step_nodes[target];
                    if node == fallthrough && lint_redundant {
                        self.diags.push(
                            Diagnostic::warning(
                                codes::REDUNDANT_NEXT,
                                next.span,
                                format!("`next: {name}` is redundant"),
                            )
                            .with_label(format!("`{name}` runs next anyway"))
                            .with_help("remove this `next`"),
                        );
                    }
                    node
                }
                Err(e) => {
                    self.jump_error(next, name, e);
                    fallthrough
                }
            },
        }
    }

    fn jump_error(&mut self, next: &Next, name: &str, e: JumpError) {
        self.cfg.broken_jump = true;
        let d = match e {
            JumpError::Unknown => {
                let names: Vec<&str> = self.index.names().collect();
                let mut d = Diagnostic::error(codes::UNKNOWN_STEP, next.span, format!("no step named `{name}`"))
                    .with_label("unknown step");
                d = match help_for(name, &names) {
                    Some(h) => d.with_help(h),
                    None => {
                        d.with_help("`next` takes a step name of this (sub)workflow, or `end`, `break` or `continue`")
                    }
                };
                d
            }
            JumpError::NotVisible(target) => {
                let target_span = self.index.steps[target].step.name.span;
                Diagnostic::error(codes::INVALID_JUMP, next.span, format!("cannot jump to `{name}` from here"))
                    .with_label("the target is inside a nested block, or outside this loop, branch or except block")
                    .with_secondary(target_span, "the target step")
                    .with_help(
                        "jump only to steps of the same list or of an enclosing list; leave a loop with `next: break`",
                    )
            }
            JumpError::Ambiguous(targets) => {
                let mut d = Diagnostic::error(codes::DUPLICATE_STEP, next.span, format!("`next: {name}` is ambiguous"))
                    .with_label("more than one step has this name");
                for t in targets {
                    d = d.with_secondary(self.index.steps[t].step.name.span, "a step with this name");
                }
                d.with_help("rename one of the steps")
            }
        };
        self.diags.push(d);
    }

    fn kind(&mut self, from: NodeId, kind: &'a StepKind, after: NodeId, block: BlockId) {
        match kind {
            StepKind::Assign(items) => {
                let mut prev = from;
                for a in items {
                    prev = self.raising(prev, Op::Assign(a));
                }
                self.edge(prev, after);
            }
            StepKind::Call(call) => {
                let n = self.raising(from, Op::Call(call));
                self.edge(n, after);
            }
            StepKind::Switch(cases) => {
                let mut prev = Some(from);
                for case in cases {
                    let Some(p) = prev else { break };
                    let cond = self.raising(p, Op::Cond(&case.condition));
                    self.step_body(cond, &case.body, after, block, false);
                    let always = matches!(case.condition.kind, DataKind::Bool(true));
                    prev = (!always).then_some(cond);
                }
                if let Some(p) = prev {
                    self.edge(p, after);
                }
            }
            StepKind::For(f) => self.for_loop(from, f, after),
            StepKind::Parallel(p) => self.parallel(from, p, after),
            StepKind::Raise(v) => {
                self.raising(from, Op::Raise(v));
            }
            StepKind::Return(v) => {
                let n = self.raising(from, Op::Return(v));
                self.edge(n, self.return_exit);
            }
            StepKind::Try(t) => {
                let mut prev = from;
                match &t.retry {
                    None => {}
                    Some(Retry::Policy(e)) => prev = self.raising(prev, Op::EvalExpr(e, EvalContext::RetryPolicy)),
                    Some(Retry::Custom(custom)) => {
                        let numbers = [&custom.predicate, &custom.max_retries];
                        for (i, v) in numbers.into_iter().enumerate() {
                            let ctx = if i == 0 { EvalContext::Predicate } else { EvalContext::RetryNumber };
                            if let Some(v) = v {
                                prev = self.raising(prev, Op::Eval(v, ctx));
                            }
                        }
                        match &custom.backoff {
                            Some(Backoff::Fields { initial_delay, max_delay, multiplier, .. }) => {
                                for v in [initial_delay, max_delay, multiplier].into_iter().flatten() {
                                    prev = self.raising(prev, Op::Eval(v, EvalContext::RetryNumber));
                                }
                            }
                            Some(Backoff::Expr(e)) => prev = self.raising(prev, Op::EvalExpr(e, EvalContext::Backoff)),
                            None => {}
                        }
                    }
                }
                let head = self.node(Op::Nop);
                self.edge(prev, head);
                let except_entry = t.except.as_ref().map(|_| self.node(Op::Nop));
                self.handlers.push(Handler { retry: t.retry.as_ref().map(|_| head), except: except_entry });
                self.step_body(head, &t.body, after, block, false);
                self.handlers.pop();
                if let (Some(except), Some(entry)) = (&t.except, except_entry) {
                    let mut prev = entry;
                    if let Some(var) = &except.var {
                        let d = self.node(Op::Define(var, Origin::Error));
                        self.edge(prev, d);
                        prev = d;
                    }
                    let end = self.scope_end(entry, after);
                    self.enter_block(prev, &except.steps, end);
                }
            }
            StepKind::Steps(steps) => self.enter_block(from, steps, after),
            StepKind::Nothing | StepKind::Invalid => self.edge(from, after),
        }
    }

    /// Evaluates the loop source and returns the node after it.
    fn loop_source(&mut self, from: NodeId, f: &'a For) -> NodeId {
        match &f.source {
            ForSource::In(v) => self.raising(from, Op::Eval(v, EvalContext::ForIn)),
            ForSource::Range(r) => self.raising(from, Op::Range(r)),
        }
    }

    /// Defines the loop variables after `from`; returns the last node.
    fn loop_vars(&mut self, from: NodeId, f: &'a For) -> NodeId {
        let value = self.node(Op::Define(&f.value, Origin::LoopValue(f)));
        self.edge(from, value);
        match &f.index {
            Some(index) => {
                let i = self.node(Op::Define(index, Origin::LoopIndex));
                self.edge(value, i);
                i
            }
            None => value,
        }
    }

    fn for_loop(&mut self, from: NodeId, f: &'a For, after: NodeId) {
        let source = self.loop_source(from, f);
        let scope = self.node(Op::Nop);
        self.edge(source, scope);
        let head = self.node(Op::Nop);
        self.edge(scope, head);
        let vars = self.loop_vars(head, f);
        let iteration_end = self.scope_end(scope, head);
        let exit = self.scope_end(scope, after);
        self.edge(head, exit);
        self.loops.push(LoopTargets { break_to: exit, continue_to: iteration_end });
        self.enter_block(vars, &f.steps, iteration_end);
        self.loops.pop();
    }

    fn parallel(&mut self, from: NodeId, p: &'a Parallel, after: NodeId) {
        let mut prev = from;
        if let Some(limit) = &p.concurrency_limit {
            prev = self.raising(prev, Op::Eval(limit, EvalContext::Concurrency));
        }
        if let ParallelBody::For(f) = &p.body {
            prev = self.loop_source(prev, f);
        }
        let start = self.raising(prev, Op::ParallelStart(p));
        let end = self.node(Op::Nop);
        self.edge(end, after);
        // An error in a branch surfaces after the parallel step, as UnhandledBranchError.
        let branch_error = self.node(Op::ScopeEnd(start));
        for target in self.handler_targets() {
            self.edge(branch_error, target);
        }
        let saved = (std::mem::take(&mut self.handlers), std::mem::take(&mut self.loops), self.parallel);
        self.cfg.parallels.push(ParallelScope { start, shared: &p.shared });
        self.parallel = Some(self.cfg.parallels.len() - 1);
        self.handlers.push(Handler { retry: None, except: Some(branch_error) });
        match &p.body {
            ParallelBody::Branches(branches) => {
                for branch in branches {
                    let branch_end = self.scope_end(start, end);
                    self.enter_block(start, &branch.steps, branch_end);
                }
            }
            ParallelBody::For(f) => {
                let vars = self.loop_vars(start, f);
                let iteration_end = self.scope_end(start, end);
                self.edge(start, end);
                self.loops.push(LoopTargets { break_to: end, continue_to: iteration_end });
                self.enter_block(vars, &f.steps, iteration_end);
            }
            ParallelBody::Invalid => self.edge(start, end),
        }
        (self.handlers, self.loops, self.parallel) = saved;
    }
}

impl Cfg<'_> {
    /// The predecessors of every node, by normal and by error edges.
    pub fn predecessors(&self) -> Vec<Vec<NodeId>> {
        let mut preds = vec![Vec::new(); self.nodes.len()];
        for (n, node) in self.nodes.iter().enumerate() {
            for &s in node.succ.iter().chain(&node.raises_to) {
                preds[s].push(n);
            }
        }
        preds
    }
}
