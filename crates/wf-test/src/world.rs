//! The outside world of one execution on a virtual clock: scheduled callback requests,
//! callback endpoints (DESIGN.md, section Callbacks), mocked calls, sleeps and timeouts.
//! Virtual time moves only when every fiber of the execution waits: the clock then jumps to
//! the next due event.

use std::collections::VecDeque;
use std::rc::Rc;

use wf_syntax::Span;
use wf_vm::error::{error, value_error};
use wf_vm::{Effect, EffectId, Machine, Map, Program, RunOptions, Status, Value};

use crate::duration;
use crate::matching::is_subset;
use crate::scenario::{EndpointRef, Scenario, Timing};

/// How the execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It returned this result.
    Succeeded(Value),
    /// It failed with this error, raised here.
    Failed {
        /// The error value.
        error: Value,
        /// Where it was raised.
        span: Option<Span>,
    },
    /// The scenario stopped it (an unmatched call, or nothing left to happen).
    Aborted(String),
}

/// Something that happened, for reports and snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Virtual seconds since the start.
    pub at: f64,
    /// What, in one line.
    pub what: String,
}

/// Everything observable about one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// How it ended.
    pub outcome: Outcome,
    /// Virtual seconds from the start to the end of the execution.
    pub elapsed: f64,
    /// Executed step names.
    pub steps: Vec<String>,
    /// `sys.log` entries as `{severity, text|json|data}` maps.
    pub logs: Vec<Value>,
    /// Calls, callbacks, sleeps, timeouts, in order.
    pub events: Vec<Event>,
    /// Broken expectations found while running (callback statuses, unused `when: awaited`).
    pub problems: Vec<String>,
}

enum Due {
    Wake(EffectId),
    Answer(EffectId, Result<Value, Value>),
    Timeout(EffectId, usize, f64),
    Callback(usize),
}

struct Scheduled {
    at: f64,
    /// Scenario requests (0) before the machine's own events (1) at the same instant.
    priority: u8,
    seq: u64,
    due: Due,
}

struct Endpoint {
    url: Rc<str>,
    path: String,
    method: String,
    step: String,
    slot: Option<Value>,
    waiters: VecDeque<EffectId>,
}

struct World<'s> {
    s: &'s Scenario,
    now: f64,
    seq: u64,
    queue: Vec<Scheduled>,
    endpoints: Vec<Endpoint>,
    sent: Vec<bool>,
    mock_uses: Vec<u64>,
    rng: u64,
    ended: bool,
    events: Vec<Event>,
    logs: Vec<Value>,
    problems: Vec<String>,
}

/// Runs `program` as `s` describes.
pub fn simulate(s: &Scenario, program: Rc<Program>) -> Trace {
    let options = RunOptions {
        env: s.env.iter().cloned().collect(),
        seed: s.seed,
        start_time: s.start,
        limits: wf_vm::Limits::GCW,
        trace: true,
    };
    let mut m = Machine::new(program, s.args.clone(), options);
    let mut w = World {
        s,
        now: s.start,
        seq: 0,
        queue: Vec::new(),
        endpoints: Vec::new(),
        sent: vec![false; s.callbacks.len()],
        mock_uses: vec![0; s.mocks.len()],
        rng: s.seed ^ 0xC0FF_EE00_D15E_A5E5,
        ended: false,
        events: Vec::new(),
        logs: Vec::new(),
        problems: Vec::new(),
    };
    for (i, c) in s.callbacks.iter().enumerate() {
        if let Timing::At(at) = c.timing {
            w.schedule(s.start + at, 0, Due::Callback(i));
        }
    }
    let outcome = loop {
        match m.poll() {
            Status::Done(v) => break Outcome::Succeeded(v),
            Status::Failed(r) => break Outcome::Failed { error: r.value, span: r.span },
            Status::Effect(id, effect) => {
                if let Some(abort) = w.effect(&mut m, id, effect) {
                    break Outcome::Aborted(abort);
                }
            }
            Status::Waiting => {
                let Some(next) = w.next_due() else {
                    break Outcome::Aborted("the execution waits, and nothing is scheduled to happen".into());
                };
                w.advance(next.at);
                m.set_now(w.now);
                w.fire(&mut m, next.due);
            }
        }
    };
    let elapsed = w.now - s.start;
    w.ended = true;
    // Requests scheduled after the end still arrive: they get 404.
    while let Some(next) = w.next_due() {
        if let Due::Callback(i) = next.due {
            w.advance(next.at);
            w.deliver(&mut m, i);
        }
    }
    for (i, c) in s.callbacks.iter().enumerate() {
        if c.timing == Timing::Awaited && !w.sent[i] {
            w.problems.push(format!(
                "the callback at line {} (`when: awaited`) was never sent: the execution never waited on {}",
                c.line,
                describe_endpoint(&c.endpoint)
            ));
        }
    }
    Trace {
        outcome,
        elapsed,
        steps: m.trace().iter().map(|s| s.to_string()).collect(),
        logs: w.logs,
        events: w.events,
        problems: w.problems,
    }
}

