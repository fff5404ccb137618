//! Fixture tests for the front end (parsing only; the checker has `tests/check`):
//! `tests/syntax/ok` must be silent, and every file in `tests/syntax/err` must give exactly
//! one diagnostic, snapshotted together with its source in both the human and the JSON
//! rendering. Every `WF1xx` code must have a fixture. Terraform templates (`*.tftpl`) are
//! rendered first, as `wf check` renders them, and parsed in every rendering.

mod common;

use std::collections::BTreeSet;

use common::{assert_fixture_snapshot, fixtures, load, snapshot_text};
use wf_cli::render::render_human;
use wf_syntax::codes::SYNTAX_CODES;
use wf_syntax::terraform::{self, Vars};
use wf_syntax::{Diagnostic, SourceFile, parse_workflow};

/// The parse diagnostics of a fixture (of every rendering, for a template).
fn parse_diagnostics(file: &SourceFile) -> Vec<Diagnostic> {
    if terraform::is_template_name(&file.name) {
        terraform::merge(&terraform::expand(file, &Vars::new()), |rendered| parse_workflow(rendered).diagnostics)
    } else {
        parse_workflow(file).diagnostics
    }
}

#[test]
fn ok_fixtures_have_no_diagnostics() {
    for path in fixtures("syntax/ok") {
        let file = load(&path);
        let diags = parse_diagnostics(&file);
        assert!(diags.is_empty(), "{} should be clean:\n{}", path.display(), render_human(&file, &diags, false));
    }
}

#[test]
fn err_fixtures_give_one_diagnostic_each() {
    let mut seen = BTreeSet::new();
    for path in fixtures("syntax/err") {
        let file = load(&path);
        let diags = parse_diagnostics(&file);
        assert_eq!(
            diags.len(),
            1,
            "{} should give exactly one diagnostic:\n{}",
            path.display(),
            render_human(&file, &diags, false)
        );
        seen.insert(diags[0].code);
        assert_fixture_snapshot("syntax", &path, &snapshot_text(&file, &diags));
    }
    let missing: Vec<&str> = SYNTAX_CODES.iter().map(|c| c.code).filter(|c| !seen.contains(c)).collect();
    assert!(missing.is_empty(), "syntax codes without an err fixture: {missing:?}");
}
