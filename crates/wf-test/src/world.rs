//! A scenario's world on the virtual clock: the requests it sends to callback endpoints (at a
//! time, or as soon as the execution waits on the endpoint), the answers its mocks give, and
//! the trace of what happened. The execution itself, with its endpoints and timers, is
//! `wf-runtime`'s; this module only scripts the outside and writes things down. Virtual time
//! moves only when every fiber of the execution waits: the clock then jumps to the next due
//! event.

use std::rc::Rc;

use wf_runtime::callbacks::{CallbackStatus, Endpoints, HttpRequest, ReceivedClock, Target, UrlScheme, workflow_id};
use wf_runtime::timers::TimerQueue;
use wf_runtime::{CallReply, Clock, End, EventSource, Execution, Happening, Mocks, Next, World, drive};
use wf_syntax::Span;
use wf_vm::{EffectId, Machine, Map, Origin, Program, RunOptions, Value};

use crate::duration;
use crate::scenario::{CallbackSpec, EndpointRef, Position, Scenario, Timing};

/// How the execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It returned this result.
    Succeeded(Value),
    /// It failed with this error.
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
    /// Every answer the machine was given (replaying it reproduces the run).
    pub journal: wf_runtime::Journal,
    /// The choices between ready branches, as (taken, how many), when the scenario
    /// scripts the schedule (`schedule:`, or a `schedules: all` run).
    pub schedule: Vec<(u32, u32)>,
}

/// Scenario requests (0) come before the machine's own events (1) at the same instant.
const SCENARIO_PRIORITY: u8 = 0;

struct ScenarioWorld<'s> {
    s: &'s Scenario,
    clock: Clock,
    mocks: Mocks,
    /// `at:` requests, by index into `s.callbacks`.
    scheduled: TimerQueue<usize>,
    sent: Vec<bool>,
    events: Vec<Event>,
    logs: Vec<Value>,
    problems: Vec<String>,
}

/// The machine's options for scenario `s`.
fn run_options(s: &Scenario) -> RunOptions {
    RunOptions {
        env: s.env.iter().cloned().collect(),
        seed: s.seed,
        start_time: s.start,
        limits: wf_vm::Limits::GCW,
        trace: true,
        schedule: s.schedule.clone(),
    }
}

/// A fresh machine for scenario `s` (also what a journal is replayed into).
pub fn machine(s: &Scenario, program: Rc<Program>) -> Machine {
    Machine::new(program, s.args.clone(), run_options(s))
}

/// Runs `program` as `s` describes.
pub fn simulate(s: &Scenario, program: Rc<Program>) -> Trace {
    let env = |k: &str| {
        let given = s.env.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.as_str().map(str::to_string));
        given.or_else(|| wf_vm::machine::built_in_env(k).map(str::to_string)).unwrap_or_default()
    };
    let urls = UrlScheme::gcw(
        &env("GOOGLE_CLOUD_PROJECT_NUMBER"),
        &env("GOOGLE_CLOUD_LOCATION"),
        &workflow_id(&s.workflow),
        s.seed,
    );
    let mut exec = Execution::new(machine(s, program), Endpoints::new(urls, ReceivedClock::utc(s.start)));
    let mut w = ScenarioWorld {
        s,
        clock: Clock::Virtual(s.start),
        mocks: Mocks::new(s.mocks.clone()),
        scheduled: TimerQueue::default(),
        sent: vec![false; s.callbacks.len()],
        events: Vec::new(),
        logs: Vec::new(),
        problems: Vec::new(),
    };
    for (i, c) in s.callbacks.iter().enumerate() {
        if let Timing::At(at) = c.timing {
            w.scheduled.push(s.start + at, SCENARIO_PRIORITY, i);
        }
    }
    let outcome = match drive(&mut exec, &mut w) {
        End::Succeeded(v) => Outcome::Succeeded(v),
        End::Failed(r) => Outcome::Failed { error: r.value, span: r.span },
        End::Aborted(why) => Outcome::Aborted(why),
        End::Cancelled => Outcome::Aborted("the execution was cancelled".into()),
    };
    let elapsed = w.clock.now() - s.start;
    // Requests scheduled after the end still arrive: they get 404.
    while let Some((at, j)) = w.scheduled.pop() {
        w.clock.advance_to(at);
        let (target, request) = w.request(j);
        exec.deliver(&mut w, j as u64, &target, &request);
    }
    for (i, c) in s.callbacks.iter().enumerate() {
        if c.timing == Timing::Awaited && !w.sent[i] {
            w.problems.push(format!(
                "{}: the callback (`when: awaited`) was never sent: the execution never waited on {}",
                place(s, c.endpoint_place),
                describe_endpoint(&c.endpoint)
            ));
        }
    }
    Trace {
        outcome,
        elapsed,
        steps: exec.machine().trace().iter().map(|s| s.to_string()).collect(),
        logs: w.logs,
        events: w.events,
        problems: w.problems,
        journal: exec.journal().clone(),
        schedule: exec.machine().schedule_taken().to_vec(),
    }
}

