//! The IDE features as plain functions over our own types: a [`Doc`] (one checked file and
//! its lazily built analysis), byte offsets and [`Span`]s in, plain results out. Nothing here
//! knows about LSP positions or structs; `proto` converts.

pub mod actions;
pub mod ast;
pub mod completion;
pub mod context;
pub mod describe;
pub mod diagnostics;
pub mod exprs;
pub mod hover;
pub mod inlay;
pub mod navigation;
pub mod schema;
pub mod semantic;
pub mod signature;
pub mod symbols;

use std::cell::OnceCell;
use std::rc::Rc;

use wf_check::Checked;
use wf_check::facts::{Analysis, Occurrence, Role, Symbol};
use wf_syntax::ExprKind;
use wf_syntax::ast::Workflow;
use wf_syntax::{Parsed, SourceFile, Span, terraform};

use exprs::ExprIndex;

/// One open file: its text, what `wf_check::check` says about it (the diagnostics the CLI
/// prints) and the editor facts, each computed on first use.
#[derive(Debug)]
pub struct Doc {
    /// The file (named by its URI, so that `.json` files are read as JSON).
    pub file: SourceFile,
    /// The check and the analysis, from one model and one type inference.
    checked: OnceCell<(Checked, Option<Rc<Analysis>>)>,
    exprs: OnceCell<ExprIndex>,
    /// The analysis of an earlier version, for names while this one does not parse.
    fallback: Option<Rc<Analysis>>,
}

impl Doc {
    /// A document with this text (checked on first use).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Doc {
        let file = SourceFile::new(name, text);
        Doc { file, checked: OnceCell::new(), exprs: OnceCell::new(), fallback: None }
    }

    /// Parse tree and diagnostics: the same check the CLI makes, made together with the
    /// analysis (one model, one type inference).
    pub fn checked(&self) -> &Checked {
        &self.checked_and_facts().0
    }

    /// Checks the document unless it is checked already, calling `publish` with the
    /// diagnostics to show as soon as they are known: before the editor facts are built,
    /// which come from the same model and inference.
    pub fn check_publishing(&self, publish: impl FnOnce(&[wf_syntax::Diagnostic])) {
        if self.checked.get().is_some() || self.is_template() {
            return publish(diagnostics::diagnostics(self));
        }
        let (checked, analysis) = wf_check::check_with_facts_staged(&self.file, |parsed, diags| {
            publish(if parsed.is_not_a_workflow() { &[] } else { diags })
        });
        let _ = self.checked.set((checked, analysis.map(Rc::new)));
    }

    fn checked_and_facts(&self) -> &(Checked, Option<Rc<Analysis>>) {
        self.checked.get_or_init(|| {
            if self.is_template() {
                return (check_template(&self.file), None);
            }
            let (checked, analysis) = wf_check::check_with_facts(&self.file);
            (checked, analysis.map(Rc::new))
        })
    }

    /// Whether the file is a Terraform template (`*.tftpl`): checked in every rendering,
    /// with diagnostics at the template's positions, as `wf check` does. The other
    /// features stay off there (their facts would be about the rendered text).
    pub fn is_template(&self) -> bool {
        terraform::is_template_name(&self.file.name)
    }

    /// The next version of this document, with the names of this version kept for when the
    /// new text does not parse.
    pub fn next_version(&self, text: String) -> Doc {
        let mut doc = Doc::new(self.file.name.clone(), text);
        doc.fallback = self.checked.get().and_then(|(_, a)| a.clone()).or_else(|| self.fallback.clone());
        doc
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.file.text
    }

    /// The parsed workflow, if the file is one.
    pub fn workflow(&self) -> Option<&Workflow> {
        self.checked().parsed.workflow.as_ref()
    }

    /// Whether the file is JSON.
    pub fn is_json(&self) -> bool {
        self.file.is_json()
    }

    /// Whether editor features make sense here: a workflow, an empty file, a file that was a
    /// workflow a moment ago, or one that looks like a workflow while it does not parse.
    pub fn is_workflow(&self) -> bool {
        if self.is_template() {
            return false;
        }
        self.workflow().is_some()
            || self.fallback.is_some()
            || self.file.text.trim().is_empty()
            || (self.checked().parsed.workflow.is_none() && looks_like_workflow(&self.file.text))
    }

    /// The analysis of this version (`None` when it does not parse as a workflow).
    pub fn analysis(&self) -> Option<&Analysis> {
        self.checked_and_facts().1.as_deref()
    }

    /// The analysis of this version, or of the last version that parsed: for names, not spans.
    pub fn names(&self) -> Option<&Analysis> {
        self.analysis().or(self.fallback.as_deref())
    }

    /// Every `${...}` of the file, with partial trees.
    pub fn exprs(&self) -> &ExprIndex {
        self.exprs.get_or_init(|| ExprIndex::build(&self.file))
    }

    /// `offset` made valid: within the text and on a character boundary (features accept any
    /// offset; LSP positions always give valid ones).
    pub fn valid(&self, offset: u32) -> u32 {
        let text = self.text();
        let mut o = (offset as usize).min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        o as u32
    }

    /// `span` made valid, like [`Doc::valid`].
    pub fn valid_span(&self, span: Span) -> Span {
        Span::new(self.valid(span.start), self.valid(span.end))
    }

    /// The 1-based line of `offset`, for messages.
    pub fn line_of(&self, offset: u32) -> usize {
        self.file.lines().line_of(offset) + 1
    }
}

