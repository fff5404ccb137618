//! The reporting pass: every reachable node is checked once more, now with its definedness
//! state, and the lints run on the results.

use std::collections::HashSet;

use wf_syntax::ast::Name;
use wf_syntax::suggest::did_you_mean;
use wf_syntax::{Diagnostic, ExprKind, Span};

use crate::calls::call_step;
use crate::cfg::{EvalContext, NodeId, Op, Origin};
use crate::codes;
use crate::flow::{self, VarId};
use crate::infer::range_element;
use crate::infer::{ExprCx, article, kind_problem};
use crate::model::{Model, SubModel};
use crate::stdlib::{self, PredefinedKind};
use crate::ty::Kinds;
use crate::ty::Types;

/// Checks every subworkflow of `model` and runs the lints.
pub(crate) fn report(model: &Model<'_>, types: &Types) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for s in 0..model.subs.len() {
        let before = diags.len();
        let (reads, dead_reads) = check_nodes(model, types, s, &mut diags);
        first_read_only(&mut diags, before);
        let sub = &model.subs[s];
        unreachable_steps(sub, &mut diags);
        unused_values(sub, &reads, &dead_reads, &mut diags);
        duplicate_steps(sub, &mut diags);
        shadowed_params(sub, &mut diags);
    }
    callbacks(model, &mut diags);
    diags
}

/// Keeps one undefined / possibly-undefined report per variable (the first read): the
/// others repeat it.
fn first_read_only(diags: &mut Vec<Diagnostic>, from: usize) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut i = 0;
    diags.retain(|d| {
        i += 1;
        let read = d.code == codes::UNDEFINED_VARIABLE || d.code == codes::MAYBE_UNDEFINED;
        i <= from || !read || seen.insert(d.message.clone())
    });
}

/// Checks every node; returns the variables each reachable node reads, and those that
/// unreachable nodes read.
pub(crate) fn check_nodes(
    model: &Model<'_>,
    types: &Types,
    s: usize,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Vec<VarId>>, Vec<VarId>) {
    let sub = &model.subs[s];
    let mut reads = vec![Vec::new(); sub.cfg.nodes.len()];
    let mut dead_reads = Vec::new();
    let mut shadow_reported: HashSet<&str> = HashSet::new();
    let mut parallel_reported: HashSet<(usize, VarId)> = HashSet::new();
    for (n, node) in sub.cfg.nodes.iter().enumerate() {
        let Some(state) = &sub.flow.states[n] else {
            dead_reads.extend(unreachable_node(model, types, s, &node.op, diags));
            continue;
        };
        let mut cx = ExprCx {
            model,
            types,
            sub: s,
            state: Some(state),
            diags: Some(diags),
            reads: Vec::new(),
            sub_calls: Vec::new(),
        };
        match &node.op {
            Op::Assign(a) => {
                place_reads(&mut cx, &a.target);
                cx.value(&a.value);
            }
            Op::Call(_) | Op::Eval(..) | Op::EvalExpr(..) | Op::Range(_) | Op::Return(_) | Op::Raise(_) => {
                check_values(&mut cx, &node.op);
            }
            Op::Cond(v) => {
                let t = cx.value(v);
                if !t.kinds.is_none() && !t.kinds.intersects(Kinds::BOOL) {
                    let d = kind_problem(
                        codes::CONDITION_TYPE,
                        v.span,
                        format!("a condition must be a boolean, found {}", t.kinds),
                        &[&t],
                    )
                    .with_label(format!("this is {}", article(t.kinds)))
                    .with_help("compare explicitly, e.g. `${x != null}` or `${len(items) > 0}`");
                    cx.report(d);
                }
            }
            Op::ParallelStart(p) => {
                for name in &p.shared {
                    shared_defined(&mut cx, sub, name);
                }
            }
            Op::Define(name, origin) => {
                if let Some(v) = sub.vars.id(&name.text)
                    && state.may.contains(v)
                    && !matches!(origin, Origin::LoopIndex)
                    && !shadow_reported.contains(name.text.as_str())
                {
                    shadow_reported.insert(&name.text);
                    let what = match origin {
                        Origin::Error => "the error variable",
                        _ => "the loop variable",
                    };
                    cx.report(
                        Diagnostic::warning(
                            codes::SHADOWED_NAME,
                            name.span,
                            format!("{what} `{}` hides an existing variable", name.text),
                        )
                        .with_label("a variable with this name already exists here")
                        .with_help("give it a name of its own"),
                    );
                }
            }
            Op::Entry | Op::Exit | Op::ReturnExit | Op::Nop | Op::Step | Op::ScopeEnd(_) => {}
        }
        reads[n] = std::mem::take(&mut cx.reads);
        drop(cx);
        parallel_assignment(sub, n, &mut parallel_reported, diags);
        if let Some(name) = flow::defined_name(&node.op) {
            module_shadowing(name, node_name_span(&node.op), &mut shadow_reported, diags);
        }
    }
    (reads, dead_reads)
}

