//! Fixture tests for the checker: for every `WF2xx`/`WF3xx`/`WF4xx` code,
//! `tests/check/err/CODE-*.yaml` gives diagnostics of that code only (snapshotted with its
//! source) and the neighbour `tests/check/ok/CODE-*.yaml` gives none.

mod common;

use common::{assert_fixture_snapshot, fixtures, load, snapshot_text};
use wf_check::codes::{CHECK_CODES, TYPE_CODES};
use wf_cli::render::render_human;

/// The code a fixture is about, from its file name (`wf207-undefined-variable.yaml`).
fn code_of(path: &std::path::Path) -> String {
    path.file_name().unwrap().to_string_lossy()[..5].to_ascii_uppercase()
}

#[test]
fn err_fixtures_report_their_code_only() {
    for path in fixtures("check/err") {
        let file = load(&path);
        let diags = wf_check::check(&file).diagnostics;
        let code = code_of(&path);
        let human = render_human(&file, &diags, false);
        assert!(!diags.is_empty(), "{} reports nothing", path.display());
        assert!(diags.iter().all(|d| d.code == code), "{} should report {code} only:\n{human}", path.display());
        assert_eq!(diags.len(), 1, "{} should give exactly one diagnostic:\n{human}", path.display());
        assert_fixture_snapshot("check", &path, &snapshot_text(&file, &diags));
    }
}

#[test]
fn ok_neighbours_are_silent() {
    for path in fixtures("check/ok") {
        let file = load(&path);
        let diags = wf_check::check(&file).diagnostics;
        assert!(diags.is_empty(), "{} should be clean:\n{}", path.display(), render_human(&file, &diags, false));
    }
}

#[test]
fn every_code_has_an_err_fixture_and_an_ok_neighbour() {
    let err: Vec<String> =
        fixtures("check/err").iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let ok: Vec<String> =
        fixtures("check/ok").iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(err, ok, "every err fixture has an ok neighbour of the same name");
    for info in CHECK_CODES.iter().chain(TYPE_CODES) {
        let prefix = info.code.to_ascii_lowercase();
        assert!(err.iter().any(|f| f.starts_with(&prefix)), "{} ({}) has no fixture", info.code, info.name);
    }
}
