//! Code actions for the diagnostics in a range: apply a "did you mean" suggestion, add a
//! required argument that a `call` step leaves out, create a subworkflow that is called but
//! not defined.

use wf_check::codes;
use wf_check::stdlib;
use wf_check::ty::Kinds;
use wf_syntax::ast::{Call, Form, StepBody};
use wf_syntax::suggest::edit_distance;
use wf_syntax::{Diagnostic, ExprKind, Span};

use super::{Doc, TextEdit, ast, diagnostics::diagnostics, exprs::visit, is_identifier};

/// A fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// What it does.
    pub title: String,
    /// The edits.
    pub edits: Vec<TextEdit>,
    /// The diagnostic it fixes (index into the document's diagnostics).
    pub diagnostic: Option<usize>,
    /// Whether it is the obvious fix.
    pub preferred: bool,
}

/// The fixes for the diagnostics that overlap `range`.
pub fn code_actions(doc: &Doc, range: Span) -> Vec<Action> {
    let range = doc.valid_span(range);
    let mut out = Vec::new();
    for (i, d) in diagnostics(doc).iter().enumerate() {
        if d.span.end < range.start || d.span.start > range.end {
            continue;
        }
        if let Some(a) = did_you_mean(doc, d) {
            out.push(Action { diagnostic: Some(i), ..a });
        }
        if matches!(d.code, codes::MISSING_PARAMETER | codes::MISSING_ARGUMENT)
            && let Some(a) = add_argument(doc, d)
        {
            out.push(Action { diagnostic: Some(i), ..a });
        }
        if matches!(d.code, codes::UNKNOWN_CALL | codes::UNKNOWN_FUNCTION)
            && let Some(a) = create_subworkflow(doc, d)
        {
            out.push(Action { diagnostic: Some(i), ..a });
        }
    }
    out
}

/// The word in a `did you mean `X`?` help.
fn suggestion(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?")
}

fn did_you_mean(doc: &Doc, d: &Diagnostic) -> Option<Action> {
    let wanted = suggestion(d.help.as_deref()?)?;
    let written = doc.file.slice(d.span);
    let mut span = d.span;
    // Keep the quotes of a quoted name or literal.
    for q in ['"', '\''] {
        if written.len() >= 2 && written.starts_with(q) && written.ends_with(q) && !wanted.starts_with(q) {
            span = Span::new(d.span.start + 1, d.span.end - 1);
        }
    }
    // `http.default_retyr` reported on its last part: replace that part only.
    let before = &doc.text()[..span.start as usize];
    let parts: Vec<&str> = wanted.split('.').collect();
    let mut replacement = wanted.to_string();
    for i in (1..parts.len()).rev() {
        if before.ends_with(&format!("{}.", parts[..i].join("."))) {
            replacement = parts[i..].join(".");
            break;
        }
    }
    let written = doc.file.slice(span);
    if written == replacement {
        return None;
    }
    // A far-fetched suggestion is offered, but not as the obvious fix.
    let preferred = edit_distance(written, &replacement) <= 2.max(written.chars().count() / 4);
    Some(Action {
        title: format!("replace with `{replacement}`"),
        edits: vec![TextEdit::new(span, replacement)],
        diagnostic: None,
        preferred,
    })
}

/// A value to start an argument of these kinds with.
pub fn placeholder(kinds: Kinds) -> &'static str {
    if kinds.intersects(Kinds::STRING) {
        "\"\""
    } else if kinds.intersects(Kinds::NUMBER) {
        "0"
    } else if kinds.intersects(Kinds::MAP) {
        "{}"
    } else if kinds.intersects(Kinds::LIST) {
        "[]"
    } else if kinds == Kinds::BOOL {
        "false"
    } else {
        "null"
    }
}

/// The call step that a missing-argument diagnostic is about.
fn call_of<'d>(doc: &'d Doc, d: &Diagnostic) -> Option<(&'d StepBody, &'d Call)> {
    ast::all_calls(doc.workflow()?)
        .into_iter()
        .find(|(_, _, c)| c.function.span == d.span || c.args_span == Some(d.span))
        .map(|(_, body, c)| (body, c))
}