/// Checks a node no path reaches as GCW's deployer does (it builds every step): unknown
/// functions, arguments and types are mistakes there too. What needs the flow (whether a
/// variable is defined) is not judged, and its reads do not count for definedness. They are
/// returned: a value read only there is not also reported unused (the unreachable step is
/// the one mistake).
fn unreachable_node(
    model: &Model<'_>,
    types: &Types,
    s: usize,
    op: &Op<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<VarId> {
    let mut cx =
        ExprCx { model, types, sub: s, state: None, diags: Some(diags), reads: Vec::new(), sub_calls: Vec::new() };
    match op {
        Op::Assign(a) => {
            cx.value(&a.value);
        }
        Op::Cond(v) => {
            cx.value(v);
        }
        other => check_values(&mut cx, other),
    }
    cx.reads
}

/// The checks of a call, an evaluated value, a range, a `return` or a `raise`: the same
/// in reachable and unreachable steps.
fn check_values(cx: &mut ExprCx<'_, '_>, op: &Op<'_>) {
    match op {
        Op::Call(c) => {
            call_step(cx, c);
        }
        Op::Eval(v, ctx) => eval(cx, v, *ctx),
        Op::EvalExpr(e, ctx) => eval_expr(cx, e, *ctx),
        Op::Range(r) => {
            range_element(cx, r);
        }
        Op::Return(v) | Op::Raise(v) => {
            cx.value(v);
        }
        _ => {}
    }
}

/// Reads made by an assignment target: `a.b[i]` reads `a` and `i` (and defines nothing).
fn place_reads(cx: &mut ExprCx<'_, '_>, target: &wf_syntax::Expr) {
    match &target.kind {
        ExprKind::Var(_) => {}
        ExprKind::Member { object, .. } => {
            place_object(cx, object);
        }
        ExprKind::Index { object, index } => {
            place_object(cx, object);
            cx.expr(index);
        }
        _ => {}
    }
}

fn place_object(cx: &mut ExprCx<'_, '_>, object: &wf_syntax::Expr) {
    match &object.kind {
        ExprKind::Var(_) => {
            cx.expr(object);
        }
        _ => place_reads(cx, object),
    }
}

fn eval(cx: &mut ExprCx<'_, '_>, v: &wf_syntax::ast::Data, ctx: EvalContext) {
    if let (EvalContext::Predicate, wf_syntax::ast::DataKind::Expr(e)) = (ctx, &v.kind) {
        eval_expr(cx, e, ctx);
        return;
    }
    let t = cx.value(v);
    let (want, what, help) = match ctx {
        EvalContext::ForIn => {
            (Kinds::LIST, "`in` must give a list", Some("to loop over a map, use `in: ${keys(my_map)}`"))
        }
        EvalContext::Concurrency => (Kinds::INT, "`concurrency_limit` must be an integer", None),
        EvalContext::RetryNumber => (Kinds::NUMBER, "retry settings must be numbers", None),
        EvalContext::Predicate => {
            (Kinds::NONE, "a retry `predicate` must be `${subworkflow_name}` or a predefined predicate", None)
        }
        _ => return,
    };
    if ctx == EvalContext::Predicate || (!t.kinds.is_none() && !t.kinds.intersects(want)) {
        let code = if ctx == EvalContext::ForIn { codes::NOT_A_LIST } else { codes::ARGUMENT_TYPE };
        let mut d = kind_problem(code, v.span, format!("{what}, found {}", t.kinds), &[&t])
            .with_label(format!("this is {}", article(t.kinds)));
        if let Some(h) = help.filter(|_| t.kinds.intersects(Kinds::MAP)) {
            d = d.with_help(h);
        }
        cx.report(d);
    }
}

fn eval_expr(cx: &mut ExprCx<'_, '_>, e: &wf_syntax::Expr, ctx: EvalContext) {
    let path = e.dotted_name();
    let known = path.as_deref().and_then(stdlib::value).map(|v| v.kind);
    let problem = match (ctx, known) {
        (EvalContext::RetryPolicy, Some(PredefinedKind::Predicate)) => {
            Some(("is a retry predicate, not a policy", "use it as `predicate:` in a custom retry map"))
        }
        (EvalContext::Predicate, Some(PredefinedKind::RetryPolicy)) => {
            Some(("is a retry policy, not a predicate", "write `retry: ${...}` with the policy alone"))
        }
        _ => None,
    };
    if let (Some((what, help)), Some(path)) = (problem, &path) {
        cx.report(
            Diagnostic::error(codes::ARGUMENT_TYPE, e.span, format!("`{path}` {what}"))
                .with_label("wrong kind of retry value")
                .with_help(help),
        );
        return;
    }
    if ctx == EvalContext::Predicate
        && let ExprKind::Var(name) = &e.kind
        && let Some(target) = cx.model.sub_index(name)
    {
        let params = &cx.model.subs[target].sub.params;
        let required = params.iter().filter(|p| p.default.is_none()).count();
        if required > 1 || params.is_empty() {
            cx.report(
                Diagnostic::error(
                    codes::WRONG_ARITY,
                    e.span,
                    format!("predicate `{name}` must take exactly one parameter, the error"),
                )
                .with_label(format!("`{name}` takes {}", params.len()))
                .with_help(format!("declare it as `{name}: {{params: [e], steps: [...]}}` and return true to retry")),
            );
        }
        return;
    }
    cx.expr(e);
}

fn shared_defined(cx: &mut ExprCx<'_, '_>, sub: &SubModel<'_>, name: &Name) {
    let defined = sub.vars.id(&name.text).and_then(|v| cx.state.map(|s| (s.may.contains(v), s.must.contains(v))));
    let d = match defined {
        Some((true, true)) => return,
        Some((true, false)) => Diagnostic::warning(
            codes::MAYBE_UNDEFINED,
            name.span,
            format!("shared variable `{}` may not be defined before the parallel step", name.text),
        )
        .with_label("not assigned on every path")
        .with_help("assign an initial value before the parallel step"),
        _ => {
            // A misspelt entry: the variable the branches assign is probably the one meant.
            let defined = sub
                .vars
                .names
                .iter()
                .copied()
                .filter(|n| sub.vars.id(n).is_some_and(|v| cx.state.is_some_and(|s| s.must.contains(v))));
            let help = match did_you_mean(&name.text, defined) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("assign an initial value first, e.g. `- {}: 0`", name.text),
            };
            Diagnostic::error(
                codes::SHARED_UNDEFINED,
                name.span,
                format!("shared variable `{}` is not defined before the parallel step", name.text),
            )
            .with_label("not assigned before")
            .with_help(help)
        }
    };
    cx.report(d);
}

