//! `wf-test` as a user runs it, on the scenarios in `tests/scenarios`: every `pass/` scenario
//! passes, every `fail/` scenario fails with the report snapshotted next to its input, and the
//! options (`--format`, `--filter`, `--shard`, `--snapshot`, `--update`) do what they say.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wf_test(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wf-test")).args(args).current_dir(dir).output().expect("wf-test runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

fn scenario_files(folder: &str) -> Vec<PathBuf> {
    let dir = common::repo().join("tests/scenarios").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".scenario.yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    files
}

#[test]
fn every_pass_scenario_passes() {
    let count = scenario_files("pass").len();
    let o = wf_test(&["tests/scenarios/pass"], &common::repo());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(last_line(&o), format!("{count} passed, 0 failed"));
}

#[test]
fn every_fail_scenario_fails_with_the_report_in_its_snapshot() {
    for file in scenario_files("fail") {
        let relative = file.strip_prefix(common::repo()).unwrap().to_string_lossy().into_owned();
        let o = wf_test(&[&relative], &common::repo());
        let report = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{relative} must fail:\n{report}");
        assert_eq!(last_line(&o), "0 passed, 1 failed", "{relative}");
        let input = std::fs::read_to_string(&file).expect("scenario is UTF-8");
        let text = format!("{input}\n--- wf-test ---\n{report}");
        common::assert_fixture_snapshot("scenarios", &file, &text);
    }
}

#[test]
fn a_broken_scenario_does_not_stop_the_others() {
    let passing = scenario_files("pass").len();
    let failing = scenario_files("fail").len();
    let o = wf_test(&["tests/scenarios/fail", "tests/scenarios/pass"], &common::repo());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(last_line(&o), format!("{passing} passed, {failing} failed"));
}

#[test]
fn json_report_lists_every_scenario() {
    let o = wf_test(&["--format", "json", "tests/scenarios/fail"], &common::repo());
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let text = v.to_string();
    assert!(text.contains("unknown key `bodyy` in a callback"), "{text}");
    assert!(text.contains("no mock answers the call to `http.get`"), "{text}");
    assert_eq!(v["failed"], scenario_files("fail").len(), "{text}");
    assert_eq!(v["passed"], 0, "{text}");
}

#[test]
fn junit_report_counts_failures() {
    let o = wf_test(&["--format", "junit", "tests/scenarios"], &common::repo());
    let xml = stdout(&o);
    let failing = scenario_files("fail").len();
    let total = failing + scenario_files("pass").len();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains(&format!("tests=\"{total}\"")), "{xml}");
    assert!(xml.contains(&format!("failures=\"{failing}\"")), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), total, "{xml}");
}

#[test]
fn filter_runs_only_matching_scenarios_and_counts_the_rest_as_skipped() {
    let total = scenario_files("pass").len();
    let o = wf_test(&["--filter", "12-hour", "tests/scenarios/pass"], &common::repo());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("ok     nothing arrives, so the default 12-hour timeout fails the execution (12h)"));
    assert_eq!(last_line(&o), format!("1 passed, 0 failed, {} skipped", total - 1));
}

#[test]
fn shards_split_the_scenarios_without_overlap() {
    let names = |o: &Output| -> Vec<String> {
        stdout(o).lines().filter_map(|l| l.strip_prefix("ok     ")).map(str::to_string).collect()
    };
    let one = wf_test(&["--shard", "1/2", "tests/scenarios/pass"], &common::repo());
    let two = wf_test(&["--shard", "2/2", "tests/scenarios/pass"], &common::repo());
    let (one, two) = (names(&one), names(&two));
    assert!(!one.is_empty() && !two.is_empty(), "{one:?} {two:?}");
    assert!(one.iter().all(|n| !two.contains(n)), "{one:?} {two:?}");
    assert_eq!(one.len() + two.len(), scenario_files("pass").len());
}

#[test]
fn bad_usage_exits_two() {
    let usage: [&[&str]; 6] = [
        &["--format", "xml"],
        &["--shard", "3/2"],
        &["--jobs", "many"],
        &["--frobnicate"],
        &["--cases", "0"],
        &["--cases", "1000000000"],
    ];
    for args in usage {
        let o = wf_test(args, &common::repo());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "), "{args:?}");
    }
    let o = wf_test(&["no/such/folder"], &common::repo());
    assert_eq!(o.status.code(), Some(2));
}

