//! Facts for editors: what every name refers to (steps, variables, subworkflows), the
//! inferred types of variables and expressions, the variables defined at each point and
//! which steps a `next` may reach. [`analyze`] runs the same model and type inference as
//! [`crate::check`] and keeps the results as owned data, so that a language server can
//! answer many queries from one analysis.

use std::collections::HashMap;

use wf_syntax::ast::{
    Backoff, Call, Data, DataKind, For, ForSource, MapKey, NextTarget, ParallelBody, RangeSpec, Retry, Step, StepBody,
    StepKind, Subworkflow, Workflow,
};
use wf_syntax::{Expr, ExprKind, Span};

use crate::cfg::Op;
use crate::infer::{ExprCx, binary_type, literal_type, result_type, unary_type};
use crate::model::Model;
use crate::program::{Block, BlockId, SubIndex, block_visible};
use crate::stdlib::{self, PredefinedKind};
use crate::ty::Types;
use crate::ty::{Kinds, Ty};
use crate::varset::VarSet;

/// What a name in the source refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A step: the subworkflow and the step's index in [`SubFacts::steps`].
    Step {
        /// Index of the subworkflow.
        sub: usize,
        /// Index of the step.
        step: usize,
    },
    /// A variable or parameter: the subworkflow and the index in [`SubFacts::vars`].
    Var {
        /// Index of the subworkflow.
        sub: usize,
        /// Index of the variable.
        var: usize,
    },
    /// A subworkflow, by index in [`Analysis::subs`].
    Sub(usize),
}

/// How an occurrence uses its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Where it is declared: a step name, a subworkflow name, a parameter.
    Declaration,
    /// A variable being assigned: an assignment target, a call `result`, a loop or except variable.
    Write,
    /// A use: a variable read, a `next` target, a call of a subworkflow.
    Read,
    /// A named argument of a `call` step, which names a parameter of the called subworkflow.
    Argument,
}

/// One place where a symbol is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The name itself (without quotes).
    pub span: Span,
    /// What it names.
    pub symbol: Symbol,
    /// How it uses it.
    pub role: Role,
}

/// A step of a subworkflow.
#[derive(Debug, Clone)]
pub struct StepFacts {
    /// Its name.
    pub name: String,
    /// Where the name is written (without quotes).
    pub name_span: Span,
    /// The whole step.
    pub span: Span,
    /// What it does: `assign`, `call`, `switch`, ...
    pub kind: &'static str,
    /// The target of a `call` step.
    pub call: Option<String>,
    /// Whether `next: continue` works here (`break` too unless the loop is parallel).
    pub in_loop: Option<LoopKind>,
    block: BlockId,
}

/// The kind of loop around a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    /// A `for` step.
    Sequential,
    /// A parallel `for`: `continue` works, `break` does not.
    Parallel,
}

/// A variable (parameters included) of a subworkflow.
#[derive(Debug, Clone)]
pub struct VarFacts {
    /// Its name.
    pub name: String,
    /// Its inferred type (the union over every assignment).
    pub ty: Ty,
    /// Whether it is a parameter.
    pub param: bool,
}

/// A declared parameter of a subworkflow.
#[derive(Debug, Clone)]
pub struct ParamFacts {
    /// Its name.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// Whether it has no default.
    pub required: bool,
}

/// One subworkflow (`main` included).
#[derive(Debug, Clone)]
pub struct SubFacts {
    /// Its name.
    pub name: String,
    /// Where the name is written (empty for a bare list of steps).
    pub name_span: Span,
    /// The whole definition.
    pub span: Span,
    /// Declared parameters, in order.
    pub params: Vec<ParamFacts>,
    /// The inferred type of what it returns.
    pub returns: Ty,
    /// Whether it makes blocking calls.
    pub blocking: bool,
    /// Its variables, by the index used in [`Symbol::Var`].
    pub vars: Vec<VarFacts>,
    /// Its steps, nested ones included, in source order.
    pub steps: Vec<StepFacts>,
    blocks: Vec<Block>,
    /// [`SubFacts::vars`] by name.
    var_ids: HashMap<String, usize>,
}

