//! The callback flow of `bench/serve/load.py`, as a fast client: EXECUTIONS executions of a
//! deployed callback workflow (`cb`, a GET endpoint) are created by CLIENTS threads over
//! keep-alive connections, so that all of them wait at once; then each gets its callback.
//! Prints one JSON object: rates, callback latency percentiles, and the checks.
//!
//! `cargo run --release -p wf-server --example load -- PORT EXECUTIONS CLIENTS TOKEN`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const API: &str = "/v1/projects/p/locations/us-central1/workflows/cb";

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn new(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Conn { writer: stream.try_clone().expect("clone"), reader: BufReader::new(stream) }
    }

    fn call(&mut self, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n",
            body.len()
        );
        self.writer.write_all(head.as_bytes()).and_then(|()| self.writer.write_all(body.as_bytes())).expect("send");
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).expect("status line");
        let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("header");
            if line.trim().is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

fn field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    Some(&json[start..start + json[start..].find('"')?])
}

/// Runs `work(conn, i)` for every i in 0..n on `clients` threads.
fn parallel<T: Send>(port: u16, clients: usize, n: usize, work: impl Fn(&mut Conn, usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                let mut conn = Conn::new(port);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let r = work(&mut conn, i);
                    out.lock().expect("lock")[i] = Some(r);
                }
            });
        }
    });
    out.into_inner().expect("lock").into_iter().map(|r| r.expect("every item ran")).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_string());
    let port: u16 = arg(1, "8080").parse().expect("PORT");
    let n: usize = arg(2, "1000").parse().expect("EXECUTIONS");
    let clients: usize = arg(3, "32").parse().expect("CLIENTS");
    let auth = format!("Authorization: Bearer {}\r\n", arg(4, "tok"));
    let t0 = Instant::now();
    let made = parallel(port, clients, n, |c, _| {
        let (status, body) = c.call("POST", &format!("{API}/executions"), "", "{}");
        assert_eq!(status, 200, "{body}");
        let name = field(&body, "name").expect("a name").to_string();
        let (_, cbs) = c.call("GET", &format!("/v1/{name}/callbacks"), "", "");
        let cb = field(&cbs, "name").expect("a callback").rsplit('/').next().unwrap_or("").to_string();
        (name.clone(), format!("/v1/{name}/callbacks/{cb}"))
    });
    let created = t0.elapsed();
    let t1 = Instant::now();
    let sent = parallel(port, clients, n, |c, i| {
        let start = Instant::now();
        let (status, _) = c.call("GET", &format!("{}?i={i}", made[i].1), &auth, "");
        (status, start.elapsed())
    });
    let called = t1.elapsed();
    let total = t0.elapsed();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut good = 0;
    while Instant::now() < deadline {
        let checks = parallel(port, clients, n, |c, i| {
            let (_, body) = c.call("GET", &format!("/v1/{}", made[i].0), "", "");
            body.contains("\"state\":\"SUCCEEDED\"") && body.contains(&format!("{{\\\"i\\\":\\\"{i}\\\"}}"))
        });
        good = checks.iter().filter(|ok| **ok).count();
        if good == n {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut latencies: Vec<f64> = sent.iter().filter(|(s, _)| *s == 200).map(|(_, d)| d.as_secs_f64() * 1e3).collect();
    latencies.sort_by(f64::total_cmp);
    let pct =
        |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN);
    println!(
        "{{\"executions\": {n}, \"clients\": {clients}, \"create_per_s\": {:.0}, \"callbacks_per_s\": {:.0}, \"end_to_end_per_s\": {:.0}, \"callback_p50_ms\": {:.2}, \"callback_p99_ms\": {:.2}, \"answered_200\": {}, \"succeeded_with_own_request\": {good}, \"lost_or_wrong\": {}}}",
        n as f64 / created.as_secs_f64(),
        n as f64 / called.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        latencies.len(),
        n - good
    );
}
