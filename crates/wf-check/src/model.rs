//! Everything known about a workflow before reporting: per subworkflow its step index,
//! control-flow graph, variables and definedness; which subworkflows block; and the types
//! of every variable and return value, inferred to a fixpoint across subworkflows.

use std::collections::HashMap;

use wf_syntax::Diagnostic;
use wf_syntax::ast::{ForSource, RangeSpec, Subworkflow, ValueKind, Workflow};

use crate::calls::call_step;
use crate::cfg::{self, Cfg, Op, Origin};
use crate::flow::{self, Flow, Vars};
use crate::infer::ExprCx;
use crate::program::SubIndex;
use crate::stdlib::{self, Shape};
use crate::ty::{Kinds, Ty};

/// How many rounds type inference may take before unresolved types become unknown.
const MAX_ROUNDS: usize = 8;

/// One subworkflow, analysed.
#[derive(Debug)]
pub(crate) struct SubModel<'a> {
    pub sub: &'a Subworkflow,
    pub index: SubIndex<'a>,
    pub cfg: Cfg<'a>,
    pub vars: Vars<'a>,
    pub flow: Flow,
    /// Whether it makes blocking calls (directly or through other subworkflows).
    pub blocking: bool,
}

/// The whole workflow, analysed.
#[derive(Debug)]
pub(crate) struct Model<'a> {
    pub subs: Vec<SubModel<'a>>,
    by_name: HashMap<&'a str, usize>,
}

/// Inferred types.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Types {
    pub subs: Vec<SubTypes>,
}

/// Inferred types of one subworkflow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubTypes {
    /// By [`crate::flow::VarId`].
    pub vars: Vec<Ty>,
    /// What it returns.
    pub returns: Ty,
}

impl<'a> Model<'a> {
    /// Analyses every subworkflow; returns the model and the jump diagnostics.
    pub fn new(workflow: &'a Workflow) -> (Model<'a>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut subs = Vec::with_capacity(workflow.subworkflows.len());
        for sub in &workflow.subworkflows {
            let index = SubIndex::new(sub);
            let (cfg, d) = cfg::build(&index, &sub.steps);
            diags.extend(d);
            let vars = Vars::collect(sub, &cfg);
            let params: Vec<_> = sub.params.iter().filter_map(|p| vars.id(&p.name.text)).collect();
            let flow = flow::definedness(&cfg, &vars, &params);
            subs.push(SubModel { sub, index, cfg, vars, flow, blocking: false });
        }
        let by_name = subs.iter().enumerate().map(|(i, s)| (s.sub.name.text.as_str(), i)).collect();
        let mut model = Model { subs, by_name };
        model.find_blocking();
        (model, diags)
    }