/// The variables defined at one point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The subworkflow.
    pub sub: usize,
    /// Variables assigned on some path to the point, with whether every path assigns them.
    pub vars: Vec<(usize, bool)>,
}

#[derive(Debug, Clone)]
struct ScopePoint {
    span: Span,
    sub: usize,
    may: VarSet,
    must: VarSet,
}

/// Everything an editor wants to know about a workflow.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The subworkflows, `main` first.
    pub subs: Vec<SubFacts>,
    occurrences: Vec<Occurrence>,
    types: Vec<(Span, Ty)>,
    scopes: Vec<ScopePoint>,
    /// The expressions whose types were recorded, for the test that the editor's
    /// `type_of` agrees with the checker.
    #[cfg(test)]
    recorded: Vec<(usize, Expr)>,
}

/// Analyses a parsed workflow.
pub fn analyze(workflow: &Workflow) -> Analysis {
    let (model, _) = Model::new(workflow);
    let types = model.infer_types();
    facts_of(&model, &types)
}

/// The facts of a model whose types are inferred (the one analysis `check_with_facts`
/// shares with the checker).
pub(crate) fn facts_of(model: &Model<'_>, types: &Types) -> Analysis {
    let mut analysis = Analysis {
        subs: Vec::new(),
        occurrences: Vec::new(),
        types: Vec::new(),
        scopes: Vec::new(),
        #[cfg(test)]
        recorded: Vec::new(),
    };
    for (s, sub) in model.subs.iter().enumerate() {
        analysis.subs.push(sub_facts(model, types, s));
        let mut c = Collector { model, types, sub: s, out: &mut analysis };
        c.subworkflow(sub.sub, &sub.index);
        scope_points(model, s, &mut analysis.scopes);
    }
    analysis.occurrences.sort_by_key(|o| (o.span.start, o.span.end));
    analysis.occurrences.dedup();
    analysis.types.sort_by_key(|(span, _)| (span.start, span.end));
    analysis.types.dedup_by_key(|(span, _)| *span);
    analysis
}

fn sub_facts(model: &Model<'_>, types: &Types, s: usize) -> SubFacts {
    let m = &model.subs[s];
    let params: Vec<ParamFacts> = m
        .sub
        .params
        .iter()
        .map(|p| ParamFacts {
            name: p.name.text.clone(),
            span: unquoted(p.name.span, &p.name.text),
            required: p.default.is_none(),
        })
        .collect();
    let var_ids = m.vars.names.iter().enumerate().map(|(v, name)| ((*name).to_string(), v)).collect();
    let vars = m
        .vars
        .names
        .iter()
        .enumerate()
        .map(|(v, name)| VarFacts {
            name: (*name).to_string(),
            ty: types.subs[s].vars[v].clone(),
            param: params.iter().any(|p| p.name == *name),
        })
        .collect();
    let steps = m
        .index
        .steps
        .iter()
        .map(|r| StepFacts {
            name: r.step.name.text.clone(),
            name_span: unquoted(r.step.name.span, &r.step.name.text),
            span: r.step.span,
            kind: kind_name(&r.step.body.kind),
            call: match &r.step.body.kind {
                StepKind::Call(c) => Some(c.function.text.clone()),
                _ => None,
            },
            in_loop: m.index.enclosing_loop(r.block).map(|p| if p { LoopKind::Parallel } else { LoopKind::Sequential }),
            block: r.block,
        })
        .collect();
    SubFacts {
        name: m.sub.name.text.clone(),
        name_span: unquoted(m.sub.name.span, &m.sub.name.text),
        span: m.sub.span,
        params,
        returns: types.subs[s].returns.clone(),
        blocking: m.blocking,
        vars,
        steps,
        blocks: m.index.blocks.clone(),
        var_ids,
    }
}

/// The keyword of a step kind: `assign`, `call`, ...; `next` for a step that only jumps.
pub fn kind_name(kind: &StepKind) -> &'static str {
    match kind {
        StepKind::Assign(_) => "assign",
        StepKind::Call(_) => "call",
        StepKind::Switch(_) => "switch",
        StepKind::For(_) => "for",
        StepKind::Parallel(_) => "parallel",
        StepKind::Raise(_) => "raise",
        StepKind::Try(_) => "try",
        StepKind::Return(_) => "return",
        StepKind::Steps(_) => "steps",
        StepKind::Nothing => "next",
        StepKind::Invalid => "invalid",
    }
}

