//! Signature help: inside the parentheses of a call in `${...}` (positional arguments), and
//! in the `args` of a `call` step (named arguments).

use wf_check::facts::Analysis;
use wf_check::stdlib::{self, Function};
use wf_syntax::{Span, expr::parse_expression};

use super::Doc;
use super::context::{Slot, cursor_at};
use super::describe::{param_accepts, param_label, returns};
use super::exprs::{open_call, prefix_at};
use super::schema::{Container, place};

/// A signature with its parameters marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The whole signature: `text.split(source, separator) -> list<string>`.
    pub label: String,
    /// Each parameter: its byte range in `label` and a doc line.
    pub params: Vec<(Span, String)>,
    /// The function's doc line.
    pub doc: Option<String>,
    /// The parameter being written.
    pub active: Option<usize>,
}

/// The signature at `offset`.
pub fn signature_help(doc: &Doc, offset: u32) -> Option<Signature> {
    let offset = doc.valid(offset);
    if let Some(prefix) = prefix_at(&doc.file, doc.exprs(), offset) {
        let (callee, index) = open_call(&prefix)?;
        let (e, err) = parse_expression(&callee, &|s, e| Span::from(s..e));
        let name = e.dotted_name().filter(|_| err.is_none())?;
        let mut sig = lookup(doc.names(), &name)?;
        sig.active = Some(index);
        return Some(sig);
    }
    let cursor = cursor_at(doc.text(), offset as usize, doc.is_json())?;
    if place(&cursor.path).container != Container::Args {
        return None;
    }
    let target = cursor.outer.iter().find(|(k, _)| k == "call").map(|(_, v)| v.clone())?;
    let mut sig = lookup(doc.names(), &target)?;
    let typed = match &cursor.slot {
        Slot::Value(key) => key.clone(),
        Slot::Key => doc.file.slice(cursor.word).to_string(),
    };
    let names: Vec<String> = sig.params.iter().map(|(s, _)| sig.label[s.range()].to_string()).collect();
    let bare = |n: &str| n.trim_end_matches('?').split('=').next().unwrap_or("").to_string();
    sig.active = names
        .iter()
        .position(|n| bare(n) == typed)
        .or_else(|| names.iter().position(|n| !typed.is_empty() && bare(n).starts_with(&typed)));
    Some(sig)
}

/// The signature of a function or subworkflow called `name`.
fn lookup(names: Option<&Analysis>, name: &str) -> Option<Signature> {
    if !name.contains('.')
        && let Some(a) = names
        && let Some(s) = a.sub_named(name)
    {
        let sub = &a.subs[s];
        let labels: Vec<(String, String)> = sub
            .params
            .iter()
            .map(|p| {
                let label = if p.required { p.name.clone() } else { format!("{}?", p.name) };
                (label, if p.required { "required".to_string() } else { "optional".to_string() })
            })
            .collect();
        return Some(build(&sub.name, &labels, &sub.returns.to_string(), Some(format!("subworkflow `{}`", sub.name))));
    }
    let f: &Function = stdlib::function(name)?;
    let labels: Vec<(String, String)> = f.params.iter().map(|p| (param_label(p), param_accepts(p))).collect();
    Some(build(f.name, &labels, &returns(f), Some(f.doc.to_string())))
}

fn build(name: &str, params: &[(String, String)], result: &str, doc: Option<String>) -> Signature {
    let mut label = format!("{name}(");
    let mut spans = Vec::new();
    for (i, (p, d)) in params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        label.push_str(p);
        spans.push((Span::from(start..label.len()), d.clone()));
    }
    label.push_str(") -> ");
    label.push_str(result);
    Signature { label, params: spans, doc, active: None }
}
