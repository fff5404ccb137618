//! Fixture tests for the front end (parsing only; the checker has `tests/check`):
//! `tests/syntax/ok` must be silent, and every file in `tests/syntax/err` must give exactly
//! one diagnostic, snapshotted together with its source in both the human and the JSON
//! rendering. Every `WF1xx` code must have a fixture.

mod common;

use std::collections::BTreeSet;

use common::{assert_fixture_snapshot, fixtures, load, snapshot_text};
use wf_cli::render::render_human;
use wf_syntax::codes::SYNTAX_CODES;
use wf_syntax::parse_workflow;

#[test]
fn ok_fixtures_have_no_diagnostics() {
    for path in fixtures("syntax/ok") {
        let file = load(&path);
        let diags = parse_workflow(&file).diagnostics;
        assert!(diags.is_empty(), "{} should be clean:\n{}", path.display(), render_human(&file, &diags, false));
    }
}

#[test]
fn err_fixtures_give_one_diagnostic_each() {
    let mut seen = BTreeSet::new();
    for path in fixtures("syntax/err") {
        let file = load(&path);
        let diags = parse_workflow(&file).diagnostics;
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