/// The span of a name without its quotes, when it was written quoted without escapes.
pub fn unquoted(span: Span, text: &str) -> Span {
    if span.len() as usize == text.len() + 2 { Span::new(span.start + 1, span.end - 1) } else { span }
}

/// Records the definedness state of every reachable node, by the span of what it evaluates.
fn scope_points(model: &Model<'_>, s: usize, out: &mut Vec<ScopePoint>) {
    let m = &model.subs[s];
    for (n, node) in m.cfg.nodes.iter().enumerate() {
        let Some(state) = &m.flow.states[n] else { continue };
        let span = match &node.op {
            Op::Assign(a) => a.span,
            Op::Call(c) => call_span(c),
            Op::Eval(v, _) | Op::Cond(v) | Op::Return(v) | Op::Raise(v) => v.span,
            Op::EvalExpr(e, _) => e.span,
            Op::Range(RangeSpec::Pair(a, b)) => a.span.cover(b.span),
            Op::Range(RangeSpec::Expr(e)) => e.span,
            Op::Step => match node.step {
                Some(id) => m.index.steps[id].step.span,
                None => continue,
            },
            _ => continue,
        };
        out.push(ScopePoint { span, sub: s, may: state.may.clone(), must: state.must.clone() });
    }
}

fn call_span(c: &Call) -> Span {
    let mut span = c.function.span;
    for a in &c.args {
        span = span.cover(a.name.span).cover(a.value.span);
    }
    if let Some(r) = &c.result {
        span = span.cover(r.span);
    }
    span
}

/// Walks one subworkflow's AST, recording occurrences and expression types.
struct Collector<'m, 'a, 'o> {
    model: &'m Model<'a>,
    types: &'m Types,
    sub: usize,
    out: &'o mut Analysis,
}

impl<'a> Collector<'_, 'a, '_> {
    fn push(&mut self, span: Span, symbol: Symbol, role: Role) {
        self.out.occurrences.push(Occurrence { span, symbol, role });
    }

    fn var(&self, name: &str) -> Option<Symbol> {
        self.model.subs[self.sub].vars.id(name).map(|var| Symbol::Var { sub: self.sub, var })
    }

    fn subworkflow(&mut self, sub: &'a Subworkflow, index: &SubIndex<'a>) {
        if !sub.name.span.is_empty() {
            self.push(unquoted(sub.name.span, &sub.name.text), Symbol::Sub(self.sub), Role::Declaration);
        }
        for p in &sub.params {
            if let Some(symbol) = self.var(&p.name.text) {
                self.push(unquoted(p.name.span, &p.name.text), symbol, Role::Declaration);
            }
            if let Some(d) = &p.default {
                self.value(d);
            }
        }
        self.steps(&sub.steps, index);
    }

    fn steps(&mut self, steps: &'a [Step], index: &SubIndex<'a>) {
        for step in steps {
            let Some(id) = index.id_of(step) else { continue };
            let span = unquoted(step.name.span, &step.name.text);
            self.push(span, Symbol::Step { sub: self.sub, step: id }, Role::Declaration);
            self.body(&step.body, index.steps[id].block, index);
        }
    }