    /// The index of the subworkflow called `name`.
    pub fn sub_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    fn find_blocking(&mut self) {
        loop {
            let mut changed = false;
            for i in 0..self.subs.len() {
                if self.subs[i].blocking {
                    continue;
                }
                let blocks = self.subs[i].cfg.nodes.iter().any(|n| match &n.op {
                    Op::Call(c) => {
                        let name = c.function.text.as_str();
                        stdlib::function(name).is_some_and(|f| f.blocking)
                            || stdlib::is_connector(name)
                            || self.sub_index(name).is_some_and(|s| self.subs[s].blocking)
                    }
                    _ => false,
                });
                if blocks {
                    self.subs[i].blocking = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Subworkflows used as a retry `predicate: ${name}`.
    fn predicates(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for s in &self.subs {
            for n in &s.cfg.nodes {
                if let Op::Eval(v, cfg::EvalContext::Predicate) = n.op
                    && let ValueKind::Expr(e) = &v.kind
                    && let wf_syntax::ExprKind::Var(name) = &e.kind
                    && let Some(i) = self.sub_index(name)
                {
                    out.push(i);
                }
            }
        }
        out
    }

    /// Infers variable and return types to a fixpoint.
    pub fn infer_types(&self) -> Types {
        let mut types = Types {
            subs: self
                .subs
                .iter()
                .map(|s| SubTypes { vars: vec![Ty::none(); s.vars.len()], returns: Ty::none() })
                .collect(),
        };
        self.seed_params(&mut types);
        types = self.fixpoint(types);
        // Parameters of subworkflows that nothing calls can hold anything.
        let mut reseeded = false;
        for (s, sub) in self.subs.iter().enumerate() {
            for p in &sub.sub.params {
                if let Some(v) = sub.vars.id(&p.name.text)
                    && types.subs[s].vars[v].kinds.is_none()
                {
                    types.subs[s].vars[v] = Ty::any();
                    reseeded = true;
                }
            }
        }
        if reseeded { self.fixpoint(types) } else { types }
    }

    fn seed_params(&self, types: &mut Types) {
        for (s, sub) in self.subs.iter().enumerate() {
            let is_main = sub.sub.name.text == "main";
            for p in &sub.sub.params {
                let Some(v) = sub.vars.id(&p.name.text) else { continue };
                let t = if is_main {
                    Ty::any()
                } else {
                    match &p.default {
                        Some(d) => self.silent(types, s).value(d),
                        None => Ty::none(),
                    }
                };
                types.subs[s].vars[v] = types.subs[s].vars[v].union(&t);
            }
        }
        for s in self.predicates() {
            if let Some(p) = self.subs[s].sub.params.first()
                && let Some(v) = self.subs[s].vars.id(&p.name.text)
            {
                types.subs[s].vars[v] = types.subs[s].vars[v].union(&Shape::Error.ty());
            }
        }
    }

    fn silent<'m>(&'m self, types: &'m Types, sub: usize) -> ExprCx<'m, 'a> {
        ExprCx { model: self, types, sub, state: None, diags: None, reads: Vec::new(), sub_calls: Vec::new() }
    }

    fn fixpoint(&self, mut types: Types) -> Types {
        for round in 0..=MAX_ROUNDS {
            let next = self.round(&types);
            if next == types {
                return next;
            }
            if round == MAX_ROUNDS {
                return widen(&types, next);
            }
            types = next;
        }
        types
    }

    /// One pass over every definition site, joining what it defines into `types`.
    fn round(&self, types: &Types) -> Types {
        let mut next = types.clone();
        for (s, sub) in self.subs.iter().enumerate() {
            for node in &sub.cfg.nodes {
                let mut cx = self.silent(types, s);
                let defined: Option<(&str, Ty)> = match &node.op {
                    Op::Assign(a) => {
                        let t = cx.value(&a.value);
                        flow::defined_name(&node.op).map(|n| (n, t))
                    }
                    Op::Call(c) => {
                        let t = call_step(&mut cx, c);
                        c.result.as_ref().map(|r| (r.text.as_str(), t))
                    }
                    Op::Define(name, origin) => {
                        let t = match origin {
                            Origin::LoopValue(f) => match &f.source {
                                ForSource::In(v) => cx.value(v).element(),
                                ForSource::Range(r) => range_element(&mut cx, r),
                            },
                            Origin::LoopIndex => Ty::of(Kinds::INT),
                            Origin::Error => Shape::Error.ty(),
                        };
                        Some((name.text.as_str(), t))
                    }
                    Op::Return(v) => {
                        let t = cx.value(v);
                        next.subs[s].returns = next.subs[s].returns.union(&t);
                        None
                    }
                    Op::Eval(v, _) | Op::Cond(v) | Op::Raise(v) => {
                        cx.value(v);
                        None
                    }
                    Op::EvalExpr(e, _) => {
                        cx.expr(e);
                        None
                    }
                    Op::Range(r) => {
                        range_element(&mut cx, r);
                        None
                    }
                    _ => None,
                };
                let calls = std::mem::take(&mut cx.sub_calls);
                drop(cx);
                if let Some((name, t)) = defined
                    && let Some(v) = sub.vars.id(name)
                {
                    next.subs[s].vars[v] = next.subs[s].vars[v].union(&t).bounded();
                }
                for call in calls {
                    let callee = &self.subs[call.callee];
                    for (i, t) in call.args {
                        if let Some(p) = callee.sub.params.get(i)
                            && let Some(v) = callee.vars.id(&p.name.text)
                        {
                            next.subs[call.callee].vars[v] = next.subs[call.callee].vars[v].union(&t).bounded();
                        }
                    }
                }
            }
            if sub.flow.states[sub.cfg.exit].is_some() {
                next.subs[s].returns = next.subs[s].returns.union(&Ty::of(Kinds::NULL));
            }
            next.subs[s].returns = next.subs[s].returns.clone().bounded();
        }
        next
    }
}

/// The element type of a `range` loop: integers when both ends are integers.
pub(crate) fn range_element(cx: &mut ExprCx<'_, '_>, r: &RangeSpec) -> Ty {
    match r {
        RangeSpec::Pair(a, b) => {
            let (ta, tb) = (cx.value(a), cx.value(b));
            let both_int = ta.kinds.within(Kinds::INT) && tb.kinds.within(Kinds::INT);
            Ty::of(if both_int { Kinds::INT } else { Kinds::NUMBER })
        }
        RangeSpec::Expr(e) => {
            let t = cx.expr(e);
            let elem = t.element();
            if elem.kinds.within(Kinds::INT) && !elem.kinds.is_none() {
                Ty::of(Kinds::INT)
            } else {
                Ty::of(Kinds::NUMBER)
            }
        }
    }
}

/// Types that still change after the last round become unknown.
fn widen(old: &Types, new: Types) -> Types {
    let mut out = new;
    for (o, n) in old.subs.iter().zip(out.subs.iter_mut()) {
        for (a, b) in o.vars.iter().zip(n.vars.iter_mut()) {
            if a != b {
                *b = Ty::any();
            }
        }
        if o.returns != n.returns {
            n.returns = Ty::any();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use wf_syntax::{Severity, SourceFile, parse_workflow};

    use super::Model;

    #[test]
    fn an_assign_step_past_the_limit_costs_only_its_first_fifty_entries() {
        // 100,000 entries (2.2 MB): the dataflow is sized nodes × variables, so checking all
        // of them once took 5 GB. The limit now applies before that cost.
        let entries: String = (0..100_000).map(|i| format!("      - v{i}: {i}\n")).collect();
        let text = format!("- s:\n    assign:\n{entries}- done:\n    return: ${{v0 + v49}}\n");
        let parsed = parse_workflow(&SourceFile::new("big.yaml", text));
        let errors: Vec<(&str, &str)> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(errors, [("WF131", "an assign step holds at most 50 assignments, found 100000")]);
        let workflow = parsed.workflow.expect("a workflow");
        let Some(wf_syntax::ast::StepKind::Assign(assignments)) =
            workflow.subworkflows[0].steps.first().map(|s| &s.body.kind)
        else {
            panic!("the first step assigns");
        };
        assert_eq!(assignments.len(), 50, "only the first 50 entries are lowered");
        let (model, _) = Model::new(&workflow);
        let main = &model.subs[0];
        assert_eq!(main.vars.len(), 50);
        assert!(main.cfg.nodes.len() < 100, "{} nodes", main.cfg.nodes.len());
        let unused = super::super::check_workflow(&workflow).iter().filter(|d| d.code == "WF401").count();
        assert_eq!(unused, 48, "v0 and v49 are read");
    }

    #[test]
    fn switch_conditions_and_branches_past_the_limit_are_not_lowered() {
        let cases: String = (0..60).map(|i| format!("      - condition: ${{x == {i}}}\n        next: end\n")).collect();
        let branches: String = (0..12)
            .map(|i| format!("        - b{i}:\n            steps:\n              - r{i}: {{return: {i}}}\n"))
            .collect();
        let text = format!(
            "- init:\n    assign:\n      - x: 1\n- pick:\n    switch:\n{cases}- fan:\n    parallel:\n      branches:\n{branches}"
        );
        let parsed = parse_workflow(&SourceFile::new("big.yaml", text));
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["WF131", "WF131"], "{:?}", parsed.diagnostics);
        let steps = &parsed.workflow.expect("a workflow").subworkflows[0].steps;
        let kinds: Vec<usize> = steps
            .iter()
            .map(|s| match &s.body.kind {
                wf_syntax::ast::StepKind::Switch(cases) => cases.len(),
                wf_syntax::ast::StepKind::Parallel(p) => match &p.body {
                    wf_syntax::ast::ParallelBody::Branches(b) => b.len(),
                    _ => 0,
                },
                _ => 0,
            })
            .collect();
        assert_eq!(kinds, [0, 50, 10]);
    }
}
