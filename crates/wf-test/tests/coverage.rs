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

/// Every record of the LCOV text of every scenario folder is well formed: it starts with
/// `TN:` and `SF:`, ends with `end_of_record`, and its totals count its entries.
#[test]
fn the_lcov_totals_count_the_entries_of_each_record() {
    let files = discover(&folders()).expect("scenario folders");
    let collector = Arc::new(Collector::default());
    let opts = Options { cases: Some(5), coverage: Some(Arc::clone(&collector)), ..Options::default() };
    run_all(&files, &opts);
    let covered = collector.files();
    let text = wf_test::lcov::write(&covered);
    let records: Vec<&str> = text.split_terminator("end_of_record\n").collect();
    assert_eq!(records.len(), covered.len());
    for (record, f) in records.iter().zip(&covered) {
        let lines: Vec<&str> = record.lines().collect();
        assert_eq!(lines[0], "TN:");
        assert_eq!(lines[1], format!("SF:{}", f.file));
        let entries = |tag: &str| lines.iter().filter_map(|l| l.strip_prefix(tag)).collect::<Vec<_>>();
        let total = |tag: &str| entries(tag).first().and_then(|n| n.parse::<usize>().ok());
        let last = |entry: &str| entry.rsplit(',').next().unwrap_or("").to_string();
        let hit = |entry: &&&str| last(entry).parse::<u64>().is_ok_and(|n| n > 0);
        let first = |entry: &&&str| entry.split(',').next().unwrap_or("").parse::<u64>().is_ok_and(|n| n > 0);
        let (da, brda, fnda) = (entries("DA:"), entries("BRDA:"), entries("FNDA:"));
        assert_eq!(total("LF:"), Some(da.len()), "{}", f.file);
        assert_eq!(total("LH:"), Some(da.iter().filter(hit).count()), "{}", f.file);
        assert_eq!(total("BRF:"), Some(brda.len()), "{}", f.file);
        assert_eq!(total("BRH:"), Some(brda.iter().filter(hit).count()), "{}", f.file);
        assert_eq!(total("FNF:"), Some(entries("FN:").len()), "{}", f.file);
        assert_eq!(total("FNH:"), Some(fnda.iter().filter(first).count()), "{}", f.file);
        assert!(da.iter().all(|d| d.split(',').count() == 2), "{}", f.file);
    }
}
