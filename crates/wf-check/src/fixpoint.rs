//! Types of every variable and return value, inferred to a fixpoint across subworkflows:
//! rounds over every definition site join what each defines, until nothing changes (or a
//! round limit, after which what still changes becomes unknown). The unions only widen, so
//! "certainly wrong" stays sound.

use wf_syntax::ast::ForSource;

use crate::calls::call_step;
use crate::cfg::{Op, Origin};
use crate::flow;
use crate::infer::{ExprCx, range_element};
use crate::model::Model;
use crate::stdlib::Shape;
use crate::ty::{Kinds, SubTypes, Ty, Types};

/// How many rounds type inference may take before unresolved types become unknown.
const MAX_ROUNDS: usize = 8;

impl<'a> Model<'a> {
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