/// A branch may assign an outer variable only when it is `shared`.
/// An outer variable assigned in a branch of parallel step without `shared`: reported once
/// per variable and parallel step (the mistake is the missing `shared` entry), at the
/// first assignment.
fn parallel_assignment(
    sub: &SubModel<'_>,
    n: NodeId,
    reported: &mut HashSet<(usize, VarId)>,
    diags: &mut Vec<Diagnostic>,
) {
    let node = &sub.cfg.nodes[n];
    let Some(p) = node.parallel else { return };
    let (name, span) = match &node.op {
        Op::Assign(a) => match root_var(&a.target) {
            Some(r) => r,
            None => return,
        },
        Op::Call(c) => match &c.result {
            Some(r) => (r.text.as_str(), r.span),
            None => return,
        },
        _ => return,
    };
    let scope = &sub.cfg.parallels[p];
    let Some(v) = sub.vars.id(name) else { return };
    let start = sub.flow.states[scope.start].as_ref();
    let outer = |v: VarId| start.is_some_and(|s| s.may.contains(v));
    // A `shared` entry that names no outer variable and is this name misspelt: that entry
    // is the mistake, reported as not defined (one mistake, one diagnostic).
    let misspelt_entry = scope
        .shared
        .iter()
        .any(|s| sub.vars.id(&s.text).is_none_or(|sv| !outer(sv)) && did_you_mean(&s.text, [name]).is_some());
    if outer(v) && !misspelt_entry && !scope.shared.iter().any(|s| s.text == name) && reported.insert((p, v)) {
        diags.push(
            Diagnostic::error(
                codes::PARALLEL_ASSIGN,
                span,
                format!("`{name}` is assigned in a parallel branch but is not `shared`"),
            )
            .with_label("an outer variable")
            .with_help(format!("add `{name}` to the parallel step's `shared` list, or assign a new local variable")),
        );
    }
}

