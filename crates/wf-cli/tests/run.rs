//! `wf run` and `wf compile` as a user runs them.

mod common;

use std::path::Path;
use std::process::Output;

use common::{scratch_file, text, wf};

#[test]
fn runs_an_example_and_prints_the_result_as_json() {
    let o = wf(&["run", "examples/fizzbuzz.workflows.yaml", "--args", r#"{"n": 5}"#]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v, serde_json::json!(["1", "2", "Fizz", "4", "Buzz"]));
}

#[test]
fn reads_the_argument_from_a_file_and_traces_steps() {
    let arg = scratch_file("arg", "arg.json", r#"{"n": 3}"#);
    let at = format!("@{}", arg.display());
    let o = wf(&["run", "--trace", "bench/workloads/loop_sum.workflows.yaml", "--args", &at]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), "6");
    assert!(text(&o.stderr).contains("6 steps executed"), "{}", text(&o.stderr));
}

#[test]
fn a_failed_workflow_prints_the_error_and_where_it_was_raised() {
    let path = scratch_file("fail", "fail.yaml", "- boom:\n    raise:\n      code: 7\n      message: nope\n");
    let o = wf(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("the workflow failed at") && err.contains("fail.yaml:3:7"), "{err}");
    assert!(err.contains("\"message\": \"nope\""), "{err}");
}

#[test]
fn bad_input_is_reported_with_exit_two_and_errors_with_exit_one() {
    assert_eq!(wf(&["run", "no/such/file.yaml"]).status.code(), Some(2));
    let o = wf(&["run", "examples/fizzbuzz.workflows.yaml", "--args", "{not json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--args"));
    let o = wf(&["run", "tests/check/err/wf207-undefined-variable.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("has errors; fix them before running it"));
}

#[test]
fn virtual_time_skips_waits() {
    let path = scratch_file(
        "sleep",
        "sleep.yaml",
        "- start:\n    assign:\n      - t0: ${sys.now()}\n- nap:\n    call: sys.sleep\n    args:\n      seconds: 3600\n- done:\n    return: ${sys.now() - t0}\n",
    );
    let started = std::time::Instant::now();
    let o = wf(&["run", "--virtual-time", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let elapsed: f64 = text(&o.stdout).trim().parse().expect("a number");
    assert!((elapsed - 3600.0).abs() < 1.0, "{elapsed}");
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn compile_prints_a_listing() {
    let o = wf(&["compile", "bench/workloads/loop_sum.workflows.yaml", "--emit", "bytecode"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("fn main (params: 1"), "{out}");
    assert!(out.contains("NextInRange") && out.contains("Step add"), "{out}");
}

/// wfkit's own outcome for every program of `bench/diff` (run against the peer by
/// `bench/diff/run`), pinned in one snapshot: a change in behaviour shows up here first.
#[test]
fn the_differential_programs_keep_their_outcomes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<_> = std::fs::read_dir(root.join("bench/diff"))
        .expect("bench/diff exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 50, "{}", files.len());
    let mut report = String::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("UTF-8");
        let args = source.lines().find_map(|l| l.strip_prefix("# args:")).map_or("null", str::trim);
        let relative = file.strip_prefix(&root).expect("inside the repository").to_string_lossy().into_owned();
        let o = wf(&["run", "--virtual-time", &relative, "--args", args]);
        let compact =
            |json: &str| serde_json::from_str::<serde_json::Value>(json).map_or(json.to_string(), |v| v.to_string());
        let outcome = match o.status.code() {
            Some(0) => format!("result {}", compact(text(&o.stdout).trim())),
            Some(1) => {
                let err = text(&o.stderr);
                let (place, error) = err.split_once('\n').unwrap_or((&err, ""));
                format!("{} {}", place.trim_start_matches("error: the workflow "), compact(error.trim()))
            }
            other => format!("exit {other:?}: {}", text(&o.stderr).trim()),
        };
        report.push_str(&format!("{}: {outcome}\n", file.file_name().unwrap().to_string_lossy()));
    }
    insta::with_settings!({ snapshot_path => root.join("bench/diff/snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("wfkit_outcomes", report);
    });
}

#[test]
fn check_and_compile_agree_on_steps_no_path_reaches() {
    // GCW's deployer builds every step: an unknown function or a missing argument is a
    // mistake in an unreachable step too, so `wf check` reports it where `wf run` refuses.
    let cases = [
        ("unknown", "- start:\n    return: 1\n- never:\n    assign:\n      - x: ${sys.nope()}\n", "WF301"),
        (
            "missing",
            "main:\n  steps:\n    - start:\n        return: 1\n    - never:\n        call: greet\nsub_greet:\n  params: [name]\n  steps:\n    - out:\n        return: ${name}\ngreet:\n  params: [name]\n  steps:\n    - out:\n        return: ${name}\n",
            "WF205",
        ),
    ];
    for (name, source, code) in cases {
        let path = scratch_file("unreachable", &format!("{name}.yaml"), source);
        let check = wf(&["check", path.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(1), "{name}: {}", text_of(&check));
        assert!(text_of(&check).contains(code), "{name}: {}", text_of(&check));
        let run = wf(&["run", path.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(1), "{name}: {}", text_of(&run));
        assert!(text(&run.stderr).contains("has errors; fix them before running it"), "{name}: {}", text_of(&run));
    }
}

fn text_of(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

#[test]
fn a_value_nested_ten_thousand_times_is_a_resource_limit_error_not_a_crash() {
    // Without the step and memory limits nothing else stops the loop: the depth bound must.
    for (name, nest) in [("list", "${[x]}"), ("map", r#"${ {"a": x} }"#)] {
        let workflow = format!(
            "- init:\n    assign:\n      - x: 0\n- grow:\n    for:\n      value: i\n      range: [1, 10000]\n      \
             steps:\n        - nest:\n            assign:\n              - x: '{nest}'\n- done:\n    return: ${{x}}\n"
        );
        let path = scratch_file("deep", &format!("deep_{name}.yaml"), &workflow);
        let o = wf(&["run", "--no-limits", path.to_str().unwrap()]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {o:?}");
        assert!(err.contains("ResourceLimitError") && err.contains("100 levels"), "{name}: {err}");
        assert!(err.contains(&format!("deep_{name}.yaml:11:")), "{name}: the error points at the nesting: {err}");
    }
}
