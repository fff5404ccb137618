//! `call` steps: the target (a standard-library function, a connector or a subworkflow),
//! its named arguments, and the type of its result.

use wf_syntax::Diagnostic;
use wf_syntax::ast::{Arg, Call, DataKind};
use wf_syntax::suggest::did_you_mean;

use crate::codes;
use crate::infer::{ExprCx, Literal, SubCall, literal_of_value, result_type};
use crate::stdlib::{self, Function, Status};
use crate::ty::Ty;

/// Keys of a connector's `connector_params` argument.
const CONNECTOR_PARAMS: &[&str] = &["timeout", "polling_policy", "skip_polling", "scopes"];

/// Checks a `call` step (when `cx` reports) and returns the type of its result.
pub(crate) fn call_step(cx: &mut ExprCx<'_, '_>, call: &Call) -> Ty {
    let name = call.function.text.as_str();
    let args: Vec<(&Arg, Ty)> = call.args.iter().map(|a| (a, cx.value(&a.value))).collect();
    if let Some(target) = cx.model.sub_index(name) {
        return subworkflow_call(cx, target, call, &args);
    }
    if let Some(f) = stdlib::function(name) {
        return function_call(cx, f, call, &args);
    }
    if stdlib::is_connector(name) {
        if let Some((arg, _)) = args.iter().find(|(a, _)| a.name.text == "connector_params") {
            connector_params(cx, arg);
        }
        return Ty::any();
    }
    if stdlib::value(name).is_some() {
        cx.report(
            Diagnostic::error(codes::NOT_CALLABLE, call.function.span, format!("`{name}` is a value, not a function"))
                .with_label("cannot be called"),
        );
        return Ty::any();
    }
    let candidates: Vec<&str> = stdlib::FUNCTIONS
        .iter()
        .map(|f| f.name)
        .chain(cx.model.subs.iter().map(|s| s.sub.name.text.as_str()))
        .collect();
    let mut d = Diagnostic::error(codes::UNKNOWN_CALL, call.function.span, format!("unknown call target `{name}`"))
        .with_label("no such function, connector or subworkflow");
    d = match did_you_mean(name, candidates.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None if name.starts_with("googleapis.") => {
            d.with_help("connector names have the form `googleapis.SERVICE.VERSION.RESOURCE.METHOD`")
        }
        None => d.with_help("define a subworkflow with this name, or call a standard-library function"),
    };
    cx.report(d);
    Ty::any()
}

fn subworkflow_call(cx: &mut ExprCx<'_, '_>, target: usize, call: &Call, args: &[(&Arg, Ty)]) -> Ty {
    let sub = cx.model.subs[target].sub;
    let names: Vec<&str> = sub.params.iter().map(|p| p.name.text.as_str()).collect();
    let mut by_param = Vec::with_capacity(args.len());
    // Parameters that a misspelt argument probably meant: their "missing" would repeat the
    // same mistake (one mistake, one diagnostic).
    let mut meant: Vec<&str> = Vec::new();
    for (arg, t) in args {
        match names.iter().position(|n| *n == arg.name.text) {
            Some(i) => by_param.push((i, t.clone())),
            None => {
                let suggestion = did_you_mean(&arg.name.text, names.iter().copied());
                let message = match suggestion {
                    Some(s) => format!("unknown argument `{}`; did you mean `{s}`?", arg.name.text),
                    None => format!("subworkflow `{}` has no parameter `{}`", sub.name.text, arg.name.text),
                };
                let mut d = Diagnostic::error(codes::UNKNOWN_ARGUMENT, arg.name.span, message)
                    .with_label("unknown argument")
                    .with_secondary(sub.name.span, "the subworkflow is defined here");
                d = match suggestion {
                    Some(s) => {
                        meant.push(s);
                        d.with_help(format!("did you mean `{s}`?"))
                    }
                    None if names.is_empty() => d.with_help("it takes no parameters"),
                    None => d.with_help(format!("its parameters are: {}", names.join(", "))),
                };
                cx.report(d);
            }
        }
    }
    for p in sub.params.iter().filter(|p| p.default.is_none() && !meant.contains(&p.name.text.as_str())) {
        if !args.iter().any(|(a, _)| a.name.text == p.name.text) {
            cx.report(
                Diagnostic::error(
                    codes::MISSING_ARGUMENT,
                    call.function.span,
                    format!("missing argument `{}` for subworkflow `{}`", p.name.text, sub.name.text),
                )
                .with_label(format!("`{}` is required", p.name.text))
                .with_secondary(p.name.span, "declared here without a default")
                .with_help(format!("add `{}: ...` under `args`", p.name.text)),
            );
        }
    }
    cx.sub_calls.push(SubCall { callee: target, args: by_param });
    cx.types.subs[target].returns.clone()
}