/// `file:line:column` of a place in the scenario file.
fn place(s: &Scenario, at: Position) -> String {
    format!("{}:{}:{}", s.file.display(), at.line, at.column)
}

fn describe_endpoint(e: &EndpointRef) -> String {
    match e {
        EndpointRef::Nth(n) => format!("endpoint {n}"),
        EndpointRef::Step(s) => format!("the endpoint of step `{s}`"),
    }
}

fn target(e: &EndpointRef) -> Target {
    match e {
        EndpointRef::Nth(n) => Target::Nth(*n),
        EndpointRef::Step(s) => Target::Step(s.clone()),
    }
}

fn compact(v: &Value) -> String {
    wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| j.to_string())
}

fn plain(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        other => compact(other),
    }
}

/// The HTTP request a scenario's callback entry sends: a string body as text, anything
/// else as JSON, with a matching `Content-Type` unless the entry gives one. Without a
/// `method`, it uses the endpoint's own.
fn http_request(spec: &CallbackSpec) -> HttpRequest {
    let mut headers: Vec<(String, String)> = spec.headers.iter().map(|(k, v)| (k.to_string(), plain(v))).collect();
    let has_type = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let body = spec.body.as_ref().map(|b| match b {
        Value::Str(s) => {
            if !has_type {
                headers.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
            }
            s.as_bytes().to_vec()
        }
        Value::Bytes(bytes) => bytes.to_vec(),
        other => {
            if !has_type {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            compact(other).into_bytes()
        }
    });
    HttpRequest {
        method: spec.method.clone().unwrap_or_default(),
        query: spec.query.iter().map(|(k, v)| (k.to_string(), plain(v))).collect(),
        headers,
        body,
    }
}

impl ScenarioWorld<'_> {
    fn note(&mut self, now: f64, what: String) {
        self.events.push(Event { at: now - self.s.start, what });
    }

    /// Callback entry `j` as a request.
    fn request(&self, j: usize) -> (Target, HttpRequest) {
        let spec = &self.s.callbacks[j];
        (target(&spec.endpoint), http_request(spec))
    }

    /// The first `when: awaited` request, not sent yet, for endpoint `i`.
    fn next_awaited(&self, i: usize, endpoints: &Endpoints) -> Option<usize> {
        self.s.callbacks.iter().enumerate().find_map(|(j, c)| {
            (c.timing == Timing::Awaited
                && c.repeat == 0
                && !self.sent[j]
                && endpoints.resolve(&target(&c.endpoint)) == Some(i))
            .then_some(j)
        })
    }
}

