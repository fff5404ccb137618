//! What `--coverage` costs: the same scenario suites with and without it, on one thread.
//! `examples/` (nine scenarios, one a property of 1,000 cases, so mostly execution); 1,000
//! generated scenarios that each branch, retry and catch (so load, check and compile weigh
//! too); and the worst case, one scenario whose loop runs 60,000 steps and 40,000 switch
//! conditions (a coverage point at nearly every instruction the loop runs). Run with
//! `cargo bench -p wf-test --bench coverage`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use divan::Bencher;
use divan::counter::ItemsCount;
use wf_test::coverage::Collector;
use wf_test::{Options, discover, run_all};

fn main() {
    divan::main();
}

const SCENARIOS: usize = 1_000;

/// Branches on its argument, retries a flaky call twice, and catches what is left.
const WORKFLOW: &str = r#"main:
  params: [args]
  steps:
    - pick:
        switch:
          - condition: ${args.n % 3 == 0}
            assign:
              - kind: fizz
          - condition: ${args.n % 5 == 0}
            assign:
              - kind: buzz
          - condition: true
            assign:
              - kind: plain
    - count:
        for:
          value: i
          range: [1, 20]
          steps:
            - add:
                assign:
                  - total: ${default(map.get(args, "total"), 0) + i}
    - fetch:
        try:
          call: http.get
          args:
            url: https://example.com/items
          result: resp
        retry:
          predicate: ${http.default_retry_predicate}
          max_retries: 3
          backoff:
            initial_delay: 1
            max_delay: 4
            multiplier: 2
        except:
          as: e
          steps:
            - fallback:
                return: ${kind + " none"}
    - done:
        return: ${kind + " " + string(resp.body)}
"#;

/// A loop of 20,000 iterations of three steps, with a switch of two conditions.
const LOOP: &str = r#"main:
  steps:
    - init:
        assign:
          - odd: 0
    - count:
        for:
          value: i
          range: [1, 20000]
          steps:
            - classify:
                switch:
                  - condition: ${i % 2 == 1}
                    assign:
                      - odd: ${odd + 1}
                  - condition: ${i < 0}
                    next: continue
            - keep:
                assign:
                  - last: ${i}
    - done:
        return: ${odd}
"#;

/// A fresh folder for one bench's files.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wf-test-coverage-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// Writes the workflow and the scenarios into a fresh folder; returns the scenario files.
fn generate() -> Vec<PathBuf> {
    let dir = folder("flaky");
    std::fs::write(dir.join("flaky.workflows.yaml"), WORKFLOW).expect("workflow written");
    (0..SCENARIOS)
        .map(|i| {
            let fails = i % 5;
            let text = format!(
                "name: flaky {i}\nworkflow: flaky.workflows.yaml\nargs: {{n: {i}}}\nmocks:\n  - call: http.get\n    fails: {fails}\n    fails_with: {{tags: [HttpError], code: 503, message: busy}}\n    returns: {{code: 200, headers: {{}}, body: ok}}\nexpect:\n  status: SUCCEEDED\n"
            );
            let file = dir.join(format!("flaky_{i:04}.scenario.yaml"));
            std::fs::write(&file, text).expect("scenario written");
            file
        })
        .collect()
}

fn run(bencher: Bencher, files: &[PathBuf], coverage: bool) {
    bencher.counter(ItemsCount::new(files.len())).bench(|| {
        let collector = coverage.then(|| Arc::new(Collector::default()));
        let opts = Options { jobs: 1, coverage: collector.clone(), ..Options::default() };
        let (results, _) = run_all(files, &opts);
        assert!(results.iter().all(|r| r.passed()), "{:?}", results.iter().find(|r| !r.passed()));
        collector.map_or(0, |c| c.files().len())
    });
}

fn examples() -> Vec<PathBuf> {
    discover(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")]).expect("examples/")
}

/// `examples/` without coverage.
#[divan::bench(sample_count = 10)]
fn examples_plain(bencher: Bencher) {
    run(bencher, &examples(), false);
}

/// `examples/` with coverage.
#[divan::bench(sample_count = 10)]
fn examples_coverage(bencher: Bencher) {
    run(bencher, &examples(), true);
}

fn generated(bencher: Bencher, files: Vec<PathBuf>, coverage: bool) {
    run(bencher, &files, coverage);
    if let Some(dir) = files.first().and_then(|f| f.parent()).map(Path::to_path_buf) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The 1,000 generated scenarios without coverage.
#[divan::bench(sample_count = 10)]
fn thousand_flaky_calls_plain(bencher: Bencher) {
    generated(bencher, generate(), false);
}

/// The 1,000 generated scenarios with coverage.
#[divan::bench(sample_count = 10)]
fn thousand_flaky_calls_coverage(bencher: Bencher) {
    generated(bencher, generate(), true);
}

/// The loop scenario.
fn tight_loop() -> Vec<PathBuf> {
    let dir = folder("loop");
    std::fs::write(dir.join("loop.workflows.yaml"), LOOP).expect("workflow written");
    let file = dir.join("loop.scenario.yaml");
    let text = "workflow: loop.workflows.yaml\nexpect:\n  status: SUCCEEDED\n  result: 10000\n";
    std::fs::write(&file, text).expect("scenario written");
    vec![file]
}

/// The loop without coverage.
#[divan::bench(sample_count = 20)]
fn tight_loop_plain(bencher: Bencher) {
    generated(bencher, tight_loop(), false);
}

/// The loop with coverage.
#[divan::bench(sample_count = 20)]
fn tight_loop_coverage(bencher: Bencher) {
    generated(bencher, tight_loop(), true);
}
