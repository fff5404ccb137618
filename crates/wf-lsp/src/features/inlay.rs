//! Inlay hints: the inferred type of each variable at the end of the line that assigns it
//! (assignment targets, call results, loop variables), when the type says something.

use wf_check::facts::{Role, Symbol};
use wf_syntax::Span;

use super::Doc;

/// One hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Where it shows (the end of a line).
    pub offset: u32,
    /// What it says.
    pub label: String,
}

/// Longest type shown before it is cut.
const MAX_LABEL: usize = 60;

/// The hints of the lines that overlap `range`.
pub fn inlay_hints(doc: &Doc, range: Span) -> Vec<InlayHint> {
    let range = doc.valid_span(range);
    let Some(a) = doc.analysis() else { return Vec::new() };
    let mut out: Vec<InlayHint> = Vec::new();
    for o in a.occurrences() {
        let Symbol::Var { sub, var } = o.symbol else { continue };
        if o.role != Role::Write || o.span.end < range.start || o.span.start > range.end {
            continue;
        }
        let v = &a.subs[sub].vars[var];
        if v.ty.is_any() || v.ty.kinds.is_none() {
            continue;
        }
        let text = doc.text();
        let end = text[o.span.end as usize..].find(['\n', '\r']).map_or(text.len(), |i| o.span.end as usize + i);
        let mut label = format!("{}: {}", v.name, v.ty);
        if label.chars().count() > MAX_LABEL {
            label = label.chars().take(MAX_LABEL - 1).collect::<String>() + "…";
        }
        let offset = end as u32;
        if out.last().is_some_and(|h| h.offset == offset) {
            continue;
        }
        out.push(InlayHint { offset, label });
    }
    out
}
