//! `wf-test --coverage` and `--coverage-lcov FILE` on the fixture in `tests/coverage` (a
//! workflow and three scenarios, one a property): the report and the LCOV file as
//! snapshots, the LCOV file rendered by lcov's `genhtml`, and the errors for bad output paths.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wf_test(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wf-test")).args(args).current_dir(common::repo()).output().expect("wf-test runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn snapshot(name: &str, text: &str) {
    let snapshots = common::repo().join("tests/coverage/snapshots");
    insta::with_settings!({snapshot_path => &snapshots, prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(name, text);
    });
}

/// A fresh temporary folder for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wf-coverage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// The LCOV file `wf-test` writes for the fixture.
fn lcov_of_fixture(dir: &Path) -> PathBuf {
    let file = dir.join("coverage.info");
    let o = wf_test(&["--coverage-lcov", file.to_str().unwrap(), "tests/coverage"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    file
}

#[test]
fn the_coverage_report_lists_what_ran_and_what_never_did() {
    let o = wf_test(&["--coverage", "tests/coverage"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    snapshot("coverage_report", &text(&o.stdout));
}

#[test]
fn the_lcov_file_has_functions_lines_and_branches() {
    let dir = temp("lcov");
    let lcov = std::fs::read_to_string(lcov_of_fixture(&dir)).expect("the LCOV file is written");
    snapshot("coverage_lcov", &lcov);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn with_json_the_report_goes_to_stderr_and_stdout_stays_json() {
    let o = wf_test(&["--coverage", "--format", "json", "tests/coverage"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["passed"], 3);
    assert!(text(&o.stderr).starts_with("coverage of tests/coverage/orders.workflows.yaml"), "{}", text(&o.stderr));
}

#[test]
fn an_unwritable_lcov_path_is_an_error_before_anything_runs() {
    let dir = temp("unwritable");
    for bad in [dir.join("no/such/folder/x.info"), dir.clone()] {
        let o = wf_test(&["--coverage-lcov", bad.to_str().unwrap(), "tests/coverage"]);
        assert_eq!(o.status.code(), Some(2), "{}", bad.display());
        let err = text(&o.stderr);
        assert!(err.starts_with(&format!("error: cannot write the LCOV file `{}`: ", bad.display())), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(o.stdout.is_empty(), "nothing ran: {}", text(&o.stdout));
    }
    let o = wf_test(&["tests/coverage", "--coverage-lcov"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("error: "), "{}", text(&o.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_scenarios_the_report_says_so() {
    let dir = temp("empty");
    let o = wf_test(&["--coverage", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).ends_with("coverage: no workflow ran\n"), "{}", text(&o.stdout));
    let _ = std::fs::remove_dir_all(dir);
}

/// `genhtml`: `WFKIT_GENHTML` when set, else the one on `PATH`, else the one
/// `scripts/install-test-deps.sh` unpacks into `target/test-tools` without root.
fn genhtml() -> Option<PathBuf> {
    let works = |p: &Path| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success());
    if let Some(given) = std::env::var_os("WFKIT_GENHTML") {
        let p = PathBuf::from(given);
        return works(&p).then_some(p);
    }
    let candidates = [PathBuf::from("genhtml"), common::repo().join("target/test-tools/bin/genhtml")];
    candidates.into_iter().find(|p| works(p))
}

/// The file named `name` somewhere under `dir`.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

#[test]
fn genhtml_renders_the_lcov_file() {
    let Some(genhtml) = genhtml() else {
        return common::skip("genhtml is not installed (scripts/install-test-deps.sh installs lcov)");
    };
    let dir = temp("genhtml");
    let lcov = lcov_of_fixture(&dir);
    let html = dir.join("html");
    let o = Command::new(&genhtml)
        .arg("--branch-coverage")
        .arg("--output-directory")
        .arg(&html)
        .arg(&lcov)
        .current_dir(common::repo())
        .output()
        .expect("genhtml runs");
    let report = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{report}");
    assert!(!report.to_lowercase().contains("warning"), "{report}");
    assert!(html.join("index.html").is_file(), "no index.html:\n{report}");
    // genhtml drops the common prefix of the paths, so look for the workflow's page.
    let page = find(&html, "orders.workflows.yaml.gcov.html").expect("a page for the workflow");
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.contains("price_of:"), "the page shows the workflow's source");
    assert!(report.contains("lines......: 84.6% (11 of 13 lines)"), "{report}");
    assert!(report.contains("functions..: 66.7% (2 of 3 functions)"), "{report}");
    assert!(report.contains("branches...: 75.0% (9 of 12 branches)"), "{report}");
    // And the many workflows of the examples and the passing scenarios (parallel steps,
    // loops, subworkflows, JSON), in one file.
    let all = dir.join("all.info");
    let o = wf_test(&["--coverage-lcov", all.to_str().unwrap(), "examples", "tests/scenarios/pass", "tests/coverage"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let html = dir.join("all");
    let o = Command::new(&genhtml)
        .args(["--branch-coverage", "--output-directory"])
        .arg(&html)
        .arg(&all)
        .current_dir(common::repo())
        .output()
        .expect("genhtml runs");
    let report = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(o.status.success() && !report.to_lowercase().contains("warning"), "{report}");
    assert!(html.join("index.html").is_file(), "no index.html:\n{report}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_genhtml_the_html_test_skips_but_fails_on_ci() {
    common::assert_skips_but_not_on_ci("genhtml_renders_the_lcov_file", &[("WFKIT_GENHTML", "/nonexistent-genhtml")]);
}
