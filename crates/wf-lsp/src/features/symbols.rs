//! Document symbols (the tree of subworkflows, steps and parallel branches) and the flat
//! list that workspace symbol search filters.

use wf_check::facts::{kind_name, unquoted};
use wf_syntax::Span;
use wf_syntax::ast::{Form, ParallelBody, Step, StepKind, Workflow};

use super::{Doc, ast};

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// `main` or a subworkflow.
    Subworkflow,
    /// A step, with its kind (`assign`, `call`, ...).
    Step(&'static str),
    /// A parallel branch.
    Branch,
}

/// A symbol and the symbols inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSymbol {
    /// Its name.
    pub name: String,
    /// A short description (the step kind, the parameters).
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole definition.
    pub span: Span,
    /// The name.
    pub selection: Span,
    /// What is inside.
    pub children: Vec<DocSymbol>,
}

/// The outline of a document.
pub fn document_symbols(doc: &Doc) -> Vec<DocSymbol> {
    doc.workflow().map(outline).unwrap_or_default()
}

/// The outline of a workflow.
pub fn outline(w: &Workflow) -> Vec<DocSymbol> {
    if w.form == Form::StepList {
        return w.subworkflows.first().map(|m| steps(&m.steps)).unwrap_or_default();
    }
    w.subworkflows
        .iter()
        .map(|sub| {
            let params: Vec<&str> = sub.params.iter().map(|p| p.name.text.as_str()).collect();
            DocSymbol {
                name: sub.name.text.clone(),
                detail: Some(format!("({})", params.join(", "))),
                kind: SymbolKind::Subworkflow,
                span: sub.span,
                selection: unquoted(sub.name.span, &sub.name.text),
                children: steps(&sub.steps),
            }
        })
        .collect()
}

fn steps(list: &[Step]) -> Vec<DocSymbol> {
    list.iter().map(step).collect()
}

fn step(s: &Step) -> DocSymbol {
    let kind = kind_name(&s.body.kind);
    let detail = match &s.body.kind {
        StepKind::Call(c) => format!("call {}", c.function.text),
        _ => kind.to_string(),
    };
    let children = match &s.body.kind {
        StepKind::Parallel(p) => match &p.body {
            ParallelBody::Branches(branches) => branches
                .iter()
                .map(|b| DocSymbol {
                    name: b.name.text.clone(),
                    detail: Some("branch".into()),
                    kind: SymbolKind::Branch,
                    span: b.span,
                    selection: unquoted(b.name.span, &b.name.text),
                    children: steps(&b.steps),
                })
                .collect(),
            ParallelBody::For(f) => steps(&f.steps),
            ParallelBody::Invalid => Vec::new(),
        },
        _ => ast::nested(s).into_iter().flat_map(steps).collect(),
    };
    DocSymbol {
        name: s.name.text.clone(),
        detail: Some(detail),
        kind: SymbolKind::Step(kind),
        span: s.span,
        selection: unquoted(s.name.span, &s.name.text),
        children,
    }
}

/// A symbol found by workspace search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSymbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The subworkflow it is in.
    pub container: Option<String>,
    /// Where its name is.
    pub span: Span,
}

/// The symbols of `w` whose names match `query` (its characters in order, any case).
pub fn search(w: &Workflow, query: &str) -> Vec<FoundSymbol> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    fn walk(s: &DocSymbol, container: Option<&str>, query: &str, out: &mut Vec<FoundSymbol>) {
        if fuzzy(&s.name.to_lowercase(), query) {
            out.push(FoundSymbol {
                name: s.name.clone(),
                kind: s.kind,
                container: container.map(str::to_string),
                span: s.selection,
            });
        }
        let inner = if s.kind == SymbolKind::Subworkflow { Some(s.name.as_str()) } else { container };
        for c in &s.children {
            walk(c, inner, query, out);
        }
    }
    let top = if w.form == Form::StepList { Some("main") } else { None };
    for s in outline(w) {
        walk(&s, top, &query, &mut out);
    }
    out
}

fn fuzzy(name: &str, query: &str) -> bool {
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}
