//! `wf serve` as its users drive it: gcloud (Debian's google-cloud-cli) pointed at it, raw
//! HTTP as curl sends it, bad input, and a `kill -9` in the middle of a callback flow.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::http;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wf-serve-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `wf serve`.
struct Server {
    child: Child,
    base: String,
    lines: Receiver<String>,
    /// What it printed up to the line that says where it listens.
    early: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path, listen: &str, extra: &[&str]) -> Server {
    serve_with_env(db, listen, extra, &[])
}

fn serve_with_env(db: &Path, listen: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wf"))
        .envs(env.iter().copied())
        .args(["serve", "--listen", listen, "--db"])
        .arg(db)
        .args(["--callback-token", "tok"])
        .args(extra)
        .current_dir(root())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("wf serve starts");
    let stderr = child.stderr.take();
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr.expect("stderr is piped")).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut server = Server { child, base: String::new(), lines, early: Vec::new() };
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.base.is_empty() {
        // On a timeout the panic drops `server`, which kills and reaps the child.
        let line = server.lines.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let line = line.expect("wf serve says where it listens");
        if let Some(rest) = line.split("listening on ").nth(1) {
            server.base = rest.split('/').take(3).collect::<Vec<_>>().join("/");
        }
        server.early.push(line);
    }
    server
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Waits until `f` gives something (at most 20 s).
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

const API: &str = "/v1/projects/p/locations/us-central1";
/// What every API write sends, as gcloud and Google's clients do.
const JSON: &[(&str, &str)] = &[("Content-Type", "application/json")];

/// Execution `name` once it is no longer ACTIVE.
fn ended(base: &str, name: &str) -> serde_json::Value {
    eventually("the execution to end", || {
        let e = get(base, name);
        (e["state"] != "ACTIVE").then_some(e)
    })
}

