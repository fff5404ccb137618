//! Helpers shared by the fixture tests, and for the tests that need what lives outside the
//! repository (the `../shared` corpus).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wf_cli::render::{render_human, to_json_diagnostic};
use wf_syntax::{Diagnostic, SourceFile};

/// The repository's root folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixture files of `tests/<area>` (`.yaml`, `.json` and Terraform `.tftpl`), sorted.
pub fn fixtures(area: &str) -> Vec<PathBuf> {
    let dir = repo().join("tests").join(area);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "json" || e == "tftpl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// Loads a fixture, named `folder/file` as it appears in reports.
pub fn load(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let folder = path.parent().and_then(Path::file_name).unwrap().to_string_lossy();
    SourceFile::new(format!("{folder}/{}", path.file_name().unwrap().to_string_lossy()), text)
}

/// The source with line numbers, tabs and line endings made visible.
pub fn numbered_source(file: &SourceFile) -> String {
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

/// Source, human report and JSON lines of `diags`, as one snapshot text.
pub fn snapshot_text(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let human = render_human(file, diags, false);
    let json: Vec<String> =
        diags.iter().map(|d| serde_json::to_string(&to_json_diagnostic(file, d)).expect("serialisable")).collect();
    format!("{}\n--- human ---\n{}\n--- json ---\n{}\n", numbered_source(file), human.trim_end(), json.join("\n"))
}

/// Asserts `text` against the insta snapshot `name` in `tests/<area>/snapshots`.
pub fn assert_fixture_snapshot(area: &str, path: &Path, text: &str) {
    let snapshots = repo().join("tests").join(area).join("snapshots");
    let name = path.file_name().unwrap().to_string_lossy().replace('.', "_");
    insta::with_settings!({
        snapshot_path => &snapshots,
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => path,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[path = "../../../../tests/support/skip.rs"]
mod skip;
#[allow(unused_imports)] // each test binary uses some of them
pub use skip::{assert_skips_but_not_on_ci, rerun, shared, skip};

/// Sends one HTTP/1.1 request (as curl would) to `url` on loopback; returns the status and
/// the body.
pub fn http(url: &str, method: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

/// Runs the `wf` binary from the repository's root.
pub fn wf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wf")).args(args).current_dir(repo()).output().expect("wf runs")
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes `contents` to `file` in a temporary folder of this test process (one per `test`).
pub fn scratch_file(test: &str, file: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wf-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join(file);
    std::fs::write(&path, contents).expect("writable");
    path
}