fn root_var(target: &wf_syntax::Expr) -> Option<(&str, Span)> {
    match &target.kind {
        ExprKind::Var(name) => Some((name, target.span)),
        ExprKind::Member { object, .. } | ExprKind::Index { object, .. } => root_var(object),
        _ => None,
    }
}

fn node_name_span(op: &Op<'_>) -> Span {
    match op {
        Op::Assign(a) => a.target.span,
        Op::Call(c) => c.result.as_ref().map_or(c.function.span, |r| r.span),
        Op::Define(name, _) => name.span,
        _ => Span::default(),
    }
}

/// Variables named like a module or helper hide it.
fn module_shadowing<'a>(name: &'a str, span: Span, reported: &mut HashSet<&'a str>, diags: &mut Vec<Diagnostic>) {
    if reported.contains(name) {
        return;
    }
    let hidden = if stdlib::is_module(name) && name != "googleapis" {
        format!("the `{name}` module")
    } else if stdlib::helpers().any(|f| f.name == name) {
        format!("the `{name}` function")
    } else {
        return;
    };
    reported.insert(name);
    diags.push(
        Diagnostic::warning(codes::SHADOWED_NAME, span, format!("variable `{name}` hides {hidden}"))
            .with_label("named like a standard-library name")
            .with_help("rename the variable"),
    );
}

fn shadowed_params(sub: &SubModel<'_>, diags: &mut Vec<Diagnostic>) {
    let mut reported = HashSet::new();
    for p in &sub.sub.params {
        module_shadowing(&p.name.text, p.name.span, &mut reported, diags);
    }
}

fn unreachable_steps(sub: &SubModel<'_>, diags: &mut Vec<Diagnostic>) {
    // A step runs when its entry is reached, or when a step nested in it is (a `next` into
    // a plain nested block enters it mid-way). Steps are indexed parents first.
    let mut runs: Vec<bool> =
        (0..sub.index.steps.len()).map(|id| sub.flow.states[sub.cfg.step_nodes[id]].is_some()).collect();
    for id in (0..runs.len()).rev() {
        if runs[id]
            && let Some(owner) = sub.index.blocks[sub.index.steps[id].block].owner
        {
            runs[owner] = true;
        }
    }
    let reachable = |id: usize| runs[id];
    for (id, r) in sub.index.steps.iter().enumerate() {
        if reachable(id) {
            continue;
        }
        // Report the first step of an unreachable run only.
        let context_reachable = match r.prev {
            Some(prev) => reachable(prev),
            None => sub.index.blocks[r.block].owner.is_none_or(reachable),
        };
        if context_reachable {
            diags.push(
                Diagnostic::warning(
                    codes::UNREACHABLE,
                    r.step.name.span,
                    format!("step `{}` can never run", r.step.name.text),
                )
                .with_label("unreachable")
                .with_help(
                    "it follows a `return`, `raise` or `next` and no `next` leads to it; remove it or jump to it",
                ),
            );
        }
    }
}

