//! Flow-sensitive definedness: for every node, which variables are assigned on *some* path
//! reaching it (`may`) and on *every* path (`must`). A forward bitset dataflow to a fixpoint,
//! linear in practice; scope ends drop the variables a loop, branch or except block created.
//! Also the backward liveness used by the unused-value lint.
//!
//! The sets are persistent ([`VarSet`], `varset.rs`): a node's set shares everything but
//! what changed with its predecessor's, so keeping one per node costs about one tree path
//! per definition and join, not nodes × variables bits.

use std::collections::{HashMap, VecDeque};

use wf_syntax::ExprKind;
use wf_syntax::ast::Subworkflow;

use crate::cfg::{Cfg, NodeId, Op};
pub(crate) use crate::varset::VarSet;

/// Index of a variable in [`Vars`].
pub(crate) type VarId = usize;

/// The variables that a subworkflow assigns anywhere (its parameters included).
#[derive(Debug, Default)]
pub(crate) struct Vars<'a> {
    pub names: Vec<&'a str>,
    index: HashMap<&'a str, VarId>,
}

impl<'a> Vars<'a> {
    /// Collects every variable defined in `cfg` or declared as a parameter of `sub`.
    pub fn collect(sub: &'a Subworkflow, cfg: &Cfg<'a>) -> Vars<'a> {
        let mut vars = Vars::default();
        for p in &sub.params {
            vars.add(&p.name.text);
        }
        for node in &cfg.nodes {
            if let Some(name) = defined_name(&node.op) {
                vars.add(name);
            }
        }
        vars
    }

    fn add(&mut self, name: &'a str) -> VarId {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        self.names.push(name);
        self.index.insert(name, self.names.len() - 1);
        self.names.len() - 1
    }

    /// The id of a variable, if the subworkflow assigns it anywhere.
    pub fn id(&self, name: &str) -> Option<VarId> {
        self.index.get(name).copied()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// The variable a node defines, if any (a plain `name: value` assignment, a call result, a
/// loop or except variable). Assigning `a.b` or `a[0]` changes `a` but does not define it.
pub(crate) fn defined_name<'a>(op: &Op<'a>) -> Option<&'a str> {
    match op {
        Op::Assign(a) => match &a.target.kind {
            ExprKind::Var(name) => Some(name.as_str()),
            _ => None,
        },
        Op::Call(c) => c.result.as_ref().map(|r| r.text.as_str()),
        Op::Define(name, _) => Some(name.text.as_str()),
        _ => None,
    }
}

/// What is known on entry to a node.
#[derive(Clone, Debug)]
pub(crate) struct State {
    /// Assigned on some path.
    pub may: VarSet,
    /// Assigned on every path.
    pub must: VarSet,
}

impl State {
    /// Adds `v` to both sets (which stay one tree when they were: on straight-line code
    /// `may` and `must` are the same set).
    fn define(&mut self, v: VarId) {
        let one = self.may.is_same_tree(&self.must);
        self.may.insert(v);
        if one {
            self.must = self.may.clone();
        } else {
            self.must.insert(v);
        }
    }
}

/// The definedness at every node (`None`: the node is unreachable).
#[derive(Debug)]
pub(crate) struct Flow {
    pub states: Vec<Option<State>>,
}

/// Runs the forward analysis. `defs[n]` is the variable node `n` defines.
pub(crate) fn definedness(cfg: &Cfg<'_>, vars: &Vars<'_>, params: &[VarId]) -> Flow {
    let defs: Vec<Option<VarId>> = cfg.nodes.iter().map(|n| defined_name(&n.op).and_then(|v| vars.id(v))).collect();
    let mut states: Vec<Option<State>> = vec![None; cfg.nodes.len()];
    let mut entry = State { may: VarSet::empty(vars.len()), must: VarSet::empty(vars.len()) };
    for &p in params {
        entry.may.insert(p);
        entry.must.insert(p);
    }
    states[cfg.entry] = Some(entry);
    let mut queue = VecDeque::from([cfg.entry]);
    let mut queued = vec![false; cfg.nodes.len()];
    queued[cfg.entry] = true;
    while let Some(n) = queue.pop_front() {
        queued[n] = false;
        let Some(inn) = states[n].clone() else { continue };
        // An error leaves before the node's own definition.
        for &s in &cfg.nodes[n].raises_to {
            if merge(&mut states[s], &inn) && !queued[s] {
                queued[s] = true;
                queue.push_back(s);
            }
        }
        let mut out = inn;
        if let Some(v) = defs[n] {
            out.define(v);
        }
        if let Op::ScopeEnd(start) = cfg.nodes[n].op
            && let Some(at_start) = &states[start]
        {
            out.may.intersect_with(&at_start.may);
            out.must.intersect_with(&at_start.must);
        }
        for &s in &cfg.nodes[n].succ {
            if merge(&mut states[s], &out) && !queued[s] {
                queued[s] = true;
                queue.push_back(s);
            }
        }
    }
    Flow { states }
}

