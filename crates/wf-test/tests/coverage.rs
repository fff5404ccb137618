//! Coverage (`Options::coverage`) changes nothing a scenario shows, on every scenario of
//! `tests/scenarios`, `tests/coverage` and `examples/`; and it adds up every run of a workflow:
//! plain scenarios and each case of a property scenario.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wf_test::coverage::{Collector, PointKind};
use wf_test::{Options, discover, run_all};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn folders() -> Vec<PathBuf> {
    ["tests/scenarios", "tests/coverage", "examples"].iter().map(|f| root().join(f)).collect()
}

#[test]
fn results_are_the_same_with_and_without_coverage() {
    let files = discover(&folders()).expect("scenario folders");
    let plain = Options { jobs: 1, cases: Some(20), ..Options::default() };
    let collector = Arc::new(Collector::default());
    let covered = Options { coverage: Some(Arc::clone(&collector)), ..plain.clone() };
    let (without, skipped) = run_all(&files, &plain);
    let (with, skipped_too) = run_all(&files, &covered);
    assert_eq!(without, with);
    assert_eq!(skipped, skipped_too);
    assert!(collector.files().len() >= 8, "{:?}", collector.files().iter().map(|f| &f.file).collect::<Vec<_>>());
}

#[test]
fn every_run_of_a_workflow_adds_up_property_cases_included() {
    let files = discover(&[root().join("tests/coverage")]).expect("the coverage fixture");
    let collector = Arc::new(Collector::default());
    let opts = Options { jobs: 2, cases: Some(7), coverage: Some(Arc::clone(&collector)), ..Options::default() };
    let (results, _) = run_all(&files, &opts);
    assert!(results.iter().all(|r| r.passed()), "{results:?}");
    let covered = collector.files();
    assert_eq!(covered.len(), 1);
    let f = &covered[0];
    assert!(f.file.ends_with("/tests/coverage/orders.workflows.yaml") && !f.file.contains(".."), "{}", f.file);
    assert_eq!((f.scenarios, f.runs()), (3, 2 + 7));
    // Each run passes `classify` once; `price_of` is called once per run that gets that far.
    let hits = |kind: PointKind, name: &str| f.of(kind).find(|i| i.name == name).map(|i| i.hits);
    assert_eq!(hits(PointKind::Step, "classify"), Some(9));
    assert_eq!(hits(PointKind::Entry, "price_of"), Some(9));
    assert_eq!(hits(PointKind::Entry, "audit"), Some(0));
    assert_eq!(hits(PointKind::Except, "fetch"), Some(1), "only the scenario with the service gone");
}
