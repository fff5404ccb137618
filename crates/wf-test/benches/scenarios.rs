//! Whole scenario runs: 1,000 generated scenarios, each waiting out a 12-hour callback
//! timeout and then succeeding on the retried wait. Each run loads the scenario, checks and
//! compiles the workflow and simulates it, as `wf-test` does; and one property scenario of
//! the same workflow run as 1,000 cases (the request at any time in the first 24 hours, one
//! of two bodies). Run with `cargo bench -p wf-test`.

use std::path::{Path, PathBuf};

use divan::Bencher;
use divan::counter::ItemsCount;
use wf_test::{Options, run_all};

fn main() {
    divan::main();
}

const SCENARIOS: usize = 1_000;

/// Waits 12 hours for a callback; on the timeout the retry policy waits again.
const WORKFLOW: &str = r#"main:
  params: [args]
  steps:
    - make:
        call: events.create_callback_endpoint
        result: cb
    - wait:
        try:
          call: events.await_callback
          args:
            callback: ${cb}
            timeout: 43200
          result: req
        retry:
          predicate: ${is_timeout}
          max_retries: 2
          backoff:
            initial_delay: 60
            max_delay: 60
            multiplier: 1
    - done:
        return: ${req.http_request.body}

is_timeout:
  params: [e]
  steps:
    - decide:
        return: ${"TimeoutError" in e.tags}
"#;

/// Writes the workflow and the scenarios into a fresh folder; returns the scenario files.
fn generate() -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("wf-test-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    std::fs::write(dir.join("retry.workflows.yaml"), WORKFLOW).expect("workflow written");
    (0..SCENARIOS)
        .map(|i| {
            let minutes = 1 + i % 600;
            let text = format!(
                "name: retry {i}\nworkflow: retry.workflows.yaml\nargs: {{n: {i}}}\ncallbacks:\n  - endpoint: 1\n    at: 12h{minutes}m\n    body: {{n: {i}}}\nexpect:\n  status: SUCCEEDED\n  result: {{n: {i}}}\n  elapsed: 12h{minutes}m\n"
            );
            let file = dir.join(format!("retry_{i:04}.scenario.yaml"));
            std::fs::write(&file, text).expect("scenario written");
            file
        })
        .collect()
}

fn run(bencher: Bencher, jobs: usize) {
    let files = generate();
    let opts = Options { jobs, ..Options::default() };
    bencher.counter(ItemsCount::new(files.len())).bench(|| {
        let (results, _) = run_all(&files, &opts);
        assert!(results.iter().all(|r| r.passed()), "{:?}", results.iter().find(|r| !r.passed()));
        results.len()
    });
    if let Some(dir) = files.first().and_then(|f| f.parent()).map(Path::to_path_buf) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The 1,000 scenarios on one thread.
#[divan::bench(sample_count = 10)]
fn thousand_twelve_hour_timeouts_one_thread(bencher: Bencher) {
    run(bencher, 1);
}

/// The 1,000 scenarios on every core, as `wf-test` runs them by default.
#[divan::bench(sample_count = 10)]
fn thousand_twelve_hour_timeouts_all_cores(bencher: Bencher) {
    run(bencher, 0);
}

/// One property scenario, 1,000 cases: the request arrives at any time in 24 hours, so most
/// cases wait out one or two 12-hour timeouts first.
#[divan::bench(sample_count = 10)]
fn property_thousand_cases_of_twelve_hour_waits(bencher: Bencher) {
    let dir = std::env::temp_dir().join(format!("wf-test-bench-property-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    std::fs::write(dir.join("retry.workflows.yaml"), WORKFLOW).expect("workflow written");
    let file = dir.join("any_time.scenario.yaml");
    let text = "name: any time in 24 hours\nworkflow: retry.workflows.yaml\nargs: {n: 1}\ncases: 1000\ncallbacks:\n  - at: {between: [0s, 24h]}\n    body: {one_of: [{n: 1}, {n: 2}]}\nexpect:\n  status: SUCCEEDED\n  result: {one_of: [{n: 1}, {n: 2}]}\n";
    std::fs::write(&file, text).expect("scenario written");
    let files = vec![file];
    let opts = Options { jobs: 1, ..Options::default() };
    bencher.counter(ItemsCount::new(1_000usize)).bench(|| {
        let (results, _) = run_all(&files, &opts);
        assert!(results.iter().all(|r| r.passed() && r.cases == 1_000), "{results:?}");
        results.len()
    });
    let _ = std::fs::remove_dir_all(dir);
}