fn deploy(base: &str, id: &str, file: &str) {
    let source = std::fs::read_to_string(root().join(file)).unwrap();
    let body = serde_json::json!({"sourceContents": source}).to_string();
    let (status, text) = http(&format!("{base}{API}/workflows?workflowId={id}"), "POST", JSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
}

fn execute(base: &str, id: &str, argument: &str) -> String {
    let body = serde_json::json!({"argument": argument}).to_string();
    let (status, text) = http(&format!("{base}{API}/workflows/{id}/executions"), "POST", JSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
    json(&text)["name"].as_str().unwrap().to_string()
}

fn get(base: &str, name: &str) -> serde_json::Value {
    let (status, text) = http(&format!("{base}/v1/{name}"), "GET", &[], b"");
    assert_eq!(status, 200, "{text}");
    json(&text)
}

/// The callback URL the execution logged.
fn callback_url(base: &str, execution: &str) -> String {
    eventually("the callback URL in the logs", || {
        let logs = get(base, &format!("{execution}/logs"));
        let text = logs["entries"].as_array()?.iter().find_map(|e| e["textPayload"].as_str().map(str::to_string))?;
        text.split("Listening for callbacks on ").nth(1).map(str::to_string)
    })
}

#[test]
fn a_callback_acknowledged_before_a_kill_9_is_processed_after_the_restart() {
    let dir = scratch("crash");
    let db = dir.join("serve.db");
    let server = serve(&db, "127.0.0.1:0", &[]);
    let base = server.base.clone();
    deploy(&base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let execution = execute(&base, "cb", "null");
    let url = callback_url(&base, &execution);
    let port = base.rsplit(':').next().unwrap().to_string();
    let (status, body) = http(&format!("{url}?order=7"), "GET", &[("Authorization", "Bearer tok")], b"");
    assert_eq!(status, 200, "{body}");
    // The 200 was sent after the commit: SIGKILL now, before anything else can happen.
    drop(server);
    let server = serve(&db, &format!("127.0.0.1:{port}"), &[]);
    let done = ended(&server.base, &execution);
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
    let result = json(done["result"].as_str().unwrap());
    assert_eq!(result["query"], serde_json::json!({"order": "7"}));
    // A request after the end gets 404.
    assert_eq!(http(&url, "GET", &[("Authorization", "Bearer tok")], b"").0, 404);
}

#[test]
fn a_waiting_execution_survives_a_kill_9_and_takes_the_request_afterwards() {
    let dir = scratch("waiting");
    let db = dir.join("serve.db");
    let server = serve(&db, "127.0.0.1:0", &[]);
    let base = server.base.clone();
    deploy(&base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let execution = execute(&base, "cb", "null");
    let url = callback_url(&base, &execution);
    let port = base.rsplit(':').next().unwrap().to_string();
    drop(server);
    let server = serve(&db, &format!("127.0.0.1:{port}"), &[]);
    let callbacks = get(&server.base, &format!("{execution}/callbacks"));
    assert_eq!(callbacks["callbacks"][0]["waiters"], "1", "{callbacks}");
    // The logged URL names the project by number; the execution's name (as gcloud shows it)
    // by id: a request to either path reaches the endpoint.
    assert!(url.contains("/projects/000000000000/"), "{url}");
    let id = url.rsplit('/').next().unwrap();
    let by_id = format!("{}/v1/{execution}/callbacks/{id}", server.base);
    assert_eq!(http(&by_id, "GET", &[("Authorization", "Bearer tok")], b"").0, 200);
    let _ = &url;
    let done = ended(&server.base, &execution);
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
}

#[test]
fn bad_input_gets_clear_errors_and_the_server_keeps_serving() {
    let dir = scratch("bad");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let base = &server.base;
    // A slow client that never finishes its headers does not hold up the others.
    let mut slow = TcpStream::connect(base.strip_prefix("http://").unwrap()).unwrap();
    slow.write_all(b"GET /v1/projects/p HTTP/1.1\r\nHost: x\r\n").unwrap();
    let (status, body) = http(&format!("{base}{API}/workflows?workflowId=w"), "POST", JSON, b"{not json");
    assert_eq!(status, 400, "{body}");
    assert_eq!(json(&body)["error"]["status"], "INVALID_ARGUMENT");
    let broken =
        serde_json::json!({"sourceContents": "main:\n  steps:\n    - a:\n        return: ${1 +}\n"}).to_string();
    let (status, body) = http(&format!("{base}{API}/workflows?workflowId=w"), "POST", JSON, broken.as_bytes());
    assert_eq!(status, 400, "{body}");
    assert!(json(&body)["error"]["message"].as_str().unwrap().contains("WF1"), "{body}");
    let (status, body) = http(&format!("{base}{API}/workflows/nope"), "GET", &[], b"");
    assert_eq!((status, json(&body)["error"]["status"].as_str()), (404, Some("NOT_FOUND")));
    let (status, _) = http(&format!("{base}{API}/workflows/nope/executions"), "POST", JSON, b"{}");
    assert_eq!(status, 404);
    deploy(base, "fizz", "examples/fizzbuzz.workflows.yaml");
    let big = serde_json::json!({"argument": format!("\"{}\"", "x".repeat(33 * 1024))}).to_string();
    let (status, body) = http(&format!("{base}{API}/workflows/fizz/executions"), "POST", JSON, big.as_bytes());
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("32 KB"), "{body}");
    let (status, body) =
        http(&format!("{base}{API}/workflows/fizz/executions"), "POST", JSON, br#"{"argument": "{nope"}"#);
    assert_eq!(status, 400, "{body}");
    deploy(base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let execution = execute(base, "cb", "null");
    let url = callback_url(base, &execution);
    let (status, _) = http(&url, "GET", &[("Authorization", "Bearer tok")], &vec![b'x'; 600 * 1024]);
    assert_eq!(status, 413);
    assert_eq!(http(&url, "GET", &[], b"").0, 401);
    assert_eq!(http(&url, "GET", &[("Authorization", "Bearer no")], b"").0, 403);
    assert_eq!(http(&url, "POST", &[("Authorization", "Bearer tok")], b"").0, 405);
    // Still serving: the fizzbuzz run succeeds.
    let e = execute(base, "fizz", r#"{"n": 3}"#);
    let done = ended(base, &e);
    assert_eq!(done["result"], r#"["1","2","Fizz"]"#);
    drop(slow);
}

/// Runs gcloud with a throwaway configuration pointed at `base`.
fn gcloud(config: &Path, base: &str, args: &[&str]) -> Output {
    Command::new("gcloud")
        .args(args)
        .args(["--location", "us-central1", "--quiet"])
        .env("CLOUDSDK_CONFIG", config)
        .env("CLOUDSDK_CORE_PROJECT", "p")
        .env("CLOUDSDK_AUTH_DISABLE_CREDENTIALS", "true")
        .env("CLOUDSDK_API_ENDPOINT_OVERRIDES_WORKFLOWS", format!("{base}/"))
        .env("CLOUDSDK_API_ENDPOINT_OVERRIDES_WORKFLOWEXECUTIONS", format!("{base}/"))
        .env("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true")
        .env("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true")
        .current_dir(root())
        .output()
        .expect("gcloud runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn gcloud_deploys_runs_lists_describes_and_cancels() {
    if Command::new("gcloud").arg("--version").output().is_err() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "gcloud is missing on CI");
        println!("SKIPPED: gcloud is not installed");
        return;
    }
    let dir = scratch("gcloud");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let base = server.base.clone();
    let config = dir.join("gcloud");
    let o = gcloud(&config, &base, &["workflows", "deploy", "fizz", "--source", "examples/fizzbuzz.workflows.yaml"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = gcloud(&config, &base, &["workflows", "run", "fizz", "--data", r#"{"n": 5}"#, "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let run: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        (run["state"].as_str(), run["result"].as_str()),
        (Some("SUCCEEDED"), Some(r#"["1","2","Fizz","4","Buzz"]"#))
    );
    // Redeploying a new source makes a new revision.
    let o = gcloud(
        &config,
        &base,
        &["workflows", "deploy", "cb", "--source", "examples/callbacks/callback_basic.workflows.yaml"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = gcloud(&config, &base, &["workflows", "execute", "cb", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let waiting: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let first = waiting["name"].as_str().unwrap().to_string();
    let o = gcloud(&config, &base, &["workflows", "execute", "cb", "--format", "json"]);
    let second =
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("JSON")["name"].as_str().unwrap().to_string();
    let o = gcloud(&config, &base, &["workflows", "executions", "list", "cb", "--format", "value(name,state)"]);
    assert!(o.status.success(), "{}", text(&o));
    let listed = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(listed.contains(&first) && listed.contains(&second) && listed.contains("ACTIVE"), "{listed}");
    let id = |name: &str| name.rsplit('/').next().unwrap().to_string();
    let o = gcloud(
        &config,
        &base,
        &["workflows", "executions", "cancel", &id(&second), "--workflow", "cb", "--format", "json"],
    );
    assert!(o.status.success(), "{}", text(&o));
    // The seeds' walkthrough: find the URL the execution logged, curl it with the token.
    let url = callback_url(&base, &first);
    let (status, _) = http(&format!("{url}?who=me"), "GET", &[("Authorization", "Bearer tok")], b"");
    assert_eq!(status, 200);
    let o = eventually("SUCCEEDED in gcloud's describe", || {
        let o = gcloud(
            &config,
            &base,
            &["workflows", "executions", "describe", &id(&first), "--workflow", "cb", "--format", "json"],
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        (v["state"] != "ACTIVE").then_some(v)
    });
    assert_eq!(o["state"], "SUCCEEDED", "{o}");
    let request = json(o["result"].as_str().unwrap());
    assert_eq!((request["method"].as_str(), request["query"]["who"].as_str()), (Some("GET"), Some("me")));
    let o = gcloud(
        &config,
        &base,
        &["workflows", "executions", "describe", &id(&second), "--workflow", "cb", "--format", "json"],
    );
    let cancelled: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(cancelled["state"], "CANCELLED");
}

#[test]
fn a_failed_execution_carries_gcw_payload_context_and_stack_trace() {
    let dir = scratch("failed");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let base = &server.base;
    deploy(base, "boom", "tests/serve/raise_in_sub.yaml");
    let e = execute(base, "boom", "null");
    let done = ended(base, &e);
    assert_eq!(done["state"], "FAILED", "{done}");
    let error = &done["error"];
    assert_eq!(error["payload"], r#""Error with iteration 2""#);
    assert_eq!(
        error["context"],
        "RuntimeError: \"Error with iteration 2\"\nin step \"boom\", routine \"inner\", line: 11\nin step \"call_it\", routine \"main\", line: 4"
    );
    let top = &error["stackTrace"]["elements"][0];
    assert_eq!((top["step"].as_str(), top["routine"].as_str()), (Some("boom"), Some("inner")));
    assert_eq!(top["position"]["line"], "11");
    assert!(done["duration"].as_str().is_some_and(|d| d.ends_with('s')), "{done}");
    let history = get(base, &format!("{e}/stepEntries"));
    let steps: Vec<(&str, &str, &str)> = history["stepEntries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["routine"].as_str().unwrap(), s["step"].as_str().unwrap(), s["state"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("main", "call_it", "STATE_SUCCEEDED"), ("inner", "boom", "STATE_FAILED")], "{history}");
    let one = get(base, &format!("{e}/stepEntries/2"));
    assert_eq!((one["entryId"].as_str(), one["step"].as_str()), (Some("2"), Some("boom")));
}

#[test]
fn dir_deploys_each_file_and_redeploys_it_when_it_changes() {
    let dir = scratch("dir");
    let flows = dir.join("flows");
    std::fs::create_dir_all(&flows).unwrap();
    std::fs::write(flows.join("hello.yaml"), "main:\n  steps:\n    - done:\n        return: 1\n").unwrap();
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &["--dir", flows.to_str().unwrap(), "--project", "p"]);
    let name = "projects/p/locations/us-central1/workflows/hello";
    let first = get(&server.base, name);
    assert!(first["revisionId"].as_str().unwrap().starts_with("000001-"), "{first}");
    let running = execute(&server.base, "hello", "null");
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(flows.join("hello.yaml"), "main:\n  steps:\n    - done:\n        return: 2\n").unwrap();
    let second = eventually("a new revision", || {
        let w = get(&server.base, name);
        w["revisionId"].as_str().unwrap().starts_with("000002-").then_some(w)
    });
    assert!(second["sourceContents"].as_str().unwrap().contains("return: 2"));
    let e = execute(&server.base, "hello", "null");
    let done = eventually("the new revision's result", || {
        let v = get(&server.base, &e);
        (v["state"] == "SUCCEEDED").then_some(v)
    });
    assert_eq!(done["result"], "2");
    assert_eq!(get(&server.base, &running)["workflowRevisionId"], first["revisionId"]);
}

#[test]
fn google_api_python_client_drives_it_over_rest() {
    let venv = root().join("target/python-client-venv");
    let made = Command::new("bash").arg(root().join("scripts/python-client-venv.sh")).arg(&venv).output();
    let python = match made {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        other => {
            let why = other.map_or_else(|e| e.to_string(), |o| String::from_utf8_lossy(&o.stderr).into_owned());
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "cannot install google-api-python-client on CI: {why}"
            );
            println!("SKIPPED: cannot install google-api-python-client: {why}");
            return;
        }
    };
    let dir = scratch("python");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let o = Command::new(python)
        .arg(root().join("tests/serve/python_client.py"))
        .arg(&server.base)
        .current_dir(root())
        .output()
        .expect("python runs");
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("python client: ok"));
}

#[test]
fn a_journal_that_no_longer_replays_fails_its_execution_with_a_message() {
    let dir = scratch("diverge");
    let db = dir.join("serve.db");
    let server = serve(&db, "127.0.0.1:0", &[]);
    let base = server.base.clone();
    deploy(&base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let execution = execute(&base, "cb", "null");
    callback_url(&base, &execution);
    let port = base.rsplit(':').next().unwrap().to_string();
    drop(server);
    // An answer to an effect the machine never asked for: the journal no longer fits the run.
    let script = format!(
        "import sqlite3; c = sqlite3.connect({db:?}); c.execute(\"INSERT INTO inputs VALUES (?, 0, 0, ?)\", ({execution:?}, '{{\"t\": \"answer\", \"id\": 999, \"result\": {{\"ok\": null}}}}')); c.commit()",
        db = db.display().to_string(),
    );
    let o = Command::new("python3").args(["-c", &script]).output().expect("python3 runs");
    assert!(o.status.success(), "{}", text(&o));
    let server = serve(&db, &format!("127.0.0.1:{port}"), &[]);
    let e = get(&server.base, &execution);
    assert_eq!(e["state"], "FAILED", "{e}");
    let context = e["error"]["context"].as_str().unwrap_or("");
    assert!(context.contains("the replay diverges from the journal at input 1 of 1"), "{e}");
}

#[test]
fn past_the_active_executions_quota_a_create_is_429_until_one_ends() {
    let dir = scratch("quota");
    let db = dir.join("serve.db");
    let server = serve(&db, "127.0.0.1:0", &["--max-active-executions", "2"]);
    let base = server.base.clone();
    deploy(&base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let first = execute(&base, "cb", "null");
    let second = execute(&base, "cb", "null");
    let create = |base: &str| http(&format!("{base}{API}/workflows/cb/executions"), "POST", JSON, b"{}");
    let (status, body) = create(&base);
    assert_eq!(status, 429, "{body}");
    assert_eq!(json(&body)["error"]["status"], "RESOURCE_EXHAUSTED", "{body}");
    assert!(body.contains("2 executions are active"), "{body}");
    // After a restart the recovered executions still count.
    let port = base.rsplit(':').next().unwrap().to_string();
    drop(server);
    let server = serve(&db, &format!("127.0.0.1:{port}"), &["--max-active-executions", "2"]);
    assert_eq!(create(&server.base).0, 429);
    // One ends (its callback arrives): there is room for one more.
    let url = callback_url(&server.base, &first);
    assert_eq!(http(&url, "GET", &[("Authorization", "Bearer tok")], b"").0, 200);
    assert_eq!(ended(&server.base, &first)["state"], "SUCCEEDED");
    let third = execute(&server.base, "cb", "null");
    assert_eq!(create(&server.base).0, 429);
    for e in [&second, &third] {
        let (status, body) = http(&format!("{}/v1/{e}:cancel", server.base), "POST", JSON, b"{}");
        assert_eq!(status, 200, "{body}");
    }
    execute(&server.base, "cb", "null");
}

#[test]
fn a_second_server_on_the_same_database_refuses_to_start_and_names_the_first() {
    let dir = scratch("second");
    let db = dir.join("serve.db");
    let first = serve(&db, "127.0.0.1:0", &[]);
    let o = Command::new(env!("CARGO_BIN_EXE_wf"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .current_dir(root())
        .output()
        .expect("wf serve runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let pid = first.child.id();
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("in use by another wf serve (process {pid} holds")),
        "{}",
        text(&o)
    );
    // The first still serves.
    let (status, _) = http(&format!("{}{API}/workflows", first.base), "GET", &[], b"");
    assert_eq!(status, 200);
}

#[test]
fn web_pages_cannot_drive_it_cross_site_or_by_dns_rebinding() {
    let dir = scratch("guard");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let base = &server.base;
    let source = serde_json::json!({"sourceContents": "main:\n  steps:\n    - a:\n        return: 1\n"}).to_string();
    let create = format!("{base}{API}/workflows?workflowId=w");
    // The no-preflight POST a page on another site can send: a form or text/plain body.
    let (status, body) = http(&create, "POST", &[("Content-Type", "text/plain")], source.as_bytes());
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Content-Type: application/json"), "{body}");
    let (status, body) = http(
        &create,
        "POST",
        &[("Content-Type", "application/json"), ("Origin", "https://evil.example")],
        source.as_bytes(),
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(json(&body)["error"]["status"], "PERMISSION_DENIED");
    // DNS rebinding: the page's own name in `Host`, the answer readable by the page.
    let port = base.rsplit(':').next().unwrap();
    let rebound = format!("evil.example:{port}");
    let (status, body) = http_with_host(&format!("{base}{API}/workflows"), &rebound);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("--allow-host evil.example"), "{body}");
    // Nothing was deployed; the server's own names still work.
    let (status, body) = http(&format!("{base}{API}/workflows"), "GET", &[], b"");
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("workflows/w"), "{body}");
    let (status, _) = http_with_host(&format!("{base}{API}/workflows"), &format!("localhost:{port}"));
    assert_eq!(status, 200);
}

/// A GET with `host` in the `Host` header.
fn http_with_host(url: &str, host: &str) -> (u16, String) {
    use std::io::Read;
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
    (status, response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

#[test]
fn the_callback_token_is_never_echoed() {
    let dir = scratch("token");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let base = &server.base;
    // The request arrives while the workflow sleeps, so it is stored before the await.
    let source = "main:\n  steps:\n    - make:\n        call: events.create_callback_endpoint\n        result: cb\n    - say:\n        call: sys.log\n        args:\n          text: ${\"Listening for callbacks on \" + cb.url}\n    - nap:\n        call: sys.sleep\n        args:\n          seconds: 2\n    - take:\n        call: events.await_callback\n        args:\n          callback: ${cb}\n        result: req\n    - show:\n        call: sys.log\n        args:\n          json: ${req}\n    - done:\n        return: ${req}\n";
    let body = serde_json::json!({"sourceContents": source}).to_string();
    let (status, text) = http(&format!("{base}{API}/workflows?workflowId=tok"), "POST", JSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
    let execution = execute(base, "tok", "null");
    let url = callback_url(base, &execution);
    let headers = [
        ("Authorization", "Bearer tok"),
        ("Proxy-Authorization", "Basic c2VjcmV0"),
        ("X-Kept", "yes"),
        ("Content-Type", "application/json"),
    ];
    assert_eq!(http(&url, "POST", &headers, b"{}").0, 200);
    let stored = get(base, &format!("{execution}/callbacks")).to_string();
    let done = ended(base, &execution);
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
    let logs = get(base, &format!("{execution}/logs")).to_string();
    assert!(done["result"].as_str().unwrap().contains("X-Kept"), "{done}");
    for shown in [&stored, &done.to_string(), &logs] {
        assert!(!shown.contains("Bearer") && !shown.contains("c2VjcmV0"), "{shown}");
        assert!(!shown.to_ascii_lowercase().contains("authorization"), "{shown}");
    }
}

#[test]
fn wrong_requests_get_the_right_answers() {
    use std::io::Read;
    let dir = scratch("answers");
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &[]);
    let base = &server.base;
    deploy(base, "fizz", "examples/fizzbuzz.workflows.yaml");
    // A malformed chunked body is a bad request, not a body too large.
    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "POST {API}/workflows/fizz/executions HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    // A PATCH whose source is not a string changes nothing and says why.
    let patch = format!("{base}{API}/workflows/fizz?updateMask=sourceContents");
    let (status, body) = http(&patch, "PATCH", JSON, br#"{"sourceContents": 7}"#);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("`sourceContents` must be a string"), "{body}");
    // Filters: `state = "X"` with spaces works, anything else is refused; a page token past
    // what the server gave is refused, not read as the first page.
    execute(base, "fizz", r#"{"n": 3}"#);
    let list = |query: &str| http(&format!("{base}{API}/workflows/fizz/executions?{query}"), "GET", &[], b"");
    let (status, body) = list("filter=state%20%3D%20%22ACTIVE%22");
    assert_eq!(status, 200, "{body}");
    let (status, body) = list("filter=name%3D%22x%22");
    assert_eq!(status, 400, "{body}");
    assert_eq!(json(&body)["error"]["status"], "INVALID_ARGUMENT");
    let (status, body) = list("pageToken=99999999999999999999999");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn a_failed_commit_acknowledges_nothing_and_the_retry_is_delivered_once() {
    use std::io::Read;
    let dir = scratch("failstop");
    let db = dir.join("serve.db");
    let mut server = serve_with_env(&db, "127.0.0.1:0", &[], &[("WF_SERVE_FAULT", "commit-after-callback")]);
    let base = server.base.clone();
    deploy(&base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let execution = execute(&base, "cb", "null");
    let url = callback_url(&base, &execution);
    // The commit of the batch that took the request fails: no answer at all, not a 200 and
    // not a 500 that a client would retry against memory that already took the request.
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "GET {target}?n=1 HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer tok\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.is_empty(), "{response}");
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    let mut said = String::new();
    while let Ok(line) = server.lines.recv_timeout(Duration::from_secs(2)) {
        said.push_str(&line);
    }
    assert!(said.contains("the store failed to commit") && said.contains("start it again"), "{said}");
    // Started again: the execution still waits, and the client's retry is delivered once.
    let port = base.rsplit(':').next().unwrap().to_string();
    let server = serve(&db, &format!("127.0.0.1:{port}"), &[]);
    let callbacks = get(&server.base, &format!("{execution}/callbacks"));
    assert_eq!(callbacks["callbacks"][0]["waiters"], "1", "{callbacks}");
    assert_eq!(http(&format!("{url}?n=2"), "GET", &[("Authorization", "Bearer tok")], b"").0, 200);
    let done = ended(&server.base, &execution);
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
    let result: serde_json::Value = serde_json::from_str(done["result"].as_str().unwrap()).unwrap();
    assert_eq!(result["query"], serde_json::json!({"n": "2"}), "{result}");
}

#[test]
fn dir_tries_a_file_that_does_not_deploy_once_until_it_changes() {
    let dir = scratch("dir-broken");
    let flows = dir.join("flows");
    std::fs::create_dir_all(&flows).unwrap();
    std::fs::write(flows.join("broken.yaml"), "main:\n  steps:\n    - done:\n        return: ${1 +}\n").unwrap();
    let big = format!("main:\n  steps:\n    - done:\n        return: \"{}\"\n", "x".repeat(200 * 1024));
    std::fs::write(flows.join("big.yaml"), big).unwrap();
    let server = serve(&dir.join("serve.db"), "127.0.0.1:0", &["--dir", flows.to_str().unwrap(), "--project", "p"]);
    std::thread::sleep(Duration::from_millis(3500));
    let mut said = server.early.clone();
    while let Ok(line) = server.lines.try_recv() {
        said.push(line);
    }
    let refusals = |file: &str| said.iter().filter(|l| l.contains(file) && l.contains("not deployed")).count();
    assert_eq!(refusals("broken.yaml"), 1, "{said:?}");
    assert_eq!(refusals("big.yaml"), 1, "{said:?}");
    assert!(said.iter().any(|l| l.contains("204") && l.contains("at most 131072 (128 KB)")), "{said:?}");
    std::fs::write(flows.join("broken.yaml"), "main:\n  steps:\n    - done:\n        return: 1\n").unwrap();
    let w = eventually("the fixed file deployed", || {
        let (status, text) =
            http(&format!("{}/v1/projects/p/locations/us-central1/workflows/broken", server.base), "GET", &[], b"");
        (status == 200).then(|| json(&text))
    });
    assert!(w["revisionId"].as_str().unwrap().starts_with("000001-"), "{w}");
}

#[test]
fn an_execution_that_takes_the_server_down_twice_is_failed_and_the_others_go_on() {
    let dir = scratch("poison");
    let db = dir.join("serve.db");
    let fault = [("WF_SERVE_FAULT", "abort-on-log")];
    let mut server = serve_with_env(&db, "127.0.0.1:0", &[], &fault);
    let base = server.base.clone();
    let port = base.rsplit(':').next().unwrap().to_string();
    let listen = format!("127.0.0.1:{port}");
    deploy(&base, "cb", "examples/callbacks/callback_basic.workflows.yaml");
    let healthy = execute(&base, "cb", "null");
    let url = callback_url(&base, &healthy);
    let poison = "main:\n  steps:\n    - nap:\n        call: sys.sleep\n        args:\n          seconds: 1\n    - boom:\n        call: sys.log\n        args:\n          text: \"wf-serve-fault: abort\"\n";
    let body = serde_json::json!({"sourceContents": poison}).to_string();
    let (status, text) = http(&format!("{base}{API}/workflows?workflowId=poison"), "POST", JSON, body.as_bytes());
    assert_eq!(status, 200, "{text}");
    let poisoned = execute(&base, "poison", "null");
    // It wakes after a second and takes the process down; started again, it is run again
    // (its wake-up was never committed) and takes it down a second time.
    for _ in 0..2 {
        let status = server.child.wait().unwrap();
        assert_eq!(status.code(), None, "killed by SIGABRT, not an exit: {status:?}");
        server = serve_with_env(&db, &listen, &[], &fault);
    }
    // The third start fails it instead, and the server stays up for the others.
    let failed = get(&server.base, &poisoned);
    assert_eq!(failed["state"], "FAILED", "{failed}");
    assert!(
        failed["error"]["context"].as_str().unwrap().contains("died 2 times while running this execution"),
        "{failed}"
    );
    assert_eq!(http(&url, "GET", &[("Authorization", "Bearer tok")], b"").0, 200);
    let done = ended(&server.base, &healthy);
    assert_eq!(done["state"], "SUCCEEDED", "{done}");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(server.child.try_wait().unwrap().is_none(), "still up");
}
