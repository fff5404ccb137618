//! Hover: standard-library functions and values, modules, variables (inferred type and where
//! assigned), fields of known shapes, subworkflows, steps, step keys, operators, arguments of
//! `call` steps, and diagnostic codes (in `# wf-ignore` comments and under diagnostics).

use wf_check::facts::{Analysis, Symbol, unquoted};
use wf_check::stdlib;
use wf_syntax::{BinaryOp, ExprKind, Span, UnaryOp};

use super::context::key_at;
use super::describe::{code_doc, function_doc, module_doc, param_accepts, sub_doc, value_doc, var_doc};
use super::schema::{key_doc, place};
use super::{Doc, ast, touches};

/// What hover shows, and over what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// The word the text is about.
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

/// The hover at `offset`.
pub fn hover(doc: &Doc, offset: u32) -> Option<Hover> {
    let offset = doc.valid(offset);
    if !doc.is_workflow() {
        return None;
    }
    let found = code_in_comment(doc, offset)
        .or_else(|| in_expression(doc, offset))
        .or_else(|| occurrence(doc, offset))
        .or_else(|| call_target(doc, offset))
        .or_else(|| argument(doc, offset))
        .or_else(|| key(doc, offset));
    with_diagnostic_codes(doc, offset, found)
}

/// Adds the docs of the codes of the diagnostics under the cursor.
fn with_diagnostic_codes(doc: &Doc, offset: u32, found: Option<Hover>) -> Option<Hover> {
    let mut codes: Vec<&str> = Vec::new();
    let mut first = None;
    for d in &doc.checked().diagnostics {
        if touches(d.span, offset) && !codes.contains(&d.code) {
            codes.push(d.code);
            first.get_or_insert(d.span);
        }
    }
    let docs: Vec<String> = codes.iter().filter_map(|c| wf_check::codes::lookup(c)).map(code_doc).collect();
    if docs.is_empty() {
        return found;
    }
    let extra = docs.join("\n\n");
    Some(match found {
        Some(h) => Hover { span: h.span, markdown: format!("{}\n\n---\n\n{extra}", h.markdown) },
        None => Hover { span: first.unwrap_or(Span::empty(offset)), markdown: extra },
    })
}

