//! wfkit's front end for Google Cloud Workflows definitions: source files and spans, the
//! span-keeping YAML/JSON loader, the `${...}` expression parser, and the workflow AST with
//! its structure diagnostics.
//!
//! Parsing never fails and never panics: [`parse_workflow`] always returns what it could
//! build together with every diagnostic it found.

pub mod ast;
pub mod codes;
mod diagnostic;
pub mod expr;
pub mod files;
pub mod generate;
pub mod github;
mod lower;
mod source;
mod span;
pub mod suggest;
pub mod terraform;
pub mod yaml;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use expr::{BinaryOp, Expr, ExprKind, UnaryOp};
pub use source::{LineCol, LineIndex, SourceFile};
pub use span::Span;

/// The result of parsing one file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The workflow, unless the file could not be read as YAML/JSON or is not a workflow.
    pub workflow: Option<ast::Workflow>,
    /// Everything found, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether the file is not a workflow at all (as opposed to a broken one).
    pub fn is_not_a_workflow(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code == codes::NOT_A_WORKFLOW)
    }
}

/// The largest workflow source GCW deploys, in bytes (128 KB).
pub const MAX_SOURCE_BYTES: usize = 128 * 1024;

/// An error at the line where a source passes [`MAX_SOURCE_BYTES`]; the rest is still checked.
fn source_too_large(source: &SourceFile) -> Option<Diagnostic> {
    let text = &source.text;
    if text.len() <= MAX_SOURCE_BYTES {
        return None;
    }
    let line_start = text[..MAX_SOURCE_BYTES].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let span = Span::new(line_start as u32, line_end as u32);
    Some(
        Diagnostic::error(
            codes::SOURCE_TOO_LARGE,
            span,
            format!("the workflow is {} bytes; Workflows deploys at most {MAX_SOURCE_BYTES} (128 KB)", text.len()),
        )
        .with_label("the limit is passed on this line")
        .with_help("move steps into a second workflow and start it with `googleapis.workflowexecutions.v1.projects.locations.workflows.executions.run`"),
    )
}

/// Parses a workflow file: YAML/JSON loading, `${...}` expressions and structure checks.
pub fn parse_workflow(source: &SourceFile) -> Parsed {
    let (root, mut diagnostics) = yaml::load(source);
    let workflow = if diagnostics.iter().any(Diagnostic::is_error) && root.is_none() {
        None
    } else {
        let (workflow, lowered) = lower::lower(source, root.as_ref());
        diagnostics.extend(lowered);
        if workflow.is_some() {
            diagnostics.extend(source_too_large(source));
        }
        workflow
    };
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Parsed { workflow, diagnostics }
}
