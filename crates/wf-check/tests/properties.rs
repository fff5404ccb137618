//! Property tests: parsing and checking never panic on arbitrary text, YAML-like text or
//! mutated real workflows, and every diagnostic span is a valid range of its file.

mod common;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use wf_syntax::SourceFile;

/// Parses `text` under `name` and checks the invariants that must hold for any input.
fn check_invariants(name: &str, text: &str) {
    let file = SourceFile::new(name, text);
    let checked = wf_check::check(&file);
    for d in &checked.diagnostics {
        let spans = std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span));
        for span in spans {
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "{span:?} out of bounds in {text:?}: {d:?}"
            );
            assert!(
                text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
                "{span:?} splits a character in {text:?}: {d:?}"
            );
        }
        assert!(!d.message.is_empty());
    }
}

fn seed_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs: Vec<PathBuf> =
        ["syntax/ok", "syntax/err", "check/ok", "check/err"].iter().map(|d| root.join("tests").join(d)).collect();
    dirs.push(root.join("examples"));
    let corpus = common::shared().join("corpus");
    if corpus.is_dir() {
        dirs.push(corpus.join("workflows-samples/src"));
        dirs.push(corpus.join("GoogleCloudPlatform-workflows-demos/syntax-cheat-sheet"));
        dirs.push(corpus.join("GoogleCloudPlatform-workflows-demos/callback-event"));
    } else {
        common::skip(&format!("{} is absent; mutating the repository's fixtures only", corpus.display()));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("seed dir").flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries.into_iter().filter(|p| p.is_file()) {
            if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path.file_name().unwrap().to_string_lossy().into_owned(), text));
            }
        }
    }
    files
}

/// Text built from the characters that matter to YAML, JSON and expressions.
fn yamlish() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r#"([ \n\t:\-\[\]{},"'$#&*!|>a-z0-9.+()=<é]|\$\{|main|steps|assign|next|call|args|- |: ){0,120}"#,
    )
    .expect("valid regex")
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), yamlish()).prop_map(|(a, s)| Mutation::Insert(a, s)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    match m {
        Mutation::Delete(at, n) => {
            let a = floor_boundary(text, at % (text.len() + 1));
            let b = floor_boundary(text, a + n);
            format!("{}{}", &text[..a], &text[b..])
        }
        Mutation::Insert(at, s) => {
            let a = floor_boundary(text, at % (text.len() + 1));
            format!("{}{s}{}", &text[..a], &text[a..])
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let i = i % lines.len();
            lines.insert(i, lines[i]);
            lines.concat()
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            lines.concat()
        }
        _ => text.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_invariants("any.yaml", &text);
        check_invariants("any.json", &text);
    }

    #[test]
    fn yaml_like_text_never_panics(text in yamlish()) {
        check_invariants("yamlish.yaml", &text);
        check_invariants("yamlish.json", &text);
    }

    #[test]
    fn any_expression_in_a_workflow_never_panics(text in "[ -~]{0,60}") {
        check_invariants("expr.yaml", &format!("- s:\n    return: '${{{}}}'\n", text.replace('\'', "''")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_workflows_never_panic(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..4)) {
        thread_local!(static SEEDS: Vec<(String, String)> = seed_files());
        SEEDS.with(|seeds| {
            let (name, text) = &seeds[index % seeds.len()];
            let mutated = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
            check_invariants(name, &mutated);
        });
    }
}

#[test]
fn the_mutations_start_from_the_corpus_too() {
    let seeds = seed_files();
    if common::shared().join("corpus").is_dir() {
        let corpus_seeds = seeds.iter().filter(|(name, _)| name.ends_with(".workflows.yaml")).count();
        assert!(corpus_seeds > 50, "only {corpus_seeds} corpus workflows among the seeds");
    }
}

#[test]
fn without_the_corpus_the_seeds_skip_it_but_fail_on_ci() {
    common::assert_skips_but_not_on_ci(
        "the_mutations_start_from_the_corpus_too",
        &[("WFKIT_SHARED", "/nonexistent-wfkit-shared")],
    );
}
