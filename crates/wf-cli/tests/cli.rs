//! The `wf` binary as a user runs it: exit codes, summary line, JSON output, `wf explain`.

use std::path::Path;
use std::process::{Command, Output};

fn wf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wf"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("NO_COLOR", "1")
        .output()
        .expect("wf runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn clean_files_exit_zero_with_a_summary() {
    let o = wf(&["check", "tests/syntax/ok"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("checked 13 files: 0 errors, 0 warnings\n"), "{}", stdout(&o));
}

#[test]
fn the_examples_check_clean_and_their_scenarios_are_not_taken_for_workflows() {
    let o = wf(&["check", "examples/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains(".scenario.yaml"), "{}", stdout(&o));
}

#[test]
fn errors_exit_one_and_render_without_colour_when_piped() {
    let o = wf(&["check", "tests/syntax/err/expr_missing_operand.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("[WF110] Error: expected an expression after `+`"), "{out}");
    assert!(out.contains("tests/syntax/err/expr_missing_operand.yaml:3:21"), "{out}");
    assert!(!out.contains('\u{1b}'), "no ANSI colour when stdout is not a terminal");
}

#[test]
fn warnings_alone_exit_zero() {
    let o = wf(&["check", "tests/syntax/err/text_interpolation.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("0 errors, 1 warning"));
}

#[test]
fn missing_input_and_bad_usage_exit_two() {
    let o = wf(&["check", "does/not/exist.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does/not/exist.yaml"));
    assert_eq!(wf(&["check"]).status.code(), Some(2));
    assert_eq!(wf(&["check", "--format", "xml", "x"]).status.code(), Some(2));
    assert_eq!(wf(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn json_output_follows_the_documented_schema() {
    let o = wf(&["check", "--format", "json", "tests/syntax/err/expr_unclosed_call.yaml", "tests/syntax/ok"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files"], 14);
    assert_eq!(v["summary"]["errors"], 1);
    let diags = v["diagnostics"].as_array().expect("a list");
    let d = diags.iter().find(|d| d["code"] == "WF110").expect("the syntax error is reported");
    assert_eq!(d["file"], "tests/syntax/err/expr_unclosed_call.yaml");
    assert_eq!(d["code"], "WF110");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["start"]["line"], 3);
    assert_eq!(d["start"]["column"], 19);
    assert_eq!(d["labels"][0]["message"], "unclosed `(`");
}

#[test]
fn folders_skip_files_that_are_not_workflows() {
    let dir = std::env::temp_dir().join(format!("wf-cli-skip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("package.json"), r#"{"name": "x", "version": "1.0.0"}"#).unwrap();
    std::fs::write(dir.join("flow.yaml"), "- a:\n    return: 1\n").unwrap();
    let o = wf(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("package.json: not a workflow"));
    assert!(stdout(&o).contains("checked 1 file: 0 errors, 0 warnings (1 file skipped: not a workflow)"));
    let explicit = wf(&["check", dir.join("package.json").to_str().unwrap()]);
    assert_eq!(explicit.status.code(), Some(1), "a file named explicitly must be a workflow");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_prints_the_registry_entry() {
    let o = wf(&["explain", "WF120"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("WF120 (unknown-key): a key that is not allowed here"));
    assert_eq!(wf(&["explain", "WF999"]).status.code(), Some(2));
}

#[test]
fn sarif_output_is_a_sarif_2_1_log() {
    let o = wf(&["check", "--format", "sarif", "tests/check/err/wf307-unknown-field.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "wfkit");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "WF307");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(13), Some(32)));
    let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "WF307");
}

#[test]
fn allow_leaves_codes_out_by_number_or_name() {
    let file = "tests/check/err/wf401-unused-value.yaml";
    assert!(stdout(&wf(&["check", file])).contains("1 warning"));
    assert!(stdout(&wf(&["check", "--allow", "WF401", file])).contains("0 warnings"));
    assert!(stdout(&wf(&["check", "--allow", "unused-value", file])).contains("0 warnings"));
    let unknown = wf(&["check", "--allow", "WF999", file]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("WF999"));
}

#[test]
fn comments_silence_one_line_or_a_whole_file() {
    let dir = std::env::temp_dir().join(format!("wf-cli-ignore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = "- init:\n    assign:\n      - a: 1\n      # wf-ignore: unused-value\n      - b: 2\n      - c: 3\n- done:\n    return: ${a}\n";
    std::fs::write(dir.join("line.yaml"), body).unwrap();
    std::fs::write(dir.join("file.yaml"), format!("# wf-ignore-file: WF401\n{body}")).unwrap();
    let line = stdout(&wf(&["check", dir.join("line.yaml").to_str().unwrap()]));
    assert!(line.contains("`c` is never read") && !line.contains("`b` is never read"), "{line}");
    assert!(stdout(&wf(&["check", dir.join("file.yaml").to_str().unwrap()])).contains("0 warnings"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_lists_every_code() {
    let o = wf(&["explain", "--list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for code in ["WF100", "WF207", "WF307", "WF405"] {
        assert!(out.lines().any(|l| l.starts_with(code)), "{code} missing from the list");
    }
}

#[test]
fn every_command_has_its_own_help() {
    for (command, head) in [
        ("check", "wf check ["),
        ("run", "wf run FILE"),
        ("serve", "wf serve ["),
        ("lsp", "wf lsp"),
        ("explain", "wf explain CODE"),
    ] {
        let o = wf(&[command, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{command}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.starts_with("Usage:\n") && text.contains(head), "{command}: {text}");
        assert!(!text.contains("wf compile") || command == "compile", "{command}: only its own usage: {text}");
    }
}

/// Runs `cmd`, killing it if it has not ended within 60 s (a walk that opens a named pipe
/// waits for a writer forever).
#[cfg(unix)]
fn output_within_a_minute(mut cmd: Command) -> Output {
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} still running after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn folder_walks_skip_named_pipes() {
    let dir = std::env::temp_dir().join(format!("wf-cli-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("flow.yaml"), "main:\n  steps:\n    - done:\n        return: 1\n").unwrap();
    std::fs::write(dir.join("flow.scenario.yaml"), "workflow: flow.yaml\nexpect: {result: 1}\n").unwrap();
    for pipe in ["pipe.yaml", "pipe.scenario.yaml"] {
        assert!(Command::new("mkfifo").arg(dir.join(pipe)).status().unwrap().success());
    }
    let mut check = Command::new(env!("CARGO_BIN_EXE_wf"));
    check.args(["check", dir.to_str().unwrap()]).env("NO_COLOR", "1");
    let o = output_within_a_minute(check);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("checked 1 file: 0 errors, 0 warnings\n"), "{}", stdout(&o));
    let mut test = Command::new(env!("CARGO_BIN_EXE_wf-test"));
    test.arg(dir.to_str().unwrap());
    let o = output_within_a_minute(test);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("1 passed, 0 failed\n"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
