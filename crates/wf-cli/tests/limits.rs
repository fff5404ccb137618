//! GCW's limits that `wf run` applies outside the machine (the machine's own are
//! `tests/vm` fixtures; the table of every limit is in `docs/semantics.md`): the argument,
//! user environment variables, the HTTP timeout and the size of an HTTP response.

use std::io::{Read, Write};
use std::net::TcpListener;
mod common;

use common::{scratch_file, text, wf};

const RETURN_ARGS: &str = "main:\n  params: [args]\n  steps:\n    - done:\n        return: ${args}\n";

#[test]
fn an_argument_over_32_kb_is_refused_and_one_of_32_kb_runs() {
    let path = scratch_file("args", "echo.yaml", RETURN_ARGS);
    let path = path.to_str().unwrap();
    // `"xxx…"`: the JSON text is the string's length plus two quotes.
    let at_limit = format!("\"{}\"", "x".repeat(32 * 1024 - 2));
    let o = wf(&["run", path, "--args", &at_limit]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let over = format!("\"{}\"", "x".repeat(32 * 1024 - 1));
    let o = wf(&["run", path, "--args", &over]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("`--args`: the argument is 32769 bytes of JSON; GCW takes at most 32768 (32 KB)"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn twenty_env_vars_of_4_kib_run_and_more_is_refused() {
    let path = scratch_file("env", "env.yaml", "- done:\n    return: ${sys.get_env(\"V19\")}\n");
    let path = path.to_str().unwrap();
    let value = "v".repeat(4096);
    let vars: Vec<String> = (0..21).map(|i| format!("V{i}={value}")).collect();
    let mut args = vec!["run", path];
    for v in &vars[..20] {
        args.extend(["--env", v.as_str()]);
    }
    let o = wf(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    args.extend(["--env", vars[20].as_str()]);
    let o = wf(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("21 environment variables; GCW takes at most 20"), "{}", text(&o.stderr));
    let long = format!("LONG={value}v");
    let o = wf(&["run", path, "--env", &long]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("`LONG` is 4097 bytes; GCW takes at most 4096 (4 KiB)"), "{}", text(&o.stderr));
}

/// A workflow that calls the argument's `url` with its `timeout` (read at run time: a
/// literal out of range is already a `wf check` error) and returns the error's tag and
/// message, or the status code.
const HTTP_CALL: &str = "main:\n  params: [args]\n  steps:\n    - call:\n        try:\n          call: http.get\n          args:\n            url: ${args.url}\n            timeout: ${args.timeout}\n          result: r\n        except:\n          as: e\n          steps:\n            - failed:\n                return: {tag: '${e.tags[0]}', message: '${e.message}'}\n    - done:\n        return: ${r.code}\n";

/// Runs [`HTTP_CALL`]; returns its printed result as JSON.
fn call(test: &str, url: &str, timeout: u32) -> serde_json::Value {
    let path = scratch_file(test, "call.yaml", HTTP_CALL);
    let args = serde_json::json!({"url": url, "timeout": timeout}).to_string();
    let o = wf(&["run", path.to_str().unwrap(), "--args", &args]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("the result is JSON")
}

#[test]
fn an_http_timeout_over_1800_seconds_is_a_value_error_before_anything_is_sent() {
    // Port 9 (discard) is never contacted: the arguments are checked first.
    let out = call("timeout", "http://127.0.0.1:9/", 1801);
    assert_eq!(out["tag"], "ValueError", "{out}");
    assert_eq!(out["message"], "http.get: `timeout` must be between 0 and 1800 seconds, found 1801", "{out}");
}

/// Serves one HTTP response with a body of `len` bytes on a loopback port; returns the URL.
fn serve_once(len: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}/big", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&vec![b'x'; len]);
    });
    url
}

#[test]
fn an_http_response_over_2_mb_is_a_resource_limit_error_and_one_of_2_mb_is_read() {
    let url = serve_once(2 * 1024 * 1024);
    assert_eq!(call("response", &url, 30), 200);
    let url = serve_once(2 * 1024 * 1024 + 1);
    let out = call("response", &url, 30);
    assert_eq!(out["tag"], "ResourceLimitError", "{out}");
    assert_eq!(out["message"], "HTTP response larger than 2 MB", "{out}");
}

/// The outside probe's standard-library cases (a 4 GB `text.replace_all`, a regex that
/// matches everywhere, a JSON prefix on every line, overflowing doubles) under a 4 GB
/// address-space limit: every one raises its error and the run ends normally.
#[cfg(unix)]
#[test]
fn the_probes_stdlib_cases_run_under_a_4_gb_address_space_limit() {
    let script = r#"ulimit -v 4000000 && exec "$0" run tests/vm/sizes_and_numbers.yaml"#;
    let o = std::process::Command::new("sh")
        .args(["-c", script, env!("CARGO_BIN_EXE_wf")])
        .current_dir(common::repo())
        .output()
        .expect("sh runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let result: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON result");
    for key in ["replace_all", "replace_all_regex", "json_prefix", "url_encode"] {
        assert_eq!(result[key], "ResourceLimitError - string longer than 256 KB", "{key}");
    }
    assert_eq!(result["double_overflow"], "ValueError - double overflow");
    assert_eq!(result["min_rem"], 0);
}