/// A code named in a `# wf-ignore: CODE` comment.
fn code_in_comment(doc: &Doc, offset: u32) -> Option<Hover> {
    let text = doc.text();
    let o = offset as usize;
    let line_start = text[..o.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[o.min(text.len())..].find('\n').map_or(text.len(), |i| o + i);
    let line = &text[line_start..line_end];
    let hash = line.find('#')?;
    if !line[hash..].contains("wf-ignore") || o < line_start + hash {
        return None;
    }
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let (mut s, mut e) = (o, o);
    while s > line_start && is_word(bytes[s - 1]) {
        s -= 1;
    }
    while e < line_end && is_word(bytes[e]) {
        e += 1;
    }
    let info = wf_check::codes::lookup(&text[s..e])?;
    Some(Hover { span: Span::from(s..e), markdown: code_doc(info) })
}

fn in_expression(doc: &Doc, offset: u32) -> Option<Hover> {
    let (_, e) = doc.exprs().innermost(offset)?;
    let a = doc.analysis();
    let sub = a.and_then(|a| a.sub_at(offset)).unwrap_or(0);
    match &e.kind {
        ExprKind::Var(name) => {
            let markdown = match super::symbol_at(doc, offset).filter(|(_, o)| o.span == e.span) {
                Some((a, o)) => symbol_doc(doc, a, o.symbol),
                None => library_doc(name)?,
            };
            Some(Hover { span: e.span, markdown })
        }
        ExprKind::Member { object, name, name_span } => {
            let path = match a {
                Some(a) => a.library_path(sub, e),
                None => e.dotted_root().filter(|r| stdlib::is_module(r)).and_then(|_| e.dotted_name()),
            };
            if let Some(path) = path {
                return library_doc(&path).map(|markdown| Hover { span: *name_span, markdown });
            }
            let a = a?;
            let t = a.type_at(e.span).cloned().unwrap_or_else(|| a.type_of(sub, e));
            let of = a.type_at(object.span).cloned().unwrap_or_else(|| a.type_of(sub, object));
            let mut markdown = format!("```\nfield {name}: {t}\n```");
            if of.fields.is_some() {
                markdown.push_str(&format!("\n\nof `{of}`"));
            }
            Some(Hover { span: *name_span, markdown })
        }
        ExprKind::Call { callee, .. } => {
            let path = callee.dotted_name()?;
            let markdown = match a.and_then(|a| a.sub_named(&path).map(|s| (a, s))) {
                Some((a, s)) if !path.contains('.') => sub_doc(a, s),
                _ => library_doc(&path)?,
            };
            Some(Hover { span: callee.span, markdown })
        }
        ExprKind::Binary { op, op_span, .. } if touches(*op_span, offset) => {
            Some(Hover { span: *op_span, markdown: operator_doc(op.as_str(), Some(*op))? })
        }
        ExprKind::Unary { op, .. } if offset <= e.span.start + op.as_str().len() as u32 => {
            let span = Span::new(e.span.start, e.span.start + op.as_str().len() as u32);
            let word = if *op == UnaryOp::Not { "not" } else { "-" };
            Some(Hover { span, markdown: operator_doc(word, None)? })
        }
        _ => None,
    }
}

/// The doc of a standard-library name: function, value or module.
fn library_doc(path: &str) -> Option<String> {
    if let Some(f) = stdlib::function(path) {
        return Some(function_doc(f));
    }
    if let Some(v) = stdlib::value(path) {
        return Some(value_doc(v));
    }
    if stdlib::is_module(path) {
        return Some(module_doc(path));
    }
    stdlib::is_connector(path).then(|| format!("```\nconnector {path}\n```\nan API connector: a blocking call"))
}

fn symbol_doc(doc: &Doc, a: &Analysis, symbol: Symbol) -> String {
    match symbol {
        Symbol::Var { sub, var } => var_doc(doc, a, sub, var),
        Symbol::Sub(s) => sub_doc(a, s),
        Symbol::Step { sub, step } => {
            let s = &a.subs[sub].steps[step];
            let mut out = format!("```\nstep {}: {}", s.name, s.kind);
            if let Some(target) = &s.call {
                out.push(' ');
                out.push_str(target);
            }
            out.push_str("\n```");
            let from: Vec<String> = a
                .occurrences_of(symbol)
                .filter(|o| o.role == wf_check::facts::Role::Read)
                .map(|o| format!("line {}", doc.line_of(o.span.start)))
                .collect();
            if !from.is_empty() {
                out.push_str(&format!("\n\n`next` from {}", from.join(", ")));
            }
            if a.subs.len() > 1 {
                out.push_str(&format!("\n\nin `{}`", a.subs[sub].name));
            }
            out
        }
    }
}

fn occurrence(doc: &Doc, offset: u32) -> Option<Hover> {
    let a = doc.analysis()?;
    let o = a.occurrence_at(offset)?;
    Some(Hover { span: o.span, markdown: symbol_doc(doc, a, o.symbol) })
}

/// The function named by a `call` step.
fn call_target(doc: &Doc, offset: u32) -> Option<Hover> {
    let w = doc.workflow()?;
    ast::all_calls(w).into_iter().find_map(|(_, _, c)| {
        let span = unquoted(c.function.span, &c.function.text);
        if !touches(span, offset) {
            return None;
        }
        library_doc(&c.function.text).map(|markdown| Hover { span, markdown })
    })
}

/// A named argument of a `call` step to a standard-library function.
fn argument(doc: &Doc, offset: u32) -> Option<Hover> {
    let w = doc.workflow()?;
    ast::all_calls(w).into_iter().find_map(|(_, _, c)| {
        let arg = c.args.iter().find(|a| touches(unquoted(a.name.span, &a.name.text), offset))?;
        let f = stdlib::function(&c.function.text)?;
        let p = f.param(&arg.name.text)?;
        let markdown = format!("```\nargument {} of {}: {}\n```", p.name, f.name, param_accepts(p));
        Some(Hover { span: unquoted(arg.name.span, &arg.name.text), markdown })
    })
}

/// A key of the workflow syntax: step kinds, `next`, `for` keys, ...
fn key(doc: &Doc, offset: u32) -> Option<Hover> {
    let (path, key, span) = key_at(doc.text(), offset as usize, doc.is_json())?;
    let p = place(&path);
    let d = key_doc(p.container, &key)?;
    let what = if super::schema::KIND_KEYS.contains(&d.key) && super::schema::keys(p.container).len() > 10 {
        "step kind"
    } else {
        "key"
    };
    Some(Hover { span, markdown: format!("```\n{what} {}\n```\n{}", d.key, d.doc) })
}

/// What an operator does, for the ones with a surprise.
fn operator_doc(word: &str, op: Option<BinaryOp>) -> Option<String> {
    let text = match (word, op) {
        (_, Some(BinaryOp::Add)) => {
            "adds numbers; with a string on either side, joins text (numbers and booleans are turned into text)"
        }
        (_, Some(BinaryOp::Div)) => "divides; always gives a double (`4 / 2` is `2.0`), use `//` for integers",
        (_, Some(BinaryOp::FloorDiv)) => "floor division: `7 // 2` is `3`",
        (_, Some(BinaryOp::Rem)) => "remainder of the division",
        (_, Some(BinaryOp::In)) => "membership: a value in a list, a key in a map",
        (_, Some(BinaryOp::And | BinaryOp::Or)) => "logical operator: both sides must be booleans (null is not false)",
        (_, Some(BinaryOp::Eq | BinaryOp::Ne)) => "deep equality; values of different types are simply not equal",
        (_, Some(_)) => "compares two numbers or two strings",
        ("not", None) => "logical not: binds tighter than comparisons (`not a == b` is `(not a) == b`)",
        _ => return None,
    };
    Some(format!("```\n{word}\n```\n{text}"))
}