fn add_argument(doc: &Doc, d: &Diagnostic) -> Option<Action> {
    let (body, call) = call_of(doc, d)?;
    let target = call.function.text.as_str();
    let required: Vec<(String, &str)> = match stdlib::function(target) {
        Some(f) => f.params.iter().filter(|p| p.required).map(|p| (p.name.to_string(), placeholder(p.kinds))).collect(),
        None => {
            let a = doc.analysis()?;
            let s = a.sub_named(target)?;
            a.subs[s].params.iter().filter(|p| p.required).map(|p| (p.name.clone(), "null")).collect()
        }
    };
    let missing: Vec<&(String, &str)> =
        required.iter().filter(|(p, _)| !call.args.iter().any(|a| a.name.text == *p)).collect();
    let (name, value) = missing
        .iter()
        .find(|(p, _)| d.message.contains(&format!("`{p}`")))
        .or(missing.first())
        .map(|(p, v)| (p.clone(), *v))?;
    let json = doc.is_json();
    let key = if json { format!("\"{name}\"") } else { name.clone() };
    let text = doc.text();
    let edit = match (call.args.last(), call.args_span) {
        (Some(_), Some(args)) if text[args.range()].starts_with('{') => {
            TextEdit::insert(args.end - 1, format!(", {key}: {value}"))
        }
        (Some(last), Some(_)) => {
            let at = line_end(text, last.value.span.end);
            let indent = column(text, last.name.span.start);
            TextEdit::insert(at, format!("\n{}{key}: {value}", " ".repeat(indent)))
        }
        (None, Some(args)) if doc.file.slice(args).trim() == "{}" => TextEdit::new(args, format!("{{{key}: {value}}}")),
        (None, Some(_)) => return None,
        (None, None) if text[body.span.range()].starts_with('{') => {
            let args_key = if json { "\"args\"" } else { "args" };
            TextEdit::insert(call.function.span.end, format!(", {args_key}: {{{key}: {value}}}"))
        }
        (None, None) => {
            let indent = " ".repeat(column(text, body.kind_span.start));
            let at = line_end(text, call.function.span.end);
            TextEdit::insert(at, format!("\n{indent}args:\n{indent}  {key}: {value}"))
        }
        (Some(_), None) => return None,
    };
    Some(Action { title: format!("add the argument `{name}`"), edits: vec![edit], diagnostic: None, preferred: false })
}

/// The end of the line holding `offset` (before its line break).
fn line_end(text: &str, offset: u32) -> u32 {
    let o = offset as usize;
    text[o.min(text.len())..].find(['\n', '\r']).map_or(text.len(), |i| o + i) as u32
}

/// The column (in bytes) of `offset` on its line.
fn column(text: &str, offset: u32) -> usize {
    let o = (offset as usize).min(text.len());
    o - text[..o].rfind('\n').map_or(0, |i| i + 1)
}

fn create_subworkflow(doc: &Doc, d: &Diagnostic) -> Option<Action> {
    let w = doc.workflow()?;
    if w.form != Form::Map {
        return None;
    }
    let (name, params) = if d.code == codes::UNKNOWN_CALL {
        let (_, call) = call_of(doc, d)?;
        (call.function.text.clone(), call.args.iter().map(|a| a.name.text.clone()).collect::<Vec<_>>())
    } else {
        let entry = doc.exprs().at(d.span.start)?;
        let mut found = None;
        visit(&entry.expr, &mut |e| {
            if let ExprKind::Call { callee, args } = &e.kind
                && callee.span == d.span
                && let ExprKind::Var(name) = &callee.kind
            {
                found = Some((name.clone(), (1..=args.len()).map(|i| format!("arg{i}")).collect()));
            }
        });
        found?
    };
    if !is_identifier(&name) || w.subworkflows.iter().any(|s| s.name.text == name) {
        return None;
    }
    let text = doc.text();
    let edit = if doc.is_json() {
        let close = text.rfind('}')?;
        let after_last = text[..close].trim_end().len() as u32;
        let params = params.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
        let params = if params.is_empty() { String::new() } else { format!("\"params\": [{params}], ") };
        TextEdit::insert(
            after_last,
            format!(",\n  \"{name}\": {{{params}\"steps\": [{{\"start\": {{\"return\": null}}}}]}}"),
        )
    } else {
        let unit = " ".repeat(indent_unit(doc));
        let mut block = if text.ends_with('\n') || text.is_empty() { String::new() } else { "\n".to_string() };
        block.push_str(&format!("{name}:\n"));
        if !params.is_empty() {
            block.push_str(&format!("{unit}params: [{}]\n", params.join(", ")));
        }
        block.push_str(&format!("{unit}steps:\n{unit}{unit}- start:\n{unit}{unit}{unit}{unit}return: null\n"));
        TextEdit::insert(text.len() as u32, block)
    };
    Some(Action {
        title: format!("create the subworkflow `{name}`"),
        edits: vec![edit],
        diagnostic: None,
        preferred: false,
    })
}

/// The indentation step of the file: how far the first line inside `main` is indented.
fn indent_unit(doc: &Doc) -> usize {
    let text = doc.text();
    let main = doc.workflow().and_then(|w| w.subworkflows.first());
    let after = main.map_or(0, |m| line_end(text, m.name.span.end) as usize);
    text[after..]
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .filter(|&n| n > 0)
        .unwrap_or(2)
}