    fn body(&mut self, body: &'a StepBody, block: BlockId, index: &SubIndex<'a>) {
        if let Some(next) = &body.next
            && let NextTarget::Step(name) = &next.target
            && let Ok(target) = index.resolve_jump(block, name)
        {
            self.push(unquoted(next.span, name), Symbol::Step { sub: self.sub, step: target }, Role::Read);
        }
        match &body.kind {
            StepKind::Assign(items) => {
                for a in items {
                    self.place(&a.target);
                    self.value(&a.value);
                }
            }
            StepKind::Call(c) => self.call(c),
            StepKind::Switch(cases) => {
                for case in cases {
                    self.value(&case.condition);
                    self.body(&case.body, block, index);
                }
            }
            StepKind::For(f) => self.for_loop(f, index),
            StepKind::Parallel(p) => {
                for name in &p.shared {
                    if let Some(symbol) = self.var(&name.text) {
                        self.push(unquoted(name.span, &name.text), symbol, Role::Read);
                    }
                }
                if let Some(limit) = &p.concurrency_limit {
                    self.value(limit);
                }
                match &p.body {
                    ParallelBody::Branches(branches) => {
                        for b in branches {
                            self.steps(&b.steps, index);
                        }
                    }
                    ParallelBody::For(f) => self.for_loop(f, index),
                    ParallelBody::Invalid => {}
                }
            }
            StepKind::Raise(v) | StepKind::Return(v) => self.value(v),
            StepKind::Try(t) => {
                self.body(&t.body, block, index);
                match &t.retry {
                    Some(Retry::Policy(e)) => self.expr(e),
                    Some(Retry::Custom(c)) => {
                        for v in [&c.predicate, &c.max_retries].into_iter().flatten() {
                            self.value(v);
                        }
                        match &c.backoff {
                            Some(Backoff::Expr(e)) => self.expr(e),
                            Some(Backoff::Fields { initial_delay, max_delay, multiplier, .. }) => {
                                for v in [initial_delay, max_delay, multiplier].into_iter().flatten() {
                                    self.value(v);
                                }
                            }
                            None => {}
                        }
                    }
                    None => {}
                }
                if let Some(except) = &t.except {
                    if let Some(var) = &except.var
                        && let Some(symbol) = self.var(&var.text)
                    {
                        self.push(unquoted(var.span, &var.text), symbol, Role::Write);
                    }
                    self.steps(&except.steps, index);
                }
            }
            StepKind::Steps(steps) => self.steps(steps, index),
            StepKind::Nothing | StepKind::Invalid => {}
        }
    }

    fn call(&mut self, c: &'a Call) {
        let target = self.model.sub_index(&c.function.text);
        if let Some(t) = target {
            self.push(unquoted(c.function.span, &c.function.text), Symbol::Sub(t), Role::Read);
        }
        for arg in &c.args {
            if let Some(t) = target
                && let Some(var) = self.model.subs[t].vars.id(&arg.name.text)
                && self.model.subs[t].sub.params.iter().any(|p| p.name.text == arg.name.text)
            {
                self.push(unquoted(arg.name.span, &arg.name.text), Symbol::Var { sub: t, var }, Role::Argument);
            }
            self.value(&arg.value);
        }
        if let Some(r) = &c.result
            && let Some(symbol) = self.var(&r.text)
        {
            self.push(unquoted(r.span, &r.text), symbol, Role::Write);
        }
    }

    fn for_loop(&mut self, f: &'a For, index: &SubIndex<'a>) {
        for name in std::iter::once(&f.value).chain(&f.index) {
            if let Some(symbol) = self.var(&name.text) {
                self.push(unquoted(name.span, &name.text), symbol, Role::Write);
            }
        }
        match &f.source {
            ForSource::In(v) => self.value(v),
            ForSource::Range(RangeSpec::Pair(a, b)) => {
                self.value(a);
                self.value(b);
            }
            ForSource::Range(RangeSpec::Expr(e)) => self.expr(e),
        }
        self.steps(&f.steps, index);
    }

    fn value(&mut self, v: &Data) {
        match &v.kind {
            DataKind::Expr(e) => self.expr(e),
            DataKind::List(items) => items.iter().for_each(|i| self.value(i)),
            DataKind::Map(entries) => {
                for entry in entries {
                    if let MapKey::Expr(e) = &entry.key {
                        self.expr(e);
                    }
                    self.value(&entry.value);
                }
            }
            _ => {}
        }
    }

