//! The corpus of real third-party workflows in `../shared/corpus` (outside this repository):
//! every file must check without an error (parsing and the full checker), and each
//! `.workflows.yaml` in workflows-samples must give the same program as its generated
//! `.workflows.json` twin. When the corpus folder is absent the tests say so and pass,
//! except on CI (`CI=true`), where they fail.

mod common;

use std::path::{Path, PathBuf};

use wf_cli::files::{Input, collect_inputs};
use wf_cli::render::render_human;
use wf_syntax::{Severity, SourceFile, parse_workflow};

/// The files the corpus README lists under "Known invalid files" (backticked paths): the
/// checker must report errors on each of them, and on no other file.
fn known_invalid(dir: &Path) -> Vec<String> {
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    let section = readme.split("## Known invalid files").nth(1).unwrap_or("");
    let section = section.split("\n## ").next().unwrap_or("");
    section
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = common::shared().join("corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        common::skip(&format!("{} does not exist; corpus tests did not run", dir.display()));
        None
    }
}

fn load(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFile::new(path.display().to_string(), text)
}

#[test]
fn every_corpus_workflow_checks_without_errors() {
    let Some(dir) = corpus_dir() else { return };
    let inputs: Vec<Input> = collect_inputs(std::slice::from_ref(&dir)).expect("corpus is readable");
    assert!(inputs.len() >= 260, "expected the whole corpus, found {} files", inputs.len());
    let mut checked = 0;
    let mut failures = String::new();
    let invalid = known_invalid(&dir);
    assert!(!invalid.is_empty(), "the corpus README lists its known invalid files");
    let mut invalid_reported = 0;
    let mut warnings: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for input in &inputs {
        let file = load(&input.path);
        let checked_file = wf_check::check(&file);
        if checked_file.parsed.is_not_a_workflow() {
            assert!(input.path.ends_with("schema/workflows.json"), "{} is not a workflow?", input.path.display());
            continue;
        }
        checked += 1;
        let mut errors = Vec::new();
        for d in checked_file.diagnostics {
            if d.severity == Severity::Warning {
                *warnings.entry(d.code).or_default() += 1;
            }
            if d.severity == Severity::Error {
                errors.push(d);
            }
        }
        if invalid.iter().any(|f| input.path.ends_with(f)) {
            assert!(!errors.is_empty(), "{} is listed as invalid, but checks clean", input.path.display());
            invalid_reported += 1;
        } else if !errors.is_empty() {
            failures.push_str(&render_human(&file, &errors, false));
        }
    }
    eprintln!("corpus warnings by code: {warnings:?}");
    assert!(failures.is_empty(), "errors on corpus files:\n{failures}");
    assert_eq!(invalid_reported, invalid.len(), "a file listed as invalid was not checked");
    assert_eq!(checked, 260);
}

/// Replaces every `start..end` span in a debug dump, so that two trees can be compared.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut chars = debug.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut token = String::from(c);
            while let Some(&n) = chars.peek() {
                if n.is_ascii_digit() || n == '.' {
                    token.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            let is_span = token.split_once("..").is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.chars().all(|c| c.is_ascii_digit())
                    && b.chars().all(|c| c.is_ascii_digit())
            });
            out.push_str(if is_span { "_" } else { &token });
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `Double(2.0)` as `Int(2)`: upstream's YAML-to-JSON tool prints whole doubles as
/// integers, so `2.0` in a YAML sample is `2` in its twin.
fn whole_doubles_as_ints(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Double(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "Double(".len()..];
        let close = after.find(')').unwrap_or(after.len());
        match after[..close].strip_suffix(".0") {
            Some(whole) if whole.chars().all(|c| c.is_ascii_digit() || c == '-') => {
                out.push_str(&format!("Int({whole})"))
            }
            _ => out.push_str(&format!("Double({})", &after[..close])),
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Samples whose JSON twin upstream is not a faithful copy of the YAML (checked with PyYAML:
/// `connector_run`'s JSON names its result variables differently and hard-codes a project).
const KNOWN_UPSTREAM_DIFFERENCES: &[&str] = &["connector_run.workflows.yaml"];

#[test]
fn yaml_and_json_twins_give_the_same_program() {
    let Some(dir) = corpus_dir() else { return };
    let src = dir.join("workflows-samples/src");
    let inputs = collect_inputs(&[src]).expect("workflows-samples is readable");
    let mut pairs = 0;
    for input in inputs.iter().filter(|i| i.path.to_string_lossy().ends_with(".workflows.yaml")) {
        let json_path = input.path.with_extension("").with_extension("workflows.json");
        let json_path = PathBuf::from(json_path.to_string_lossy().replace(".workflows.workflows", ".workflows"));
        if !json_path.exists() {
            continue;
        }
        let yaml = parse_workflow(&load(&input.path));
        let json = parse_workflow(&load(&json_path));
        let canonical = |w: &Option<wf_syntax::ast::Workflow>| whole_doubles_as_ints(&without_spans(&format!("{w:?}")));
        let (y, j) = (canonical(&yaml.workflow), canonical(&json.workflow));
        let known = KNOWN_UPSTREAM_DIFFERENCES.iter().any(|k| input.path.ends_with(k));
        if known {
            assert!(y != j, "{} now matches its twin: remove it from the known differences", input.path.display());
        } else {
            assert!(y == j, "{} and its JSON twin differ:\nyaml: {y}\njson: {j}", input.path.display());
        }
        pairs += 1;
    }
    assert_eq!(pairs, 94, "every sample has a JSON twin");
}

#[test]
fn without_the_corpus_the_tests_skip_but_fail_on_ci() {
    for test in ["every_corpus_workflow_checks_without_errors", "yaml_and_json_twins_give_the_same_program"] {
        common::assert_skips_but_not_on_ci(test, &[("WFKIT_SHARED", "/nonexistent-wfkit-shared")]);
    }
}
