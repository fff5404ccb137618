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
pub mod stdlib;
mod suppress;
pub mod ty;

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
    check_inner(source, false).0
}

/// Parses and checks one file, and gives the editor facts of the same analysis (one model,
/// one type inference): what the language server needs after each change.
pub fn check_with_facts(source: &SourceFile) -> (Checked, Option<facts::Analysis>) {
    check_inner(source, true)
}

fn check_inner(source: &SourceFile, with_facts: bool) -> (Checked, Option<facts::Analysis>) {
    let parsed = parse_workflow(source);
    let mut diagnostics = parsed.diagnostics.clone();
    let mut analysis = None;
    if let Some(workflow) = &parsed.workflow {
        let (model, diags) = model::Model::new(workflow);
        let types = model.infer_types();
        diagnostics.extend(diags);
        diagnostics.extend(report::report(&model, &types));
        cascade::merge(&mut diagnostics);
        if with_facts {
            analysis = Some(facts::facts_of(&model, &types));
        }
    }
    apply_comments(source, &mut diagnostics);
    diagnostics.sort_by(|a, b| (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code)));
    diagnostics.dedup();
    (Checked { parsed, diagnostics }, analysis)
}

/// The semantic diagnostics of a parsed workflow (no syntax diagnostics).
pub fn check_workflow(workflow: &Workflow) -> Vec<Diagnostic> {
    let (model, mut diags) = model::Model::new(workflow);
    let types = model.infer_types();
    diags.extend(report::report(&model, &types));
    diags
}