    /// An assignment target: its root variable is written, its indexes are read.
    fn place(&mut self, target: &Expr) {
        match &target.kind {
            ExprKind::Var(name) => {
                if let Some(symbol) = self.var(name) {
                    self.push(target.span, symbol, Role::Write);
                }
            }
            ExprKind::Member { object, .. } => self.place(object),
            ExprKind::Index { object, index } => {
                self.place(object);
                self.expr(index);
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.expr_in(e, false);
    }

    fn expr_in(&mut self, e: &Expr, callee: bool) {
        match &e.kind {
            ExprKind::Var(name) => {
                if let Some(symbol) = self.var(name) {
                    self.push(e.span, symbol, Role::Read);
                    if !callee {
                        self.record(e);
                    }
                } else if let Some(t) = self.model.sub_index(name) {
                    self.push(e.span, Symbol::Sub(t), Role::Read);
                }
            }
            ExprKind::Member { object, .. } => {
                let library = e.dotted_root().is_some_and(|r| self.var(r).is_none() && stdlib::is_module(r));
                if !library {
                    self.expr_in(object, false);
                }
                if !callee && (!library || e.dotted_name().is_some_and(|p| stdlib::value(&p).is_some())) {
                    self.record(e);
                }
            }
            ExprKind::Call { callee: f, args } => {
                self.expr_in(f, true);
                args.iter().for_each(|a| self.expr(a));
                self.record(e);
            }
            ExprKind::Index { object, index } => {
                self.expr(object);
                self.expr(index);
                self.record(e);
            }
            ExprKind::List(items) => items.iter().for_each(|i| self.expr(i)),
            ExprKind::Map(entries) => entries.iter().for_each(|(_, v)| self.expr(v)),
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Double(_)
            | ExprKind::String(_)
            | ExprKind::Error => {}
        }
    }

    /// Records the type of `e`, as the inference sees it (flow-insensitive, silent).
    fn record(&mut self, e: &Expr) {
        let mut cx = ExprCx {
            model: self.model,
            types: self.types,
            sub: self.sub,
            state: None,
            diags: None,
            reads: Vec::new(),
            sub_calls: Vec::new(),
        };
        let t = cx.expr(e);
        self.out.types.push((e.span, t));
        #[cfg(test)]
        self.out.recorded.push((self.sub, e.clone()));
    }
}

impl Analysis {
    /// Every occurrence of every symbol, sorted by position.
    pub fn occurrences(&self) -> &[Occurrence] {
        &self.occurrences
    }

    /// The occurrence written exactly at `span` (the first, if several are).
    pub fn occurrence_exactly(&self, span: Span) -> Option<&Occurrence> {
        let key = (span.start, span.end);
        let i = self.occurrences.partition_point(|o| (o.span.start, o.span.end) < key);
        self.occurrences.get(i).filter(|o| o.span == span)
    }

    /// The occurrence under `offset` (a cursor just after a name counts as on it).
    pub fn occurrence_at(&self, offset: u32) -> Option<&Occurrence> {
        let inside = |o: &&Occurrence| o.span.start <= offset && offset <= o.span.end;
        let mut found = self.occurrences.iter().filter(inside);
        let first = found.next()?;
        // Between two names (`a+b` with the cursor after `a`), prefer the one starting here.
        Some(found.find(|o| o.span.start == offset).unwrap_or(first))
    }

    /// Every occurrence of `symbol`, in source order.
    pub fn occurrences_of(&self, symbol: Symbol) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(move |o| o.symbol == symbol)
    }

    /// The inferred type of the expression written exactly at `span`.
    pub fn type_at(&self, span: Span) -> Option<&Ty> {
        self.types
            .binary_search_by_key(&(span.start, span.end), |(s, _)| (s.start, s.end))
            .ok()
            .map(|i| &self.types[i].1)
    }

    /// The subworkflow whose definition contains `offset`.
    pub fn sub_at(&self, offset: u32) -> Option<usize> {
        self.subs.iter().position(|s| s.span.start <= offset && offset <= s.span.end)
    }

    /// The subworkflow called `name`.
    pub fn sub_named(&self, name: &str) -> Option<usize> {
        self.subs.iter().position(|s| s.name == name)
    }

    /// The variable called `name` in subworkflow `sub`.
    pub fn var_named(&self, sub: usize, name: &str) -> Option<usize> {
        self.subs.get(sub)?.var_ids.get(name).copied()
    }

    /// The innermost step of subworkflow `sub` that contains `offset`.
    pub fn step_at(&self, sub: usize, offset: u32) -> Option<usize> {
        let steps = &self.subs.get(sub)?.steps;
        steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.span.start <= offset && offset <= s.span.end)
            .min_by_key(|(_, s)| s.span.len())
            .map(|(i, _)| i)
    }

