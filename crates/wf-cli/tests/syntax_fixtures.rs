//! Fixture tests for the front end (parsing only; the checker has `tests/check`):
//! `tests/syntax/ok` must be silent, and every file in `tests/syntax/err` must give exactly
//! one diagnostic, snapshotted together with its source in both the human and the JSON
//! rendering.

use std::path::{Path, PathBuf};

use wf_cli::render::{render_human, to_json_diagnostic};
use wf_syntax::{Diagnostic, SourceFile};

fn check_source(file: &SourceFile) -> Vec<Diagnostic> {
    wf_syntax::parse_workflow(file).diagnostics
}

fn fixtures(area: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/syntax").join(area);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn load(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let name = format!(
        "{}/{}",
        path.parent().and_then(Path::file_name).unwrap().to_string_lossy(),
        path.file_name().unwrap().to_string_lossy()
    );
    SourceFile::new(name, text)
}

/// The source with line numbers, tabs and line endings made visible.
fn numbered_source(file: &SourceFile) -> String {
    let mut out = String::new();
    if file.text.starts_with('\u{feff}') {
        out.push_str("(the file starts with a byte order mark)\n");
    }
    if file.text.contains("\r\n") {
        out.push_str("(the file has CRLF line endings)\n");
    }
    for (i, line) in file.text.trim_start_matches('\u{feff}').lines().enumerate() {
        out.push_str(&format!("{:>3} | {}\n", i + 1, line.replace('\t', "␉")));
    }
    out
}

#[test]
fn ok_fixtures_have_no_diagnostics() {
    for path in fixtures("ok") {
        let file = load(&path);
        let diags = check_source(&file);
        assert!(diags.is_empty(), "{} should be clean:\n{}", path.display(), render_human(&file, &diags, false));
    }
}

#[test]
fn err_fixtures_give_one_diagnostic_each() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/syntax/snapshots");
    for path in fixtures("err") {
        let file = load(&path);
        let diags = check_source(&file);
        let human = render_human(&file, &diags, false);
        assert_eq!(diags.len(), 1, "{} should give exactly one diagnostic:\n{human}", path.display());
        let json: Vec<String> =
            diags.iter().map(|d| serde_json::to_string(&to_json_diagnostic(&file, d)).expect("serialisable")).collect();
        let snapshot = format!(
            "{}\n--- human ---\n{}\n--- json ---\n{}\n",
            numbered_source(&file),
            human.trim_end(),
            json.join("\n")
        );
        let name = path.file_name().unwrap().to_string_lossy().replace('.', "_");
        insta::with_settings!({
            snapshot_path => &snapshots,
            prepend_module_to_snapshot => false,
            omit_expression => true,
            input_file => &path,
        }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}
