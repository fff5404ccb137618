//! Everything known about a workflow's structure before typing: per subworkflow its step
//! index, control-flow graph, variables and definedness; and which subworkflows block.
//! Types come after, in `fixpoint.rs`.

use std::collections::HashMap;

use wf_syntax::Diagnostic;
use wf_syntax::ast::{DataKind, Subworkflow, Workflow};

use crate::cfg::{self, Cfg, Op};
use crate::flow::{self, Flow, Vars};
use crate::program::SubIndex;
use crate::stdlib;

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
    pub fn predicates(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for s in &self.subs {
            for n in &s.cfg.nodes {
                if let Op::Eval(v, cfg::EvalContext::Predicate) = n.op
                    && let DataKind::Expr(e) = &v.kind
                    && let wf_syntax::ExprKind::Var(name) = &e.kind
                    && let Some(i) = self.sub_index(name)
                {
                    out.push(i);
                }
            }
        }
        out
    }
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
            .filter(|d| d.severity == Severity::Error && d.code != wf_syntax::codes::SOURCE_TOO_LARGE)
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