fn unused_values(sub: &SubModel<'_>, reads: &[Vec<VarId>], dead_reads: &[VarId], diags: &mut Vec<Diagnostic>) {
    // Where a `next` did not resolve, the flow after it is a guess: a value it leaves
    // unread may be read where the jump meant to go (one mistake, one diagnostic).
    if sub.cfg.broken_jump {
        return;
    }
    let live = flow::live_after(&sub.cfg, &sub.vars, reads);
    let mut read_where_dead = vec![false; sub.vars.len()];
    for &v in dead_reads {
        if let Some(dead) = read_where_dead.get_mut(v) {
            *dead = true;
        }
    }
    // A `shared` variable must be assigned before its parallel step even when only the
    // branches' values matter, and branches may read each other's writes.
    let shared: Vec<&str> = sub.cfg.parallels.iter().flat_map(|p| p.shared.iter().map(|n| n.text.as_str())).collect();
    for (n, node) in sub.cfg.nodes.iter().enumerate() {
        if sub.flow.states[n].is_none() || matches!(node.op, Op::Define(..)) {
            continue;
        }
        let Some(name) = flow::defined_name(&node.op) else { continue };
        let Some(v) = sub.vars.id(name) else { continue };
        if name.starts_with('_') || live[n].contains(v) || read_where_dead.get(v) == Some(&true) {
            continue;
        }
        if shared.contains(&name) {
            continue;
        }
        let (what, help) = match node.op {
            Op::Call(_) => ("the result", "remove `result`, or use the value"),
            _ => ("the value assigned", "remove the assignment, or use the value"),
        };
        diags.push(
            Diagnostic::warning(
                codes::UNUSED_VARIABLE,
                node_name_span(&node.op),
                format!("{what} to `{name}` is never read"),
            )
            .with_label("never read afterwards")
            .with_help(help),
        );
    }
}

fn duplicate_steps(sub: &SubModel<'_>, diags: &mut Vec<Diagnostic>) {
    for (first, again) in sub.index.duplicates() {
        let name = &sub.index.steps[again].step.name;
        diags.push(
            Diagnostic::error(
                codes::DUPLICATE_STEP,
                name.span,
                format!("another step of this subworkflow is also named `{}`", name.text),
            )
            .with_label("second step with this name")
            .with_secondary(sub.index.steps[first].step.name.span, "first step with this name")
            .with_help("rename one of them: GCW needs step names unique in each subworkflow, nested steps included"),
        );
    }
}

/// Callbacks awaited but never created, or created but never awaited, in the whole file.
fn callbacks(model: &Model<'_>, diags: &mut Vec<Diagnostic>) {
    let calls_to = |name: &str| -> Vec<Span> {
        model
            .subs
            .iter()
            .flat_map(|s| s.cfg.nodes.iter())
            .filter_map(|n| match &n.op {
                Op::Call(c) if c.function.text == name => Some(c.function.span),
                _ => None,
            })
            .collect()
    };
    // A misspelt `events.create_callback_endpoint` is an unknown call target already; the
    // lint would repeat that mistake as a missing create (one mistake, one diagnostic).
    let misspelt = |name: &str| {
        model.subs.iter().flat_map(|s| s.cfg.nodes.iter()).any(|n| match &n.op {
            Op::Call(c) => {
                stdlib::function(&c.function.text).is_none() && did_you_mean(&c.function.text, [name]).is_some()
            }
            _ => false,
        })
    };
    let creates = calls_to("events.create_callback_endpoint");
    let awaits = calls_to("events.await_callback");
    if creates.is_empty() && !awaits.is_empty() && !misspelt("events.create_callback_endpoint") {
        for span in &awaits {
            diags.push(
                Diagnostic::warning(
                    codes::AWAIT_WITHOUT_CREATE,
                    *span,
                    "this workflow awaits a callback but never creates one",
                )
                .with_label("no `events.create_callback_endpoint` in this file")
                .with_help("create the endpoint in this execution with `events.create_callback_endpoint`"),
            );
        }
    }
    if awaits.is_empty() && !creates.is_empty() && !misspelt("events.await_callback") {
        for span in &creates {
            diags.push(
                Diagnostic::warning(codes::CALLBACK_NOT_AWAITED, *span, "this callback endpoint is never awaited")
                    .with_label("no `events.await_callback` in this file")
                    .with_help("await it with `events.await_callback`, or remove it"),
            );
        }
    }
}