/// A scratch copy of one pass scenario and its workflow.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wf-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pass")).unwrap();
    std::fs::create_dir_all(dir.join("workflows")).unwrap();
    let src = common::repo().join("tests/scenarios");
    for file in ["pass/endpoint_rules.scenario.yaml", "workflows/sleep_then_wait.workflows.yaml"] {
        std::fs::copy(src.join(file), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn snapshots_are_written_then_compared_then_updated() {
    let dir = scratch("snapshot");
    let snap = dir.join("pass/endpoint_rules.scenario.snap");

    let first = wf_test(&["--snapshot", "pass"], &dir);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let stored = std::fs::read_to_string(&snap).expect("snapshot written on the first run");
    assert!(stored.starts_with("---\nsource: "), "insta header: {stored}");
    assert!(stored.contains("outcome: succeeded"), "{stored}");
    assert!(stored.contains("429"), "the trace records the callback answers: {stored}");

    let again = wf_test(&["--snapshot", "pass"], &dir);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), stored, "an unchanged run leaves the snapshot alone");

    let scenario = dir.join("pass/endpoint_rules.scenario.yaml");
    let text = std::fs::read_to_string(&scenario).unwrap().replace("body: first", "body: premier");
    let text = text.replace("result: [first,", "result: [premier,");
    std::fs::write(&scenario, text).unwrap();
    let changed = wf_test(&["--snapshot", "pass"], &dir);
    assert_eq!(changed.status.code(), Some(1), "{}", stdout(&changed));
    assert!(stdout(&changed).contains("premier"), "the diff shows the change: {}", stdout(&changed));
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), stored, "a failed comparison does not overwrite");

    let updated = wf_test(&["--snapshot", "--update", "pass"], &dir);
    assert_eq!(updated.status.code(), Some(0), "{}", stdout(&updated));
    assert!(std::fs::read_to_string(&snap).unwrap().contains("premier"));
    let after = wf_test(&["--snapshot", "pass"], &dir);
    assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn save_failures_writes_the_shrunk_case_as_a_scenario_that_fails_the_same_way() {
    let repo = common::repo();
    let out = std::env::temp_dir().join(format!("wf-test-save-failures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let file = "tests/scenarios/fail/property_finds_a_lost_approval.scenario.yaml";
    let o = wf_test(&["--save-failures", out.to_str().unwrap(), file], &repo);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // Which case fails first depends on the file's text; the file is named after it.
    let report = stdout(&o);
    let saved = report.lines().find_map(|l| l.strip_prefix("saved as ")).map(PathBuf::from).expect("a saved case");
    assert_eq!(saved.parent(), Some(out.as_path()));
    let name = saved.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("property_finds_a_lost_approval-case-") && name.ends_with(".scenario.yaml"), "{name}");
    let text = std::fs::read_to_string(&saved).expect("the case is saved");
    assert!(!text.contains("between") && !text.contains("one_of"), "no generators left:\n{text}");
    assert!(text.contains("cases: 1") && text.contains("- at: 55m0.001s"), "{text}");
    // Run from elsewhere, it finds its workflow and fails as the property did.
    let again = wf_test(&[saved.to_str().unwrap()], &std::env::temp_dir());
    assert_eq!(again.status.code(), Some(1), "{}", stdout(&again));
    assert!(stdout(&again).contains("+ \"escalated\""), "{}", stdout(&again));
    assert_eq!(last_line(&again), "0 passed, 1 failed");
}

#[test]
fn schedules_all_runs_every_interleaving_once_and_stops_at_its_limit() {
    let repo = common::repo();
    // Card: 3 run segments between its 2 waits; voucher: 4 between 3. C(7, 3) = 35 orders.
    let o = wf_test(&["examples/schedules/payments_in_every_order.scenario.yaml"], &repo);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("[35 schedules, all of them]"), "{}", stdout(&o));
    // Three branches of five logs each (six run segments apiece) have 18!/(6!)^3 = 17,153,136
    // orders: the run stops at 10,000 and says so.
    let dir = std::env::temp_dir().join(format!("wf-test-schedules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let branch = |name: &str| {
        let logs: String = (1..=5)
            .map(|i| format!("                  - {name}_{i}:\n                      call: sys.log\n                      args: {{text: {name}}}\n"))
            .collect();
        format!("            - {name}:\n                steps:\n{logs}")
    };
    let workflow = format!(
        "main:\n  steps:\n    - fan:\n        parallel:\n          branches:\n{}{}{}    - done:\n        return: 1\n",
        branch("a"),
        branch("b"),
        branch("c")
    );
    std::fs::write(dir.join("fan.workflows.yaml"), workflow).unwrap();
    let scenario = "name: many orders\nworkflow: fan.workflows.yaml\nschedules: all\nexpect:\n  result: 1\n";
    std::fs::write(dir.join("fan.scenario.yaml"), scenario).unwrap();
    let o = wf_test(&["fan.scenario.yaml"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("[10000 schedules: the limit, not every interleaving was run]"), "{}", stdout(&o));
}
