//! `wf run` in real time with callbacks, as a user runs it: the workflow runs as a child
//! process, the test reads the endpoint's URL and the token from its stderr and sends real
//! HTTP requests to it, as `curl` would.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::http;

/// A `wf run` child process and the lines of its stderr.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wf"))
        .arg("run")
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env_remove("TZ")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wf runs");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Running { child, lines, seen: Vec::new() }
}

impl Running {
    /// The first stderr line that contains `what` (waits at most 20 s).
    fn wait_for(&mut self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(_) => panic!("no stderr line with `{what}`; seen:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// The Bearer token printed at start.
    fn token(&mut self) -> String {
        let line = self.wait_for("serving callback endpoints on");
        let token = line.split("Bearer ").nth(1).expect("a token").trim_end_matches('`');
        token.to_string()
    }

    /// The URL the workflow logged.
    fn url(&mut self) -> String {
        let line = self.wait_for("Listening for callbacks on ");
        line.split("Listening for callbacks on ").nth(1).expect("a URL").trim().to_string()
    }

    /// Waits for the end: exit code, stdout, and the rest of stderr.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let mut out = String::new();
        self.child.stdout.take().expect("stdout is piped").read_to_string(&mut out).expect("stdout");
        let status = self.child.wait().expect("wf ends");
        self.seen.extend(self.lines.try_iter());
        std::thread::sleep(Duration::from_millis(50));
        self.seen.extend(self.lines.try_iter());
        (status.code(), out, self.seen.join("\n"))
    }

    /// The result on stdout, as JSON, after a successful end.
    fn result(self) -> serde_json::Value {
        let (code, out, err) = self.finish();
        assert_eq!(code, Some(0), "stdout:\n{out}\nstderr:\n{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The path of an endpoint URL.
fn path_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    rest[rest.find('/').unwrap()..].to_string()
}

#[test]
fn the_seeds_walkthrough_a_get_with_query_parameters() {
    let mut run = start(&["examples/callbacks/callback_basic.workflows.yaml"]);
    let token = run.token();
    let url = run.url();
    assert!(
        path_of(&url)
            .starts_with("/v1/projects/000000000000/locations/us-central1/workflows/callback_basic/executions/"),
        "{url}"
    );
    let (status, body) = http(&format!("{url}?order=42&who=a%20b"), "GET", &[("Authorization", &bearer(&token))], b"");
    assert_eq!((status, body.as_str()), (200, ""));
    let v = run.result();
    assert_eq!(v["method"], "GET");
    assert_eq!(v["query"], serde_json::json!({"order": "42", "who": "a b"}));
    assert_eq!(v["body"], serde_json::Value::Null);
    assert_eq!(v["url"], path_of(&url), "the query is in `query`, not in `url`");
    assert!(v["headers"].get("Authorization").is_none(), "the token never reaches the workflow: {v}");
    assert!(v["headers"]["Host"].is_string(), "{v}");
}

fn any(method: &str, extra: &str) -> Running {
    let args = format!(r#"{{"method": "{method}", "timeout": 30{extra}}}"#);
    start(&["tests/run/callback_any.yaml", "--args", &args, "--callback-token", "t0ken"])
}

#[test]
fn a_post_with_a_json_body_is_decoded() {
    let mut run = any("POST", "");
    let url = run.url();
    let headers = [("Authorization", "Bearer t0ken"), ("Content-Type", "application/json")];
    assert_eq!(http(&url, "POST", &headers, br#"{"foo": "bar"}"#).0, 200);
    let v = run.result();
    assert_eq!((v["method"].as_str(), v["body_type"].as_str()), (Some("POST"), Some("map")));
    assert_eq!(v["body"], serde_json::json!({"foo": "bar"}));
    assert_eq!(v["type"], "HTTP");
    assert_eq!(v["headers"]["Content-Type"], "application/json");
    // Go's time.Time.String(): `2026-12-01 10:41:28.123456789 +0000 UTC m=+0.512345678`.
    let received = v["received_time"].as_str().unwrap_or_default().to_string();
    let parts: Vec<&str> = received.split(' ').collect();
    assert_eq!(parts.len(), 5, "{received}");
    assert!(parts[0].len() == 10 && parts[1].starts_with(|c: char| c.is_ascii_digit()), "{received}");
    assert_eq!((parts[2], parts[3]), ("+0000", "UTC"), "{received}");
    let since = parts[4].strip_prefix("m=+").unwrap_or_default();
    assert!(since.split_once('.').is_some_and(|(_, frac)| frac.len() == 9), "{received}");
}

#[test]
fn a_text_body_is_a_string_and_a_binary_body_is_bytes() {
    let mut run = any("PUT", "");
    let url = run.url();
    let headers = [("Authorization", "Bearer t0ken"), ("Content-Type", "text/plain; charset=utf-8")];
    assert_eq!(http(&url, "PUT", &headers, "héllo".as_bytes()).0, 200);
    let v = run.result();
    assert_eq!((v["body_type"].as_str(), v["body"].as_str()), (Some("string"), Some("héllo")));

    let mut run = any("POST", "");
    let url = run.url();
    let headers = [("Authorization", "Bearer t0ken"), ("Content-Type", "application/octet-stream")];
    assert_eq!(http(&url, "POST", &headers, &[0, 159, 146, 150]).0, 200);
    let v = run.result();
    assert_eq!((v["body_type"].as_str(), v["body"].as_str()), (Some("bytes"), Some("AJ+Slg==")));
}

#[test]
fn unauthorized_forbidden_wrong_method_and_busy() {
    let mut run = any("POST", r#", "pause": 1.5"#);
    let url = run.url();
    let (status, body) = http(&url, "POST", &[], b"");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("UNAUTHENTICATED"), "{body}");
    assert_eq!(http(&url, "POST", &[("Authorization", "Bearer nope")], b"").0, 403);
    let auth = [("Authorization", "Bearer t0ken")];
    let (status, body) = http(&url, "GET", &auth, b"");
    assert_eq!(status, 405, "{body}");
    assert!(body.contains("accepts POST only"), "{body}");
    // The workflow sleeps before it awaits: the first request is stored, the second refused.
    assert_eq!(http(&url, "POST", &auth, b"first").0, 200);
    let (status, body) = http(&url, "POST", &auth, b"second");
    assert_eq!(status, 429, "{body}");
    let other = format!("{}x", url);
    assert_eq!(http(&other, "POST", &auth, b"").0, 404);
    let v = run.result();
    assert_eq!(v["body"], "Zmlyc3Q=", "the stored request is the first one: {v}");
}

#[test]
fn after_the_end_the_endpoint_answers_404_while_it_lingers() {
    let mut run = start(&[
        "tests/run/callback_any.yaml",
        "--args",
        r#"{"method": "GET", "timeout": 30}"#,
        "--no-auth",
        "--linger",
        "5",
    ]);
    let url = run.url();
    assert_eq!(http(&url, "GET", &[], b"").0, 200);
    let mut stdout = BufReader::new(run.child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "{", "the result is printed before the process lingers");
    let (status, body) = http(&url, "GET", &[], b"");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("the execution has ended"), "{body}");
    let _ = run.child.kill();
}

#[test]
fn a_timeout_is_caught_and_logged() {
    let mut run = start(&["tests/run/callback_any.yaml", "--args", r#"{"method": "GET", "timeout": 0.3}"#]);
    run.wait_for("no callback came, timed out after 300ms waiting for a callback");
    assert_eq!(run.result(), serde_json::json!("timed out"));
}

#[test]
fn the_seeds_retry_loop_is_answered_after_the_second_timeout() {
    let mut run = start(&["examples/callbacks/callback_retry.workflows.yaml", "--args", r#"{"timeout": 0.5}"#]);
    let token = run.token();
    let url = run.url();
    run.wait_for("Timed out waiting for the callback, retrying");
    run.wait_for("Timed out waiting for the callback, retrying");
    // Sent during the second backoff (2 s): stored, then taken by the third await.
    assert_eq!(http(&url, "GET", &[("Authorization", &bearer(&token))], b"").0, 200);
    let v = run.result();
    assert_eq!(v["method"], "GET");
}

/// An HTTP server on loopback that answers every request after `delay`.
fn slow_server(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                std::thread::sleep(delay);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            });
        }
    });
    format!("http://127.0.0.1:{port}/slow")
}

#[test]
fn parallel_branches_overlap_their_calls() {
    let url = slow_server(Duration::from_secs(1));
    let started = Instant::now();
    let run = start(&["tests/run/parallel_calls.yaml", "--args", &format!(r#"{{"url": "{url}"}}"#)]);
    assert_eq!(run.result(), serde_json::json!("all three answered"));
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "three 1 s calls in parallel took {took:?}");
}

#[test]
fn the_clock_moves_during_a_slow_call() {
    let url = slow_server(Duration::from_millis(1000));
    let run = start(&["tests/run/clock_after_call.yaml", "--args", &format!(r#"{{"url": "{url}"}}"#)]);
    let v = run.result();
    let (call, sleep) = (v["call"].as_f64().unwrap(), v["sleep"].as_f64().unwrap());
    assert!(call >= 0.95, "sys.now() did not move during a 1 s call: {v}");
    assert!(sleep >= 0.95, "a 1 s sleep after a slow call was cut short: {v}");
}

#[test]
fn ctrl_c_cancels() {
    let mut run = start(&["examples/callbacks/callback_basic.workflows.yaml"]);
    run.url();
    let pid = run.child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().expect("kill runs");
    assert!(killed.success());
    let (code, _, err) = run.finish();
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("status: CANCELLED"), "{err}");
}

#[test]
fn connectors_are_answered_by_mocks_or_refused_with_a_pointer_to_them() {
    let run = start(&["tests/run/connector.yaml", "--mocks", "tests/run/connector.mocks.yaml"]);
    assert_eq!(run.result(), serde_json::json!("o"));
    let (code, _, err) = start(&["tests/run/connector.yaml"]).finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("googleapis.storage.v1.objects.get") && err.contains("--mocks"), "{err}");
}