    /// The steps that `next` may name from inside step `from` of subworkflow `sub`.
    pub fn jump_targets(&self, sub: usize, from: usize) -> Vec<usize> {
        let Some(facts) = self.subs.get(sub) else { return Vec::new() };
        let Some(from_block) = facts.steps.get(from).map(|s| s.block) else { return Vec::new() };
        (0..facts.steps.len()).filter(|&t| block_visible(&facts.blocks, from_block, facts.steps[t].block)).collect()
    }

    /// The variables defined at `offset`: from the innermost evaluated value or step around it.
    /// `None` when the point is unreachable or outside every step.
    pub fn scope_at(&self, offset: u32) -> Option<Scope> {
        let point = self
            .scopes
            .iter()
            .filter(|p| p.span.start <= offset && offset <= p.span.end)
            .min_by_key(|p| p.span.len())?;
        let vars = (0..self.subs[point.sub].vars.len())
            .filter(|&v| point.may.contains(v))
            .map(|v| (v, point.must.contains(v)))
            .collect();
        Some(Scope { sub: point.sub, vars })
    }

    /// The type of an expression written in subworkflow `sub` (for text that the analysis has
    /// not seen, such as the object before a `.` being typed): variables have their inferred
    /// types, fields and elements follow known shapes, calls their documented results.
    pub fn type_of(&self, sub: usize, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Double(_) | ExprKind::String(_) => {
                literal_type(&e.kind)
            }
            ExprKind::Var(name) => match self.var_named(sub, name) {
                Some(v) => self.subs[sub].vars[v].ty.clone(),
                None => Ty::any(),
            },
            ExprKind::Member { object, name, .. } => {
                if let Some(path) = self.library_path(sub, e) {
                    return match stdlib::value(&path).map(|v| v.kind) {
                        Some(PredefinedKind::Data(shape)) => shape.ty(),
                        Some(_) => Ty::of(Kinds::MAP),
                        None => Ty::any(),
                    };
                }
                self.type_of(sub, object).field(name).unwrap_or_else(Ty::any)
            }
            ExprKind::Index { object, index } => {
                let t = self.type_of(sub, object);
                match &index.kind {
                    ExprKind::String(key) => t.field(key).unwrap_or_else(Ty::any),
                    _ if t.kinds == Kinds::LIST => t.element(),
                    _ => Ty::any(),
                }
            }
            ExprKind::Call { callee, args } => {
                let Some(path) = callee.dotted_name() else { return Ty::any() };
                if let Some(t) = self.sub_named(&path).filter(|_| !path.contains('.')) {
                    return self.subs[t].returns.clone();
                }
                match stdlib::function(&path) {
                    Some(f) => {
                        let arg_types: Vec<Ty> = args.iter().map(|a| self.type_of(sub, a)).collect();
                        result_type(f, &arg_types)
                    }
                    None => Ty::any(),
                }
            }
            ExprKind::List(items) => {
                Ty::list_of(items.iter().fold(Ty::none(), |acc, i| acc.union(&self.type_of(sub, i))))
            }
            ExprKind::Map(entries) => Ty::map_of(
                entries
                    .iter()
                    .filter_map(|(k, v)| match &k.kind {
                        ExprKind::String(name) => Some((name.clone(), self.type_of(sub, v))),
                        _ => None,
                    })
                    .collect(),
                false,
            ),
            ExprKind::Unary { op, operand } => unary_type(*op, &self.type_of(sub, operand)),
            ExprKind::Binary { op, lhs, rhs, .. } => binary_type(*op, &self.type_of(sub, lhs), &self.type_of(sub, rhs)),
            ExprKind::Error => Ty::any(),
        }
    }

    /// The dotted standard-library name `e` spells (`http.default_retry`, `sys`), unless its
    /// first part is a variable of subworkflow `sub`.
    pub fn library_path(&self, sub: usize, e: &Expr) -> Option<String> {
        let root = e.dotted_root()?;
        if self.var_named(sub, root).is_some() || !stdlib::is_module(root) {
            return None;
        }
        e.dotted_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wf_syntax::{SourceFile, parse_workflow};

    fn analysis(text: &str) -> (SourceFile, Analysis) {
        let file = SourceFile::new("t.yaml", text);
        let parsed = parse_workflow(&file);
        let a = analyze(parsed.workflow.as_ref().unwrap_or_else(|| panic!("{:?}", parsed.diagnostics)));
        (file, a)
    }

    fn at(file: &SourceFile, needle: &str) -> u32 {
        file.text.find(needle).expect("needle") as u32
    }

    /// The indexed lookups the language server makes per token (the occurrence at a span,
    /// a variable by name) give what a search of the whole list gives, on a workflow with
    /// 10,000 variables.
    #[test]
    fn indexed_lookups_agree_with_a_search() {
        let (_, a) = analysis(&wf_syntax::generate::generated_steps(10_000));
        assert!(a.occurrences().len() > 50_000);
        // The first occurrence of each span, in list order: what a search finds.
        let mut first: HashMap<Span, &Occurrence> = HashMap::new();
        for o in a.occurrences() {
            first.entry(o.span).or_insert(o);
        }
        for o in a.occurrences() {
            assert_eq!(a.occurrence_exactly(o.span), Some(first[&o.span]));
        }
        assert_eq!(a.occurrence_exactly(Span::new(0, 1)), None);
        for (s, sub) in a.subs.iter().enumerate() {
            for (v, var) in sub.vars.iter().enumerate() {
                assert_eq!(a.var_named(s, &var.name), Some(v));
            }
            assert_eq!(a.var_named(s, "no_such_variable"), None);
        }
        assert!(a.subs[0].vars.len() > 8_000);
    }

    const FLOW: &str = "\
main:
  params: [args]
  steps:
    - init:
        assign:
          - n: ${len(args.items)}
    - get:
        call: http.get
        args: {url: \"https://x\"}
        result: resp
    - loop:
        for:
          value: v
          in: ${resp.body.items}
          steps:
            - add:
                assign:
                  - n: ${n + 1}
                next: continue
    - again:
        call: helper
        args:
          x: ${n}
        next: init
helper:
  params: [x]
  steps:
    - r:
        return: ${x * 2}
";

    #[test]
    fn names_resolve_to_their_symbols() {
        let (file, a) = analysis(FLOW);
        let n_read = a.occurrence_at(at(&file, "n + 1")).expect("n is read");
        let Symbol::Var { sub: 0, var } = n_read.symbol else { panic!("{n_read:?}") };
        assert_eq!(a.subs[0].vars[var].name, "n");
        let writes: Vec<Role> = a.occurrences_of(n_read.symbol).map(|o| o.role).collect();
        assert_eq!(writes, vec![Role::Write, Role::Write, Role::Read, Role::Read]);
        let next = a.occurrence_at(at(&file, "init\nhelper") + 1).expect("next target");
        assert_eq!(next.symbol, Symbol::Step { sub: 0, step: 0 });
        let call = a.occurrence_at(at(&file, "helper\n")).expect("call target");
        assert_eq!(call.symbol, Symbol::Sub(1));
        let arg = a.occurrence_at(at(&file, "x: ${n}")).expect("argument");
        assert_eq!(arg.role, Role::Argument);
        assert_eq!(a.occurrences_of(arg.symbol).count(), 3, "param, argument and read");
    }

    #[test]
    fn types_and_scopes() {
        let (file, a) = analysis(FLOW);
        let resp = a.var_named(0, "resp").expect("resp");
        assert_eq!(a.subs[0].vars[resp].ty.to_string(), "{body: any, code: integer, headers: map}");
        let body = at(&file, "resp.body");
        assert_eq!(a.type_at(Span::new(body, body + 9)).map(ToString::to_string).as_deref(), Some("any"));
        let scope = a.scope_at(at(&file, "n + 1")).expect("a scope");
        let names: Vec<&str> = scope.vars.iter().map(|&(v, _)| a.subs[0].vars[v].name.as_str()).collect();
        assert_eq!(names, vec!["args", "n", "resp", "v"]);
        let first = a.scope_at(at(&file, "len(")).expect("a scope");
        // `again` jumps back to `init`: `n` and `resp` may be defined there, `v` never is.
        let names: Vec<(&str, bool)> =
            first.vars.iter().map(|&(v, must)| (a.subs[0].vars[v].name.as_str(), must)).collect();
        assert_eq!(names, vec![("args", true), ("n", false), ("resp", false)]);
        let add = a.step_at(0, at(&file, "n + 1")).expect("step");
        assert_eq!(a.subs[0].steps[add].name, "add");
        assert_eq!(a.subs[0].steps[add].in_loop, Some(LoopKind::Sequential));
        let targets: Vec<&str> = a.jump_targets(0, add).iter().map(|&t| a.subs[0].steps[t].name.as_str()).collect();
        assert_eq!(targets, vec!["add"]);
        assert_eq!(a.subs[1].returns.to_string(), "integer");
    }

    #[test]
    fn types_of_unseen_text() {
        let (_, a) = analysis(FLOW);
        let (e, _) = wf_syntax::expr::parse_expression("resp.body", &|s, e| Span::from(s..e));
        assert_eq!(a.type_of(0, &e).to_string(), "any");
        let (e, _) = wf_syntax::expr::parse_expression("http.default_retry", &|s, e| Span::from(s..e));
        assert_eq!(a.type_of(0, &e).to_string(), "map");
        let (e, _) = wf_syntax::expr::parse_expression("text.split(\"a\", \",\")", &|s, e| Span::from(s..e));
        assert_eq!(a.type_of(0, &e).to_string(), "list<string>");
    }

    fn children(e: &Expr) -> Vec<&Expr> {
        match &e.kind {
            ExprKind::Unary { operand, .. } => vec![operand],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::Member { object, .. } => vec![object],
            ExprKind::Index { object, index } => vec![object, index],
            ExprKind::Call { callee, args } => std::iter::once(&**callee).chain(args.iter()).collect(),
            ExprKind::List(items) => items.iter().collect(),
            ExprKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
            _ => Vec::new(),
        }
    }

    /// The editor's `type_of` (which types text the analysis has not seen) gives every
    /// expression of the checker fixtures the type the checker gave it.
    #[test]
    fn type_of_agrees_with_the_checker_on_every_fixture_expression() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut compared = 0;
        let mut mismatches = Vec::new();
        for dir in ["tests/check/ok", "tests/check/err", "tests/vm", "examples", "bench/workloads"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| wf_syntax::files::is_workflow_file(p))
                .collect();
            files.sort();
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                let file = wf_syntax::SourceFile::new(path.display().to_string(), text);
                let parsed = wf_syntax::parse_workflow(&file);
                let Some(workflow) = parsed.workflow.as_ref() else { continue };
                let a = analyze(workflow);
                let (model, _) = Model::new(workflow);
                let types = model.infer_types();
                for (sub, top) in &a.recorded {
                    // The expression and every part of it, each typed by the checker's silent
                    // inference and by the editor's `type_of`.
                    let mut todo = vec![top];
                    while let Some(e) = todo.pop() {
                        todo.extend(children(e));
                        let mut cx = ExprCx {
                            model: &model,
                            types: &types,
                            sub: *sub,
                            state: None,
                            diags: None,
                            reads: Vec::new(),
                            sub_calls: Vec::new(),
                        };
                        let checker = cx.expr(e);
                        let editor = a.type_of(*sub, e);
                        compared += 1;
                        if checker != editor {
                            let lc = file.lines().line_col(&file.text, e.span.start);
                            mismatches.push(format!(
                                "{}:{}:{}: checker {checker}, editor {editor}",
                                path.display(),
                                lc.line,
                                lc.column
                            ));
                        }
                    }
                }
            }
        }
        assert!(compared > 1000, "only {compared} expressions compared");
        assert!(mismatches.is_empty(), "{} of {compared} differ:\n{}", mismatches.len(), mismatches.join("\n"));
    }
}
