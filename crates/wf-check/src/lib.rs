//! wfkit's checker: names, control flow, variables and types of a parsed workflow, against
//! the standard-library table in [`stdlib`].
//!
//! [`check`] is the one entry point that the CLI, the language server and `wf-test` share:
//! it parses, checks, applies `# wf-ignore` comments and sorts the diagnostics.

mod calls;
mod cascade;
mod cfg;
pub mod codes;
pub mod facts;
mod fixpoint;
mod flow;
mod infer;
mod model;
mod program;
mod report;
pub mod resolution;
pub mod stdlib;
mod suppress;
pub mod ty;
mod varset;

use wf_syntax::ast::Workflow;
use wf_syntax::{Diagnostic, Parsed, SourceFile, parse_workflow};

pub use suppress::apply_comments;

/// A checked file: the parse result and every diagnostic (syntax and semantic).
#[derive(Debug)]
pub struct Checked {
    /// The parsed workflow.
    pub parsed: Parsed,
    /// All diagnostics, sorted by position, after `# wf-ignore` comments.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks one file.
pub fn check(source: &SourceFile) -> Checked {
    let parsed = parse_workflow(source);
    let mut diagnostics = parsed.diagnostics.clone();
    if let Some(workflow) = &parsed.workflow {
        diagnostics.extend(check_workflow(workflow));
    }
    finish(source, &mut diagnostics);
    Checked { parsed, diagnostics }
}

/// Parses and checks one file, and gives the editor facts of the same analysis (one model,
/// one type inference): what the language server needs after each change.
pub fn check_with_facts(source: &SourceFile) -> (Checked, Option<facts::Analysis>) {
    check_with_facts_staged(source, |_, _| {})
}

/// [`check_with_facts`], calling `on_checked` with the parse and the final diagnostics as
/// soon as they are known, before the editor facts are built: the language server publishes
/// the diagnostics first, so they do not wait for the facts.
pub fn check_with_facts_staged(
    source: &SourceFile,
    on_checked: impl FnOnce(&Parsed, &[Diagnostic]),
) -> (Checked, Option<facts::Analysis>) {
    let parsed = parse_workflow(source);
    let mut diagnostics = parsed.diagnostics.clone();
    let analysis = match &parsed.workflow {
        Some(workflow) => {
            let (model, diags) = model::Model::new(workflow);
            let types = model.infer_types();
            diagnostics.extend(diags);
            diagnostics.extend(report::report(&model, &types));
            finish(source, &mut diagnostics);
            on_checked(&parsed, &diagnostics);
            Some(facts::facts_of(&model, &types))
        }
        None => {
            finish(source, &mut diagnostics);
            on_checked(&parsed, &diagnostics);
            None
        }
    };
    (Checked { parsed, diagnostics }, analysis)
}

/// Folds the consequences of one mistake into its diagnostic ([`cascade`]), applies
/// `# wf-ignore` comments, sorts by position and drops duplicates.
fn finish(source: &SourceFile, diagnostics: &mut Vec<Diagnostic>) {
    cascade::merge(diagnostics);
    apply_comments(source, diagnostics);
    diagnostics.sort_by(|a, b| (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code)));
    diagnostics.dedup();
}

/// The semantic diagnostics of a parsed workflow (no syntax diagnostics).
pub fn check_workflow(workflow: &Workflow) -> Vec<Diagnostic> {
    let (model, mut diags) = model::Model::new(workflow);
    let types = model.infer_types();
    diags.extend(report::report(&model, &types));
    diags
}
