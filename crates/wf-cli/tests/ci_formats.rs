//! The CI formats as a user runs them: `wf check --format github` (GitHub Actions workflow
//! commands), `wf check --format gitlab` (GitLab code quality) and `wf-test --format github`,
//! snapshotted in `tests/ci/snapshots`, and the escaping of odd file names and messages.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn run(bin: &str, args: &[&str], dir: &Path) -> Output {
    Command::new(bin).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("the binary runs")
}

fn wf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_wf"), args, &common::repo())
}

fn text(o: &Output) -> String {
    format!("exit status: {:?}\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout))
}

fn snapshot(name: &str, text: &str) {
    let snapshots = common::repo().join("tests/ci/snapshots");
    insta::with_settings!({snapshot_path => &snapshots, prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(name, text);
    });
}

/// A syntax error with a secondary label, a checker error with help, a warning, a Terraform
/// template and a clean file.
const FILES: [&str; 5] = [
    "tests/syntax/err/expr_unclosed_call.yaml",
    "tests/check/err/wf201-misspelt-step-name.yaml",
    "tests/check/err/wf401-unused-value.yaml",
    "tests/templates/malformed.yaml.tftpl",
    "examples/fizzbuzz.workflows.yaml",
];

#[test]
fn wf_check_github_prints_one_annotation_per_diagnostic_then_the_summary() {
    let args: Vec<&str> = ["check", "--format", "github"].into_iter().chain(FILES).collect();
    let o = wf(&args);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    for line in out.lines().filter(|l| l.starts_with("::")) {
        assert!(line.starts_with("::error file=") || line.starts_with("::warning file="), "{line}");
        assert!(line.contains(",line=") && line.contains(",col=") && line.contains(",title=WF"), "{line}");
    }
    assert!(out.lines().any(|l| l.starts_with("::warning ")), "the warning is a ::warning:\n{out}");
    assert!(out.ends_with("checked 5 files: 3 errors, 2 warnings\n"), "{out}");
    snapshot("wf_check_github", &text(&o));
}

#[test]
fn wf_check_github_escapes_file_names_and_messages() {
    let dir = std::env::temp_dir().join(format!("wf-ci-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A file name with `,`, `:` and `%`; a message with `%` (the unknown key), on lines
    // that a label, a note or help continue.
    std::fs::write(
        dir.join("a,b:100%.yaml"),
        "main:\n  steps:\n    - one:\n        assign:\n          - x: 1\n        nex%t: two\n    - two:\n        return: ${x}\n",
    )
    .unwrap();
    std::fs::write(dir.join("latin1.yaml"), b"main: \xff\n").unwrap();
    let o = run(env!("CARGO_BIN_EXE_wf"), &["check", "--format", "github", "a,b:100%.yaml", "latin1.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2), "an unreadable file: {}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("::error file=a%2Cb%3A100%25.yaml,line=6,"), "{out}");
    assert!(out.contains("`nex%25t`"), "{out}");
    assert!(out.contains("::error file=latin1.yaml,title=wf check::cannot read `latin1.yaml`: not UTF-8"), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read `latin1.yaml`"));
    for line in out.lines() {
        assert!(!line.contains('\r'), "{line:?}");
    }
    snapshot("wf_check_github_escaping", &text(&o));
}

#[test]
fn wf_check_gitlab_is_a_code_quality_report() {
    let args: Vec<&str> = ["check", "--format", "gitlab"].into_iter().chain(FILES).collect();
    let o = wf(&args);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let issues = v.as_array().expect("an array of issues");
    assert!(issues.len() >= 4, "{v:#}");
    let mut fingerprints = std::collections::HashSet::new();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(["major", "minor", "info"].contains(&issue["severity"].as_str().unwrap()), "{issue}");
        assert!(issue["location"]["path"].is_string() && issue["location"]["positions"]["begin"]["line"].is_u64());
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()), "unique: {issue}");
    }
    snapshot("wf_check_gitlab", &text(&o));
    // Moving the code keeps the fingerprints.
    let dir = std::env::temp_dir().join(format!("wf-ci-gitlab-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = std::fs::read_to_string(common::repo().join(FILES[1])).unwrap();
    std::fs::write(dir.join("a.yaml"), &source).unwrap();
    let before = run(env!("CARGO_BIN_EXE_wf"), &["check", "--format", "gitlab", "a.yaml"], &dir);
    std::fs::write(dir.join("a.yaml"), format!("# a comment\n\n{source}")).unwrap();
    let after = run(env!("CARGO_BIN_EXE_wf"), &["check", "--format", "gitlab", "a.yaml"], &dir);
    let prints = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap().to_string()).collect()
    };
    assert!(!prints(&before).is_empty());
    assert_eq!(prints(&before), prints(&after));
}

#[test]
fn wf_test_github_annotates_each_failed_scenario() {
    let o = run(
        env!("CARGO_BIN_EXE_wf-test"),
        &[
            "--format",
            "github",
            "--jobs",
            "1",
            "tests/scenarios/pass/logs_and_errors.scenario.yaml",
            "tests/scenarios/fail/wrong_result.scenario.yaml",
            "tests/scenarios/fail/property_finds_a_lost_approval.scenario.yaml",
            "tests/scenarios/fail/bad_yaml.scenario.yaml",
        ],
        &common::repo(),
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let annotations: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(annotations.len(), 3, "one per failed scenario:\n{out}");
    assert!(
        annotations[1].starts_with(
            "::error file=tests/scenarios/fail/property_finds_a_lost_approval.scenario.yaml,line=6,col=5,"
        ),
        "at the callback the failure names: {}",
        annotations[1]
    );
    assert!(annotations[2].contains("bad_yaml.scenario.yaml,line=5,col=1,"), "{}", annotations[2]);
    assert!(out.ends_with("1 passed, 3 failed\n"), "{out}");
    snapshot("wf_test_github", &text(&o));
}

#[test]
fn unknown_formats_name_the_new_ones() {
    let o = wf(&["check", "--format", "xml", "examples/"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected human, json, sarif, github or gitlab"));
    let help = wf(&["check", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("github (GitHub Actions annotations"));
    let o = run(env!("CARGO_BIN_EXE_wf-test"), &["--format", "xml"], &common::repo());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected human, json, junit or github"));
    let help = run(env!("CARGO_BIN_EXE_wf-test"), &["--help"], &common::repo());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--format human|json|junit|github"));
}