/// The check of a template: no tree (features stay off), the diagnostics of every
/// rendering at template spans; a file whose rendering is not a workflow stays one that
/// is not (editors open every template, the CLI reads only those it is given).
fn check_template(file: &SourceFile) -> Checked {
    let expansion = terraform::expand(file, &terraform::Vars::new());
    let diagnostics = terraform::merge(&expansion, |rendered| wf_check::check(rendered).diagnostics);
    let not_a_workflow = diagnostics.iter().filter(|d| d.code == wf_syntax::codes::NOT_A_WORKFLOW).cloned().collect();
    Checked { parsed: Parsed { workflow: None, diagnostics: not_a_workflow }, diagnostics }
}

/// Whether broken text looks like a workflow: a `main` at the top, or a list of steps.
fn looks_like_workflow(text: &str) -> bool {
    let mut lines =
        text.lines().map(|l| l.trim_end()).filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let first = lines.next().unwrap_or("");
    first.starts_with("main:")
        || (first.starts_with("- ") && first.ends_with(':'))
        || text.lines().any(|l| l.starts_with("main:") || l.trim_start().starts_with("\"main\""))
        || (first.starts_with('[') || first.starts_with('{')) && text.contains("\"steps\"")
}

/// Where to look for what the cursor is in: the last character before it that is not a
/// space (a cursor after `next: ` is still in that step, even past the end of its span).
pub fn anchor(text: &str, offset: u32) -> u32 {
    let bytes = text.as_bytes();
    let mut o = (offset as usize).min(bytes.len());
    while o > 0 && matches!(bytes[o - 1], b' ' | b'\t') {
        o -= 1;
    }
    if o > 0 && bytes[o - 1] != b'\n' {
        o -= 1;
    }
    o as u32
}

/// The step, variable or subworkflow named at `offset`: as the checker resolved it, or, in
/// an expression that does not parse, by its name in the subworkflow around it.
pub fn symbol_at(doc: &Doc, offset: u32) -> Option<(&Analysis, Occurrence)> {
    let a = doc.analysis()?;
    if let Some(o) = a.occurrence_at(offset) {
        return Some((a, *o));
    }
    let (_, e) = doc.exprs().innermost(offset)?;
    let (name, span) = match &e.kind {
        ExprKind::Var(name) => (name.clone(), e.span),
        // Where parsing gave up, the name under the cursor (not after a `.`).
        ExprKind::Error => {
            let span = ident_at(doc.text(), offset)?;
            if span.start == 0 || doc.text().as_bytes()[span.start as usize - 1] == b'.' {
                return None;
            }
            (doc.file.slice(span).to_string(), span)
        }
        _ => return None,
    };
    let sub = a.sub_at(offset)?;
    let symbol = match (a.var_named(sub, &name), a.sub_named(&name)) {
        (Some(var), _) => Symbol::Var { sub, var },
        (None, Some(s)) => Symbol::Sub(s),
        (None, None) => return None,
    };
    Some((a, Occurrence { span, symbol, role: Role::Read }))
}

/// A change to the text: replace `span` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub text: String,
}

impl TextEdit {
    /// Replaces `span` with `text`.
    pub fn new(span: Span, text: impl Into<String>) -> TextEdit {
        TextEdit { span, text: text.into() }
    }

    /// Inserts `text` at `offset`.
    pub fn insert(offset: u32, text: impl Into<String>) -> TextEdit {
        TextEdit { span: Span::empty(offset), text: text.into() }
    }
}

/// Applies non-overlapping edits to `text` (for tests and for the document store).
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in sorted {
        let (s, end) = (e.span.start as usize, e.span.end as usize);
        if s < at || end > text.len() {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether `span` contains `offset`, its end included (a cursor right after a word is on it).
pub fn touches(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

/// The identifier around `offset` in `text` (letters, digits, `_`).
pub fn ident_at(text: &str, offset: u32) -> Option<Span> {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut s = (offset as usize).min(bytes.len());
    while s > 0 && is_ident(bytes[s - 1]) {
        s -= 1;
    }
    let mut e = (offset as usize).min(bytes.len());
    while e < bytes.len() && is_ident(bytes[e]) {
        e += 1;
    }
    (s < e).then(|| Span::from(s..e))
}

/// Whether `name` is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order() {
        let edits = [TextEdit::new(Span::new(4, 5), "X"), TextEdit::insert(0, ">")];
        assert_eq!(apply_edits("abc def", &edits), ">abc Xef");
        assert_eq!(ident_at("a + bc_1.d", 5).map(|s| s.range()), Some(4..8));
        assert!(is_identifier("_a1") && !is_identifier("1a") && !is_identifier(""));
    }

    #[test]
    fn a_broken_version_keeps_the_names_of_the_last_good_one() {
        let doc = Doc::new("t.yaml", "- a:\n    assign:\n      - x: 1\n    next: end\n");
        assert!(doc.analysis().is_some());
        let broken = doc.next_version("- a:\n    assign:\n      - x: 1\n    nex\n".into());
        assert!(broken.analysis().is_none());
        assert_eq!(broken.names().map(|a| a.subs[0].vars[0].name.as_str()), Some("x"));
        assert!(broken.is_workflow());
    }
}
