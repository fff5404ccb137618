//! Fixture tests for the front end (parsing only; the checker has `tests/check`):
//! `tests/syntax/ok` must be silent, and every file in `tests/syntax/err` must give exactly
//! one diagnostic, snapshotted together with its source in both the human and the JSON
//! rendering. Every `WF1xx` code must have a fixture. Terraform templates (`*.tftpl`) are
//! rendered first, as `wf check` renders them, and parsed in every rendering.

mod common;

use std::collections::BTreeSet;

use common::{assert_fixture_snapshot, fixtures, load, snapshot_text};
use wf_cli::render::render_human;
use wf_syntax::codes::{self, SYNTAX_CODES};
use wf_syntax::terraform::{self, Vars};
use wf_syntax::{Diagnostic, MAX_SOURCE_BYTES, SourceFile, parse_workflow};

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
    // Codes whose input is too large to keep as a file have a generated test below instead.
    let generated = [codes::SOURCE_TOO_LARGE];
    let missing: Vec<&str> =
        SYNTAX_CODES.iter().map(|c| c.code).filter(|c| !seen.contains(c) && !generated.contains(c)).collect();
    assert!(missing.is_empty(), "syntax codes without an err fixture: {missing:?}");
}

/// The one diagnostic of a generated file, rendered (the source is too large to snapshot).
fn only_diagnostic(name: &str, text: String) -> String {
    let file = SourceFile::new(name, text);
    let diags = parse_workflow(&file).diagnostics;
    let human = render_human(&file, &diags, false);
    assert_eq!(diags.len(), 1, "{human}");
    human
}

#[test]
fn a_source_over_128_kb_is_one_error_at_the_line_that_passes_the_limit() {
    // 2,000 steps of 69 bytes each: 138,000 bytes, over the 131,072 that GCW deploys.
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!("- step_{i:05}:\n    call: sys.log\n    args: {{text: \"entry {i:05} ....\"}}\n"));
    }
    assert!(text.len() > MAX_SOURCE_BYTES);
    let line = text[..MAX_SOURCE_BYTES].matches('\n').count() + 1;
    let human = only_diagnostic("big.yaml", text);
    assert!(
        human.contains("[WF116] Error: the workflow is 138000 bytes; Workflows deploys at most 131072 (128 KB)"),
        "{human}"
    );
    assert!(human.contains(&format!("big.yaml:{line}:1")), "{human}");
    // At the limit exactly, nothing.
    let mut exact = String::from("- a:\n    return: 1\n");
    exact.push_str(&"#".repeat(MAX_SOURCE_BYTES - exact.len()));
    assert!(parse_workflow(&SourceFile::new("exact.yaml", exact)).diagnostics.is_empty());
}

#[test]
fn a_steps_list_over_100000_steps_is_one_error_at_the_first_extra_step() {
    let mut text = String::new();
    for i in 0..100_001 {
        text.push_str(&format!("- s{i}:\n    assign: [{{x: 1}}]\n"));
    }
    let human = only_diagnostic_ignoring_size("many.yaml", text);
    assert!(human.contains("[WF131] Error: a steps list holds at most 100000 steps, found 100001"), "{human}");
    assert!(human.contains("many.yaml:200001:3"), "{human}");
}

/// Like [`only_diagnostic`], leaving out the source-size error such a file also gets.
fn only_diagnostic_ignoring_size(name: &str, text: String) -> String {
    let file = SourceFile::new(name, text);
    let diags: Vec<_> =
        parse_workflow(&file).diagnostics.into_iter().filter(|d| d.code != codes::SOURCE_TOO_LARGE).collect();
    let human = render_human(&file, &diags, false);
    assert_eq!(diags.len(), 1, "{human}");
    human
}
