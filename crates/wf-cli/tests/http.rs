//! `wf run` with real HTTP calls against a small server on 127.0.0.1 that the test starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

/// Serves `count` requests, answering by path; returns the port.
fn serve(count: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count).flatten() {
            let _ = handle(stream);
        }
    });
    port
}

fn handle(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0;
    let mut content_type = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if let Some(v) = lower.strip_prefix("content-type:") {
            content_type = v.trim().to_string();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let (status, ctype, payload) = if target.starts_with("/echo") {
        let echo = serde_json::json!({
            "method": method,
            "target": target,
            "content_type": content_type,
            "body": String::from_utf8_lossy(&body),
        });
        (200, "application/json", echo.to_string())
    } else if target == "/text" {
        (200, "text/plain; charset=utf-8", "hello".to_string())
    } else if target == "/slow" {
        std::thread::sleep(Duration::from_millis(2500));
        (200, "text/plain", "late".to_string())
    } else {
        (404, "application/json", r#"{"error": "not found"}"#.to_string())
    };
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nX-Test: yes\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    )?;
    stream.flush()
}

fn run(workflow: &str) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("wf-http-{}-{}", std::process::id(), workflow.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("flow.yaml");
    std::fs::write(&path, workflow).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_wf")).args(["run", path.to_str().unwrap()]).output().expect("wf runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn requests_and_responses_have_gcw_shapes() {
    let port = serve(4);
    let flow = format!(
        r#"- init:
    assign:
      - failure: null
      - refused_tags: null
- post:
    call: http.post
    args:
      url: http://127.0.0.1:{port}/echo
      query: {{q: "a b", n: [1, 2]}}
      body: {{name: ada}}
    result: posted
- text:
    call: http.get
    args:
      url: http://127.0.0.1:{port}/text
    result: greeting
- missing:
    try:
      call: http.get
      args:
        url: http://127.0.0.1:{port}/nowhere
    except:
      as: e
      steps:
        - keep:
            assign:
              - failure: ${{e}}
- refused:
    try:
      call: http.get
      args:
        url: http://127.0.0.1:1/nothing-listens-here
    except:
      as: e
      steps:
        - keep_refused:
            assign:
              - refused_tags: ${{e.tags}}
- done:
    return:
      code: ${{posted.code}}
      echo: ${{posted.body}}
      header: ${{posted.headers["x-test"]}}
      greeting: ${{greeting.body}}
      failure_code: ${{failure.code}}
      failure_tags: ${{failure.tags}}
      failure_body: ${{failure.body}}
      refused: ${{refused_tags}}
"#
    );
    let (code, out, err) = run(&flow);
    assert_eq!(code, 0, "stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON result");
    assert_eq!(v["code"], 200);
    assert_eq!(v["echo"]["method"], "POST");
    assert_eq!(v["echo"]["target"], "/echo?q=a%20b&n=1&n=2");
    assert_eq!(v["echo"]["content_type"], "application/json; charset=utf-8");
    assert_eq!(v["echo"]["body"], r#"{"name":"ada"}"#);
    assert_eq!(v["header"], "yes");
    assert_eq!(v["greeting"], "hello");
    assert_eq!(v["failure_code"], 404);
    assert_eq!(v["failure_tags"], serde_json::json!(["HttpError"]));
    assert_eq!(v["failure_body"], serde_json::json!({"error": "not found"}));
    assert_eq!(v["refused"], serde_json::json!(["ConnectionFailedError"]));
}

#[test]
fn timeouts_raise_timeout_error_and_limits_are_checked() {
    let port = serve(1);
    let flow = format!(
        "- slow:\n    try:\n      call: http.get\n      args:\n        url: http://127.0.0.1:{port}/slow\n        timeout: 1\n    except:\n      as: e\n      steps:\n        - out:\n            return: ${{e.tags}}\n"
    );
    let (code, out, err) = run(&flow);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(out.contains("TimeoutError"), "{out}");
    // A literal 5000 is caught by the checker; a computed one fails at run time.
    let too_long =
        "- slow:\n    call: http.get\n    args:\n      url: http://127.0.0.1:9/x\n      timeout: ${2500 * 2}\n";
    let (code, _, err) = run(too_long);
    assert_eq!(code, 1);
    assert!(err.contains("ValueError") && err.contains("timeout"), "{err}");
}

/// Threads of process `pid` now (Linux).
fn threads_of(pid: u32) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("Threads:")).and_then(|n| n.trim().parse().ok())
}

#[cfg(target_os = "linux")]
#[test]
fn calls_to_a_slow_service_wait_for_a_bounded_number_of_threads() {
    // A service that takes connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    // 10 × 20 branches call at once (GCW runs 20 of each parallel step), each call timing out
    // after a second: 200 calls in flight, which used to be 200 threads.
    let workflow = format!(
        "main:\n  steps:\n    - fan:\n        parallel:\n          for:\n            value: i\n            range: [1, 10]\n            steps:\n              - inner:\n                  parallel:\n                    for:\n                      value: j\n                      range: [1, 20]\n                      steps:\n                        - call:\n                            try:\n                              call: http.get\n                              args:\n                                url: http://127.0.0.1:{port}/slow\n                                timeout: 1\n                            except:\n                              as: e\n                              steps:\n                                - ok:\n                                    assign:\n                                      - tag: ${{e.tags[0]}}\n    - done:\n        return: ok\n"
    );
    let dir = std::env::temp_dir().join(format!("wf-http-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fan.yaml");
    std::fs::write(&path, workflow).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wf"))
        .args(["run", path.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut most = 0;
    while child.try_wait().unwrap().is_none() {
        most = most.max(threads_of(child.id()).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"ok\"");
    // The call threads, and the few of the callback listener, the Ctrl-C handler and main.
    let bound = wf_runtime::pool::MAX_CALL_THREADS + 32;
    assert!(most > 8 && most <= bound, "{most} threads at most (bound {bound})");
}