impl World for ScenarioWorld<'_> {
    fn now(&self) -> f64 {
        self.clock.now()
    }

    fn call(&mut self, _id: EffectId, function: &Rc<str>, args: &Value, origin: &Origin) -> CallReply {
        let now = self.clock.now();
        let Some(mock) = self.mocks.answer(function, args) else {
            let step = if origin.step.is_empty() { String::new() } else { format!(" in step `{}`", origin.step) };
            return CallReply::Abort(format!(
                "no mock answers the call to `{function}`{step} with args {}; add one under `mocks:` (outbound calls never reach the network)",
                compact(args)
            ));
        };
        let outcome = match &mock.answer {
            Ok(v) => format!("returns {}", compact(v)),
            Err(e) => format!("raises {}", compact(e)),
        };
        let (answer, latency, line) = (mock.answer.clone(), mock.latency, mock.line);
        self.note(now, format!("call {function} {} -> {outcome} (mock at line {line})", compact(args)));
        if latency > 0.0 { CallReply::After(latency, answer) } else { CallReply::Now(answer) }
    }

    fn observe(&mut self, now: f64, what: Happening<'_>) {
        let line = match what {
            Happening::Log { severity, field, payload } => {
                let mut entry = Map::default();
                entry.insert(Rc::from("severity"), Value::str(severity));
                if !field.is_empty() {
                    entry.insert(Rc::from(field), payload.clone());
                }
                self.logs.push(Value::map(entry));
                format!("log {severity}: {}", plain(payload))
            }
            Happening::Sleep(seconds) => format!("sleep {}", duration::format(seconds)),
            Happening::SleepUntil(time) => {
                format!("sleep until +{}", duration::format((time - self.s.start).max(0.0)))
            }
            Happening::EndpointCreated { index, method, step, .. } => {
                format!("create endpoint {} ({method}) in step `{step}`", index + 1)
            }
            Happening::AwaitTookStored(i) => format!("await endpoint {}: takes the stored request", i + 1),
            Happening::AwaitWaits(i, timeout) => {
                format!("await endpoint {} (timeout {})", i + 1, duration::format(timeout))
            }
            Happening::AwaitTimedOut(i) => format!("await endpoint {} timed out", i + 1),
        };
        self.note(now, line);
    }

    fn on_wait(&mut self, index: usize, endpoints: &Endpoints) -> Option<(u64, Target, HttpRequest)> {
        let j = self.next_awaited(index, endpoints)?;
        self.sent[j] = true;
        // Its repeats (`times: N`) follow at once, one after the other.
        let now = self.clock.now();
        for k in (j + 1..self.s.callbacks.len()).take_while(|&k| self.s.callbacks[k].repeat > 0) {
            self.sent[k] = true;
            self.scheduled.push(now, SCENARIO_PRIORITY, k);
        }
        let spec = &self.s.callbacks[j];
        Some((j as u64, target(&spec.endpoint), http_request(spec)))
    }

    fn answered(&mut self, ticket: u64, _endpoint: Option<usize>, status: &CallbackStatus) {
        let now = self.clock.now();
        let spec = &self.s.callbacks[ticket as usize];
        let (which, expected, line) = (describe_endpoint(&spec.endpoint), spec.expect_status, spec.place.line);
        let (code, how) = (status.code(), status.describe());
        let again = if spec.repeat > 0 { format!(", repeat {}", spec.repeat) } else { String::new() };
        self.note(now, format!("callback (line {line}{again}) -> {which}: {code} ({how})"));
        if code != expected && spec.repeat == 0 {
            self.problems.push(format!(
                "{}: the callback to {which} at +{} got {code} ({how}); expected {expected}",
                place(self.s, spec.place),
                duration::format(now - self.s.start)
            ));
        }
    }
}

impl EventSource for ScenarioWorld<'_> {
    fn next(&mut self, deadline: Option<f64>) -> Next {
        // A scenario request due no later than the machine's next timer comes first.
        if let Some(at) = self.scheduled.next_at()
            && deadline.is_none_or(|d| at <= d)
            && let Some((_, j)) = self.scheduled.pop()
        {
            self.clock.advance_to(at);
            let (target, request) = self.request(j);
            return Next::Callback { ticket: j as u64, target, request };
        }
        match deadline {
            Some(at) => {
                self.clock.advance_to(at);
                Next::Deadline
            }
            None => Next::Idle,
        }
    }
}
