//! Markdown descriptions of what names refer to: standard-library functions, predefined
//! values, modules, subworkflows, variables and diagnostic codes.

use std::fmt::Write;

use wf_check::facts::{Analysis, Role, Symbol};
use wf_check::stdlib::{self, Allowed, Function, Param, Predefined, PredefinedKind, Returns, Status};
use wf_syntax::codes::CodeInfo;

use super::Doc;

/// What a function returns, in words: `list<string>`, `same as map`.
pub fn returns(f: &Function) -> String {
    match f.returns {
        Returns::Kinds(k) => k.to_string(),
        Returns::Shape(s) => s.ty().to_string(),
        Returns::SameAs(i) => f.params.get(i).map_or("any".into(), |p| format!("same as `{}`", p.name)),
        Returns::UnionOf(a, b) => {
            let name = |i: usize| f.params.get(i).map_or("?", |p| p.name);
            format!("`{}` or `{}`", name(a), name(b))
        }
    }
}

/// One parameter as written in a signature: `name`, `name=default`, `name?`.
pub fn param_label(p: &Param) -> String {
    match (p.required, p.default) {
        (true, _) => p.name.to_string(),
        (false, Some(d)) => format!("{}={d}", p.name),
        (false, None) => format!("{}?", p.name),
    }
}

/// `text.split(source, separator) -> list<string>`.
pub fn function_signature(f: &Function) -> String {
    let params: Vec<String> = f.params.iter().map(param_label).collect();
    format!("{}({}) -> {}", f.name, params.join(", "), returns(f))
}

/// What a parameter accepts: `string, one of GET, POST`, `number between 0 and 1800`.
pub fn param_accepts(p: &Param) -> String {
    let mut out = p.kinds.to_string();
    match p.allowed {
        Allowed::Any => {}
        Allowed::OneOf(values) => {
            let _ = write!(out, ": one of {}", values.join(", "));
        }
        Allowed::Range(min, max) => {
            let _ = write!(out, " from {min} to {max}");
        }
    }
    if let Some(d) = p.default {
        let _ = write!(out, " (default {d})");
    } else if !p.required {
        out.push_str(" (optional)");
    }
    out
}

/// The full description of a function.
pub fn function_doc(f: &Function) -> String {
    let mut out = format!("```\n{}\n```\n{}", function_signature(f), f.doc);
    if f.blocking {
        out.push_str("\n\nblocking: call it from a `call` step, never inside `${...}`");
    }
    if f.status == Status::Preview {
        out.push_str("\n\npreview: not in the documented standard library");
    }
    if !f.params.is_empty() {
        out.push_str("\n\n");
        let lines: Vec<String> = f.params.iter().map(|p| format!("- `{}`: {}", p.name, param_accepts(p))).collect();
        out.push_str(&lines.join("\n"));
    }
    if !f.raises.is_empty() {
        let tags: Vec<String> = f.raises.iter().map(|t| format!("`{t}`")).collect();
        let _ = write!(out, "\n\nraises {}", tags.join(", "));
    }
    out.trim_end().to_string()
}

/// The description of a predefined value.
pub fn value_doc(v: &Predefined) -> String {
    let what = match v.kind {
        PredefinedKind::RetryPolicy => "retry policy".to_string(),
        PredefinedKind::Predicate => "retry predicate".to_string(),
        PredefinedKind::Data(shape) => shape.ty().to_string(),
    };
    format!("```\n{}: {what}\n```\n{}", v.name, v.doc)
}

/// The description of a module: its functions and values.
pub fn module_doc(module: &str) -> String {
    let mut out = format!("```\nmodule {module}\n```\n");
    let subs: Vec<&str> = stdlib::modules()
        .iter()
        .filter_map(|m| m.strip_prefix(module).and_then(|r| r.strip_prefix('.')))
        .filter(|r| !r.contains('.'))
        .collect();
    let functions: Vec<&str> = stdlib::functions_in(module).map(|f| &f.name[module.len() + 1..]).collect();
    let values: Vec<&str> = stdlib::VALUES
        .iter()
        .filter_map(|v| v.name.strip_prefix(module).and_then(|r| r.strip_prefix('.')))
        .filter(|r| !r.contains('.'))
        .collect();
    for (what, list) in [("functions", functions), ("values", values), ("modules", subs)] {
        if !list.is_empty() {
            let _ = writeln!(out, "{what}: {}", list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
        }
    }
    if module == "googleapis" {
        out.push_str("connectors: `googleapis.SERVICE.VERSION.RESOURCE.METHOD`\n");
    }
    out.trim_end().to_string()
}

/// `name(a, b?) -> type` for subworkflow `sub`.
pub fn sub_signature(a: &Analysis, sub: usize) -> String {
    let s = &a.subs[sub];
    let params: Vec<String> =
        s.params.iter().map(|p| if p.required { p.name.clone() } else { format!("{}?", p.name) }).collect();
    format!("{}({}) -> {}", s.name, params.join(", "), s.returns)
}

/// The description of subworkflow `sub`.
pub fn sub_doc(a: &Analysis, sub: usize) -> String {
    let s = &a.subs[sub];
    let mut out = format!("```\nsubworkflow {}\n```", sub_signature(a, sub));
    if s.blocking {
        out.push_str("\nmakes blocking calls: call it from a `call` step");
    }
    let callers = a.occurrences_of(Symbol::Sub(sub)).filter(|o| o.role == Role::Read).count();
    let _ = write!(out, "\n\ncalled {} time{}", callers, if callers == 1 { "" } else { "s" });
    out
}

/// The description of variable `var` of subworkflow `sub`: its type and where it is assigned.
pub fn var_doc(doc: &Doc, a: &Analysis, sub: usize, var: usize) -> String {
    let v = &a.subs[sub].vars[var];
    let what = if v.param { "parameter" } else { "variable" };
    let mut out = format!("```\n{what} {}: {}\n```", v.name, v.ty);
    let sites: Vec<String> = a
        .occurrences_of(Symbol::Var { sub, var })
        .filter(|o| matches!(o.role, Role::Write | Role::Declaration))
        .map(|o| {
            let line = doc.line_of(o.span.start);
            match a.step_at(sub, o.span.start) {
                Some(step) => format!("step `{}` (line {line})", a.subs[sub].steps[step].name),
                None => format!("line {line}"),
            }
        })
        .collect();
    if !sites.is_empty() {
        let verb = if v.param { "declared" } else { "assigned" };
        let _ = write!(out, "\n\n{verb} in {}", sites.join(", "));
    }
    if a.subs.len() > 1 || sub != 0 {
        let _ = write!(out, "\n\nin `{}`", a.subs[sub].name);
    }
    out
}

/// The description of a diagnostic code.
pub fn code_doc(info: &CodeInfo) -> String {
    format!("**{}** `{}`: {}\n\n{}", info.code, info.name, info.title, info.doc)
}