/// Joins `incoming` into a node's state; returns whether it changed.
fn merge(state: &mut Option<State>, incoming: &State) -> bool {
    match state {
        None => {
            *state = Some(incoming.clone());
            true
        }
        Some(st) => {
            let a = st.may.union_with(&incoming.may);
            let b = st.must.intersect_with(&incoming.must);
            a || b
        }
    }
}

/// Backward liveness: for every node, the variables that may be read after it before being
/// assigned again. `reads[n]` are the variables node `n` reads.
pub(crate) fn live_after(cfg: &Cfg<'_>, vars: &Vars<'_>, reads: &[Vec<VarId>]) -> Vec<VarSet> {
    let empty = VarSet::empty(vars.len());
    let defs: Vec<Option<VarId>> = cfg.nodes.iter().map(|n| defined_name(&n.op).and_then(|v| vars.id(v))).collect();
    let preds = cfg.predecessors();
    let mut live_in = vec![empty.clone(); cfg.nodes.len()];
    let mut live_out = vec![empty.clone(); cfg.nodes.len()];
    let mut queue: VecDeque<NodeId> = (0..cfg.nodes.len()).rev().collect();
    let mut queued = vec![true; cfg.nodes.len()];
    while let Some(n) = queue.pop_front() {
        queued[n] = false;
        let mut out = empty.clone();
        for &s in &cfg.nodes[n].succ {
            out.union_with(&live_in[s]);
        }
        let mut inn = out.clone();
        if let Some(v) = defs[n] {
            inn.remove(v);
        }
        // On an error the node defines nothing.
        for &s in &cfg.nodes[n].raises_to {
            inn.union_with(&live_in[s]);
        }
        for &v in &reads[n] {
            inn.insert(v);
        }
        live_out[n] = out;
        if inn != live_in[n] {
            live_in[n] = inn;
            for &p in &preds[n] {
                if !queued[p] {
                    queued[p] = true;
                    queue.push_back(p);
                }
            }
        }
    }
    live_out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use wf_syntax::generate::generated_steps;
    use wf_syntax::{SourceFile, parse_workflow};

    use crate::model::Model;

    /// The definedness and liveness sets of a generated 100,000-step workflow (about 100,000
    /// variables, 5 subworkflows) take a few tree nodes (of 17 words) per graph node and
    /// variable, about 1.2 million here: as bitsets of every variable at every node (2 × 1,563
    /// words per set) they took about 14 GB.
    #[test]
    fn the_sets_of_a_100k_step_workflow_are_linear_in_its_size() {
        let parsed = parse_workflow(&SourceFile::new("big.yaml", generated_steps(100_000)));
        let workflow = parsed.workflow.expect("a workflow");
        let (model, mut diags) = Model::new(&workflow);
        let types = model.infer_types();
        let (mut nodes, mut vars, mut tree_nodes) = (0, 0, 0);
        for (s, sub) in model.subs.iter().enumerate() {
            nodes += sub.cfg.nodes.len();
            vars += sub.vars.len();
            let mut seen = HashSet::new();
            for state in sub.flow.states.iter().flatten() {
                tree_nodes += state.may.nodes(&mut seen) + state.must.nodes(&mut seen);
            }
            let (reads, _) = crate::report::check_nodes(&model, &types, s, &mut diags);
            for set in super::live_after(&sub.cfg, &sub.vars, &reads) {
                tree_nodes += set.nodes(&mut seen);
            }
        }
        assert!(diags.is_empty(), "{diags:?}");
        assert!(nodes > 250_000 && vars > 90_000, "{nodes} nodes, {vars} variables");
        assert!(tree_nodes <= 4 * (nodes + vars), "{tree_nodes} tree nodes for {nodes} nodes and {vars} variables");
    }
}