fn describe_endpoint(e: &EndpointRef) -> String {
    match e {
        EndpointRef::Nth(n) => format!("endpoint {n}"),
        EndpointRef::Step(s) => format!("the endpoint of step `{s}`"),
    }
}

fn compact(v: &Value) -> String {
    wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| j.to_string())
}

impl World<'_> {
    fn schedule(&mut self, at: f64, priority: u8, due: Due) {
        self.seq += 1;
        self.queue.push(Scheduled { at, priority, seq: self.seq, due });
    }

    /// The earliest scheduled event (ties: scenario requests first, then in order).
    fn next_due(&mut self) -> Option<Scheduled> {
        let i = self
            .queue
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| a.at.total_cmp(&b.at).then(a.priority.cmp(&b.priority)).then(a.seq.cmp(&b.seq)))
            .map(|(i, _)| i)?;
        Some(self.queue.swap_remove(i))
    }

    /// The clock never goes backwards.
    fn advance(&mut self, to: f64) {
        if to > self.now {
            self.now = to;
        }
    }

    fn note(&mut self, what: String) {
        self.events.push(Event { at: self.now - self.s.start, what });
    }

    /// Handles one effect; returns a reason to abort the execution.
    fn effect(&mut self, m: &mut Machine, id: EffectId, effect: Effect) -> Option<String> {
        match effect {
            Effect::Log { severity, field, payload } => {
                let mut entry = Map::default();
                entry.insert(Rc::from("severity"), Value::Str(severity.clone()));
                if !field.is_empty() {
                    entry.insert(Rc::from(field), payload.clone());
                }
                self.logs.push(Value::map(entry));
                let text = match &payload {
                    Value::Str(s) => s.to_string(),
                    other => compact(other),
                };
                self.note(format!("log {severity}: {text}"));
                m.answer(id, Ok(Value::Null));
            }
            Effect::Sleep { seconds } => {
                self.note(format!("sleep {}", duration::format(seconds)));
                self.schedule(self.now + seconds, 1, Due::Wake(id));
            }
            Effect::SleepUntil { time } => {
                self.note(format!("sleep until +{}", duration::format((time - self.s.start).max(0.0))));
                self.schedule(time.max(self.now), 1, Due::Wake(id));
            }
            Effect::CreateCallback { method } => {
                let url = self.endpoint_url();
                let path = url.split_once("googleapis.com").map_or(url.clone(), |(_, p)| p.to_string());
                let step = m.trace().last().map_or(String::new(), |s| s.to_string());
                self.note(format!("create endpoint {} ({method}) in step `{step}`", self.endpoints.len() + 1));
                self.endpoints.push(Endpoint {
                    url: Rc::from(url.as_str()),
                    path,
                    method: method.to_string(),
                    step,
                    slot: None,
                    waiters: VecDeque::new(),
                });
                m.answer(id, Ok(Value::from_pairs([("url", Value::str(url))])));
            }
            Effect::AwaitCallback { url, timeout } => {
                let Some(i) = self.endpoints.iter().position(|e| e.url == url) else {
                    m.answer(id, Err(value_error(format!("`{url}` is not a callback endpoint of this execution"))));
                    return None;
                };
                if let Some(request) = self.endpoints[i].slot.take() {
                    self.note(format!("await endpoint {}: takes the stored request", i + 1));
                    m.answer(id, Ok(request));
                    return None;
                }
                self.note(format!("await endpoint {} (timeout {})", i + 1, duration::format(timeout)));
                self.endpoints[i].waiters.push_back(id);
                self.schedule(self.now + timeout, 1, Due::Timeout(id, i, timeout));
                if let Some(spec) = self.next_awaited(i) {
                    self.sent[spec] = true;
                    self.deliver(m, spec);
                }
            }
            Effect::Call { function, args } => return self.call(m, id, &function, args),
        }
        None
    }

    fn call(&mut self, m: &mut Machine, id: EffectId, function: &str, args: Value) -> Option<String> {
        let found = self.s.mocks.iter().enumerate().find(|(i, mock)| {
            mock.call == function
                && mock.times.is_none_or(|t| self.mock_uses[*i] < t)
                && mock.args.as_ref().is_none_or(|want| is_subset(want, &args))
        });
        let Some((i, mock)) = found else {
            let step = m.trace().last().map_or(String::new(), |s| format!(" in step `{s}`"));
            return Some(format!(
                "no mock answers the call to `{function}`{step} with args {}; add one under `mocks:` (outbound calls never reach the network)",
                compact(&args)
            ));
        };
        self.mock_uses[i] += 1;
        let (outcome, answer) = match &mock.answer {
            Ok(v) => (format!("returns {}", compact(v)), Ok(v.clone())),
            Err(e) => (format!("raises {}", compact(e)), Err(e.clone())),
        };
        let latency = mock.latency;
        self.note(format!("call {function} {} -> {outcome} (mock at line {})", compact(&args), mock.line));
        if latency > 0.0 {
            self.schedule(self.now + latency, 1, Due::Answer(id, answer));
        } else {
            m.answer(id, answer);
        }
        None
    }

    fn fire(&mut self, m: &mut Machine, due: Due) {
        match due {
            Due::Wake(id) => m.answer(id, Ok(Value::Null)),
            Due::Answer(id, answer) => m.answer(id, answer),
            Due::Timeout(id, i, timeout) => {
                let waiters = &mut self.endpoints[i].waiters;
                if let Some(pos) = waiters.iter().position(|w| *w == id) {
                    waiters.remove(pos);
                    self.note(format!("await endpoint {} timed out", i + 1));
                    let message = format!("timed out after {} waiting for a callback", duration::format(timeout));
                    m.answer(id, Err(error("TimeoutError", message)));
                }
            }
            Due::Callback(i) => self.deliver(m, i),
        }
    }

    /// The first `when: awaited` request, not sent yet, for endpoint `i`.
    fn next_awaited(&self, i: usize) -> Option<usize> {
        self.s.callbacks.iter().enumerate().find_map(|(j, c)| {
            (c.timing == Timing::Awaited && !self.sent[j] && self.resolve(&c.endpoint) == Some(i)).then_some(j)
        })
    }

    fn resolve(&self, e: &EndpointRef) -> Option<usize> {
        match e {
            EndpointRef::Nth(n) => (*n <= self.endpoints.len()).then(|| n - 1),
            EndpointRef::Step(name) => self.endpoints.iter().rposition(|ep| ep.step == *name),
        }
    }

    /// Sends callback request `j` now and checks the status it gets.
    fn deliver(&mut self, m: &mut Machine, j: usize) {
        let spec = &self.s.callbacks[j];
        let target = self.resolve(&spec.endpoint);
        let method = spec.method.clone();
        let (status, how) = match target {
            None => (404, "no such endpoint yet".to_string()),
            Some(_) if self.ended => (404, "the execution has ended".to_string()),
            Some(i) => {
                let ep = &self.endpoints[i];
                let method = method.unwrap_or_else(|| ep.method.clone());
                if method != ep.method {
                    (405, format!("the endpoint accepts {} only", ep.method))
                } else {
                    let request = self.request(i, &method, j);
                    let ep = &mut self.endpoints[i];
                    if let Some(waiter) = ep.waiters.pop_front() {
                        m.answer(waiter, Ok(request));
                        (200, "delivered to the waiting await".to_string())
                    } else if ep.slot.is_none() {
                        ep.slot = Some(request);
                        (200, "stored until awaited".to_string())
                    } else {
                        (429, "a request is already stored".to_string())
                    }
                }
            }
        };
        let spec = &self.s.callbacks[j];
        let which = describe_endpoint(&spec.endpoint);
        let expected = spec.expect_status;
        let line = spec.line;
        self.note(format!("callback (line {line}) -> {which}: {status} ({how})"));
        if status != expected {
            self.problems.push(format!(
                "the callback at line {line} to {which} at +{} got {status} ({how}); expected {expected}",
                duration::format(self.now - self.s.start)
            ));
        }
    }

    /// The request map that `events.await_callback` returns.
    fn request(&self, i: usize, method: &str, j: usize) -> Value {
        let spec = &self.s.callbacks[j];
        let mut headers = spec.headers.clone();
        let content_type =
            headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.to_string());
        let body = match (&spec.body, content_type.as_deref()) {
            (None, _) => Value::Null,
            (Some(Value::Str(s)), Some(ct)) if ct.contains("json") => {
                match serde_json::from_str::<serde_json::Value>(s) {
                    Ok(j) => wf_vm::json::from_json(&j),
                    Err(_) => Value::Bytes(Rc::from(s.as_bytes())),
                }
            }
            (Some(Value::Str(s)), Some(ct)) if !ct.starts_with("text/") => Value::Bytes(Rc::from(s.as_bytes())),
            (Some(b @ Value::Str(_)), _) => {
                if content_type.is_none() {
                    headers.insert(Rc::from("Content-Type"), Value::str("text/plain; charset=utf-8"));
                }
                b.clone()
            }
            (Some(other), _) => {
                if content_type.is_none() {
                    headers.insert(Rc::from("Content-Type"), Value::str("application/json"));
                }
                other.clone()
            }
        };
        let mut path = self.endpoints[i].path.clone();
        if !spec.query.is_empty() {
            let q: Vec<String> = spec.query.iter().map(|(k, v)| format!("{k}={}", v)).collect();
            path = format!("{path}?{}", q.join("&"));
        }
        let received = jiff::Timestamp::from_millisecond((self.now * 1000.0).round() as i64)
            .map_or_else(|_| String::new(), |t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
        Value::from_pairs([
            (
                "http_request",
                Value::from_pairs([
                    ("body", body),
                    ("headers", Value::map(headers)),
                    ("method", Value::str(method)),
                    ("query", Value::map(spec.query.clone())),
                    ("url", Value::str(path)),
                ]),
            ),
            ("received_time", Value::str(received)),
            ("type", Value::str("HTTP")),
        ])
    }

    /// A GCW-shaped endpoint URL with a seeded id.
    fn endpoint_url(&mut self) -> String {
        // The scenario's `env`, else the machine's built-in default.
        let env = |k: &str| {
            let given = self.s.env.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.as_str().map(str::to_string));
            given.or_else(|| wf_vm::machine::built_in_env(k).map(str::to_string)).unwrap_or_default()
        };
        let project = env("GOOGLE_CLOUD_PROJECT_ID");
        let location = env("GOOGLE_CLOUD_LOCATION");
        let workflow = self
            .s
            .workflow
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("workflow")
            .split('.')
            .next()
            .unwrap_or("workflow")
            .to_string();
        let execution = format!("{:016x}", self.s.seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let id = format!("{:016x}", wf_vm::machine::splitmix64(&mut self.rng));
        format!(
            "https://workflowexecutions.googleapis.com/v1/projects/{project}/locations/{location}/workflows/{workflow}/executions/{execution}/callbacks/{id}"
        )
    }
}