fn function_call(cx: &mut ExprCx<'_, '_>, f: &'static Function, call: &Call, args: &[(&Arg, Ty)]) -> Ty {
    match f.status {
        Status::Documented => {}
        Status::Deprecated => cx.report_with(|_| {
            Diagnostic::warning(codes::UNSTABLE_FUNCTION, call.function.span, format!("`{}` is deprecated", f.name))
                .with_label("deprecated by GCW")
                .with_help("start the child execution with the connector `googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run`")
        }),
        Status::Preview => {
            cx.report_with(|_| {
                Diagnostic::warning(
                    codes::UNSTABLE_FUNCTION,
                    call.function.span,
                    format!("`{}` is a preview function", f.name),
                )
                .with_label("GCW may change or remove it")
                .with_help("wfkit checks neither its arguments nor its result; `# wf-ignore: WF406` silences this")
            });
            return result_type(f, &[]).external();
        }
    }
    let mut positional = vec![Ty::any(); f.params.len()];
    // Parameters that a misspelt argument probably meant (one mistake, one diagnostic: no
    // "needs the argument" for them), as for subworkflow calls.
    let mut meant: Vec<&str> = Vec::new();
    for (arg, t) in args {
        match f.params.iter().position(|p| p.name == arg.name.text) {
            Some(i) => {
                positional[i] = t.clone();
                cx.check_argument(f, &f.params[i], arg.value.span, t, literal_of_value(&arg.value));
            }
            None => {
                let names: Vec<&str> = f.params.iter().map(|p| p.name).collect();
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_PARAMETER,
                    arg.name.span,
                    format!("`{}` has no parameter `{}`", f.name, arg.name.text),
                )
                .with_label("unknown argument");
                d = match did_you_mean(&arg.name.text, names.iter().copied()) {
                    Some(s) => {
                        meant.push(s);
                        d.with_help(format!("did you mean `{s}`?"))
                    }
                    None if names.is_empty() => d.with_help(format!("`{}` takes no arguments", f.name)),
                    None => d.with_help(format!("the signature is `{}`", f.signature())),
                };
                cx.report(d);
            }
        }
    }
    for p in f.params.iter().filter(|p| p.required && !meant.contains(&p.name)) {
        if !args.iter().any(|(a, _)| a.name.text == p.name) {
            let at = call.args_span.unwrap_or(call.function.span);
            cx.report(
                Diagnostic::error(
                    codes::MISSING_PARAMETER,
                    at,
                    format!("`{}` needs the argument `{}`", f.name, p.name),
                )
                .with_label(format!("`{}` missing", p.name))
                .with_help(format!("the signature is `{}`", f.signature())),
            );
        }
    }
    let result = result_type(f, &positional);
    if f.blocking { result.external() } else { result }
}

/// The longest `connector_params.timeout`, in seconds (the default is 1,800).
const MAX_CONNECTOR_TIMEOUT: f64 = stdlib::YEAR_SECONDS;

fn connector_params(cx: &mut ExprCx<'_, '_>, arg: &Arg) {
    let DataKind::Map(entries) = &arg.value.kind else { return };
    for entry in entries {
        if let wf_syntax::ast::MapKey::Name(n) = &entry.key
            && n.text == "timeout"
            && let Some(Literal::Num(x)) = literal_of_value(&entry.value)
            && !(x > 0.0 && x <= MAX_CONNECTOR_TIMEOUT)
        {
            let message = format!(
                "`connector_params.timeout` must be more than 0 and at most {MAX_CONNECTOR_TIMEOUT} seconds, found {x}"
            );
            cx.report(
                Diagnostic::error(codes::INVALID_ARGUMENT, entry.value.span, message)
                    .with_label("out of range")
                    .with_help("a connector call waits at most one year (31,536,000 seconds); the default is 1,800"),
            );
        }
        if let wf_syntax::ast::MapKey::Name(n) = &entry.key
            && !CONNECTOR_PARAMS.contains(&n.text.as_str())
        {
            let mut d = Diagnostic::error(
                codes::UNKNOWN_PARAMETER,
                n.span,
                format!("`connector_params` has no field `{}`", n.text),
            )
            .with_label("unknown connector parameter");
            d = match did_you_mean(&n.text, CONNECTOR_PARAMS.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("the fields are: {}", CONNECTOR_PARAMS.join(", "))),
            };
            cx.report(d);
        }
    }
}
