//! Properties of the property harness itself, over random scenarios and seeds: a shrunk case
//! still fails, as a plain scenario without generators, and its choices are never larger than
//! those of the case that failed first; the same file and seed give the same cases and the
//! same report, byte for byte.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use proptest::prelude::*;
use wf_syntax::SourceFile;
use wf_test::expect::check;
use wf_test::property::{is_property, run_property};
use wf_test::{Options, compile_workflow, report, run_one, scenario, simulate};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The lost-approval workflow (`examples/properties/approval_with_pauses`): rounds of
/// `round` seconds with `pause` seconds between them in which nobody listens.
fn workflow() -> (PathBuf, SourceFile) {
    let path = repo().join("examples/properties/approval_with_pauses.workflows.yaml");
    let text = std::fs::read_to_string(&path).expect("the workflow exists");
    let source = SourceFile::new(path.display().to_string(), text);
    (path, source)
}

/// A property scenario over that workflow, written to a file of this test process beside a
/// copy of the workflow. The scenario names the copy by a relative path, so its text (which
/// the cases are drawn from) is the same wherever the repository is checked out.
fn scenario_file(name: &str, round: u32, pause: u32, window: u32) -> (PathBuf, String) {
    let (workflow, source) = workflow();
    let dir = std::env::temp_dir().join(format!("wf-test-harness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let copy = workflow.file_name().expect("a file name");
    // Tests run at once: each writes its own file and renames it over the copy (atomic), so
    // that none reads a half-written one.
    let own = dir.join(format!("{name}.workflow-copy"));
    std::fs::write(&own, &source.text).expect("writable");
    std::fs::rename(&own, dir.join(copy)).expect("renamable");
    let text = format!(
        "name: {name}\nworkflow: {}\nargs: {{round: {round}, pause: {pause}}}\ncases: 30\ncallbacks:\n  - at: {{between: [0s, {window}s]}}\n    body: {{one_of: [{{approved: true}}, {{approved: false}}]}}\nexpect:\n  status: SUCCEEDED\n  result: approved\n",
        copy.to_string_lossy()
    );
    let file = dir.join(format!("{name}.scenario.yaml"));
    std::fs::write(&file, &text).expect("writable");
    (file, text)
}

#[test]
fn the_shrinking_property_sees_failures() {
    // Not vacuous: the lost-approval window makes this configuration fail (and shrink).
    let (_, source) = workflow();
    let program = Rc::new(compile_workflow(&source).expect("compiles"));
    let (file, text) = scenario_file("known-failure", 900, 300, 3_600);
    let run = run_property(&file, &text, 30, 0, &program, &source).expect("runs");
    let f = run.failed.expect("a case loses the approval");
    assert!(f.shrunk < f.drawn, "shrinking made the case smaller: {:?} < {:?}", f.shrunk, f.drawn);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_shrunk_case_still_fails_and_is_never_larger(
        seed in 0u64..1_000_000,
        round in 300u32..1_200,
        pause in 30u32..600,
        window in 60u32..7_200,
    ) {
        let (_, source) = workflow();
        let program = Rc::new(compile_workflow(&source).expect("compiles"));
        let (file, text) = scenario_file(&format!("shrink-{seed}"), round, pause, window);
        let run = run_property(&file, &text, 30, seed, &program, &source).expect("runs");
        if let Some(f) = &run.failed {
            prop_assert!(f.shrunk <= f.drawn, "shrunk {:?} > drawn {:?}", f.shrunk, f.drawn);
            prop_assert!(!is_property(&file, &f.concrete), "generators left:\n{}", f.concrete);
            let s = scenario::parse(&file, &f.concrete).expect("the concrete scenario loads");
            let trace = simulate(&s, Rc::clone(&program));
            prop_assert!(!check(&s, &trace, &source).is_empty(), "the shrunk case passes:\n{}", f.concrete);
        }
        // The same file and seed: the same cases, the same failure.
        let again = run_property(&file, &text, 30, seed, &program, &source).expect("runs");
        prop_assert_eq!(run, again);
    }

    #[test]
    fn the_same_file_and_seed_give_the_same_report_byte_for_byte(
        seed in 0u64..1_000_000,
        round in 300u32..1_200,
        pause in 30u32..600,
    ) {
        let (file, _) = scenario_file(&format!("report-{seed}"), round, pause, 3_600);
        let opts = Options { seed, ..Options::default() };
        let first = run_one(&file, &opts).expect("a scenario");
        let second = run_one(&file, &opts).expect("a scenario");
        prop_assert_eq!(report::human(&[first], 0), report::human(&[second], 0));
    }
}
