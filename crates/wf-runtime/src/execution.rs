//! One execution and the part of its world that is the same everywhere: the machine, its
//! callback endpoints, its timers (sleeps, backoffs, await timeouts, delayed answers) and
//! its journal. What differs between drivers (the clock, where calls go, where requests come
//! from, what is shown) is a [`World`].

use std::rc::Rc;

use wf_vm::error::{error, tags, value_error};
use wf_vm::{Effect, EffectId, Machine, Origin, Raised, Request, Status, Value};

use crate::callbacks::{Await, CallbackStatus, Endpoints, HttpRequest, Target};
use crate::duration;
use crate::journal::{Entry, Journal};
use crate::limits::MAX_DURATION;
use crate::timers::TimerQueue;

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// It returned this result.
    Succeeded(Value),
    /// It failed with this error.
    Failed(Raised),
    /// The world stopped it with this reason (an unmatched call, nothing left to happen).
    Aborted(String),
    /// It was cancelled (Ctrl-C, an API call).
    Cancelled,
}

/// How the world answers an outbound call.
#[derive(Debug, Clone, PartialEq)]
pub enum CallReply {
    /// With this, now.
    Now(Result<Value, Value>),
    /// With this, after so many seconds.
    After(f64, Result<Value, Value>),
    /// Later, through [`Execution::answer`] (a call under way on another thread).
    Later,
    /// Not at all: the execution stops with this message.
    Abort(String),
}

/// What happened, for logs, reports and traces.
#[derive(Debug, Clone, PartialEq)]
pub enum Happening<'a> {
    /// A `sys.log` entry.
    Log {
        /// `DEFAULT`, `INFO`, ...
        severity: &'a str,
        /// `text`, `json` or `data` (empty when none).
        field: &'static str,
        /// What was logged.
        payload: &'a Value,
    },
    /// A sleep or backoff of this many seconds.
    Sleep(f64),
    /// A sleep until this Unix time.
    SleepUntil(f64),
    /// Endpoint `index` (0-based) was created.
    EndpointCreated {
        /// Its index.
        index: usize,
        /// The method it accepts.
        method: &'a str,
        /// The step that made it.
        step: &'a str,
        /// Its URL.
        url: &'a str,
    },
    /// An await took the request stored at endpoint `index`.
    AwaitTookStored(usize),
    /// An await waits on endpoint `index` for at most so many seconds.
    AwaitWaits(usize, f64),
    /// An await on endpoint `index` timed out.
    AwaitTimedOut(usize),
}

/// The outside of an execution, as a driver provides it.
pub trait World {
    /// The clock's reading, in Unix seconds.
    fn now(&self) -> f64;

    /// Performs an outbound call (`http.*`, connectors, ...).
    fn call(&mut self, id: EffectId, function: &Rc<str>, args: &Value, origin: &Origin) -> CallReply;

    /// Something happened at `now`.
    fn observe(&mut self, _now: f64, _what: Happening<'_>) {}

    /// An await started waiting on endpoint `index`: a request to send to it right away,
    /// if any (scenarios' `when: awaited`), with a ticket for [`World::answered`].
    fn on_wait(&mut self, _index: usize, _endpoints: &Endpoints) -> Option<(u64, Target, HttpRequest)> {
        None
    }

    /// The request with `ticket` got `status`; `endpoint` is the one it went to, if any.
    fn answered(&mut self, _ticket: u64, _endpoint: Option<usize>, _status: &CallbackStatus) {}
}

enum Timer {
    Wake(EffectId),
    Answer(EffectId, Result<Value, Value>),
    Timeout { id: EffectId, endpoint: usize, seconds: f64 },
}

/// Machine events (sleeps, timeouts, delayed answers) come after a scenario's own events
/// due at the same time.
const MACHINE_PRIORITY: u8 = 1;

/// One running execution.
#[derive(Debug)]
pub struct Execution {
    machine: Machine,
    endpoints: Endpoints,
    timers: TimerQueue<Timer>,
    journal: Journal,
    polls: u32,
    end: Option<End>,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Timer::Wake(id) => write!(f, "wake {id}"),
            Timer::Answer(id, _) => write!(f, "answer {id}"),
            Timer::Timeout { id, .. } => write!(f, "timeout {id}"),
        }
    }
}

impl Execution {
    /// An execution of `machine` whose endpoints are `endpoints`.
    pub fn new(machine: Machine, endpoints: Endpoints) -> Execution {
        Execution {
            machine,
            endpoints,
            timers: TimerQueue::default(),
            journal: Journal::default(),
            polls: 0,
            end: None,
        }
    }

    /// The machine.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The callback endpoints.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The callback endpoints, to answer requests that come after the end.
    pub fn endpoints_mut(&mut self) -> &mut Endpoints {
        &mut self.endpoints
    }

    /// Every answer given so far.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// How it ended, once it has.
    pub fn end(&self) -> Option<&End> {
        self.end.as_ref()
    }

    /// When the earliest timer is due.
    pub fn next_timer(&self) -> Option<f64> {
        self.timers.next_at()
    }

    /// Stops the execution: it ends with `end` (when it has not ended already).
    pub fn stop(&mut self, end: End) {
        if self.end.is_none() {
            self.finish(end);
        }
    }

    fn finish(&mut self, end: End) {
        self.endpoints.end();
        self.end = Some(end);
    }

    /// Runs the machine until every fiber waits (`None`) or the execution ends.
    pub fn advance(&mut self, world: &mut dyn World) -> Option<&End> {
        while self.end.is_none() {
            self.polls += 1;
            match self.machine.poll() {
                Status::Done(v) => self.finish(End::Succeeded(v)),
                Status::Failed(r) => self.finish(End::Failed(r)),
                Status::Waiting => return None,
                Status::Effect(request) => self.effect(world, request),
            }
        }
        self.end.as_ref()
    }

    /// Gives the machine an answer, and journals it; past the one-year limit the execution
    /// fails instead (nothing is journaled: a replay reaches the same point and fails there).
    fn give(&mut self, id: EffectId, result: Result<Value, Value>, now: f64) {
        if now - self.machine.started_at() > MAX_DURATION {
            let message = "the execution ran for more than one year (31,536,000 seconds), the longest GCW allows";
            self.finish(End::Failed(Raised::new(error(tags::RESOURCE_LIMIT, message), None)));
            return;
        }
        self.journal.entries.push(Entry { polls: self.polls, id, now, result: result.clone() });
        self.polls = 0;
        if let Err(e) = self.machine.answer(id, result, now) {
            self.finish(End::Aborted(format!("internal error: {e}")));
        }
    }

    /// The answer to a call that the world ran elsewhere ([`CallReply::Later`]).
    pub fn answer(&mut self, id: EffectId, result: Result<Value, Value>, now: f64) {
        if self.end.is_none() {
            self.give(id, result, now);
        }
    }

    /// Fires the earliest timer (the clock is at or past its time).
    pub fn fire_timer(&mut self, world: &mut dyn World) {
        let Some((_, timer)) = self.timers.pop() else { return };
        if self.end.is_some() {
            return;
        }
        let now = world.now();
        match timer {
            Timer::Wake(id) => self.give(id, Ok(Value::Null), now),
            Timer::Answer(id, result) => self.give(id, result, now),
            Timer::Timeout { id, endpoint, seconds } => {
                if self.endpoints.time_out(endpoint, id) {
                    world.observe(now, Happening::AwaitTimedOut(endpoint));
                    let message = format!("timed out after {} waiting for a callback", duration::format(seconds));
                    self.give(id, Err(error(tags::TIMEOUT, message)), now);
                }
            }
        }
    }

    /// A request to a callback endpoint, from outside; the world is told the status.
    pub fn deliver(&mut self, world: &mut dyn World, ticket: u64, target: &Target, request: &HttpRequest) {
        let now = world.now();
        let endpoint = self.endpoints.resolve(target);
        let (status, woken) = self.endpoints.deliver(target, request, now);
        if let Some((id, value)) = woken {
            self.give(id, Ok(value), now);
        }
        world.answered(ticket, endpoint, &status);
    }

    fn effect(&mut self, world: &mut dyn World, request: Request) {
        let Request { id, effect, origin } = request;
        let now = world.now();
        match effect {
            Effect::Log { severity, field, payload } => {
                world.observe(now, Happening::Log { severity: &severity, field, payload: &payload });
                self.give(id, Ok(Value::Null), now);
            }
            Effect::Sleep { seconds } => {
                world.observe(now, Happening::Sleep(seconds));
                self.timers.push(now + seconds, MACHINE_PRIORITY, Timer::Wake(id));
            }
            Effect::SleepUntil { time } => {
                world.observe(now, Happening::SleepUntil(time));
                self.timers.push(time.max(now), MACHINE_PRIORITY, Timer::Wake(id));
            }
            Effect::CreateCallback { method } => {
                let index = self.endpoints.create(&method, Rc::clone(&origin.step));
                let url = Rc::clone(&self.endpoints.list()[index].url);
                world
                    .observe(now, Happening::EndpointCreated { index, method: &method, step: &origin.step, url: &url });
                self.give(id, Ok(Value::from_pairs([("url", Value::Str(url))])), now);
            }
            Effect::AwaitCallback { url, timeout } => self.await_callback(world, id, &url, timeout, now),
            Effect::Call { function, args } => match world.call(id, &function, &args, &origin) {
                CallReply::Now(result) => self.give(id, result, now),
                CallReply::After(seconds, result) => {
                    self.timers.push(now + seconds, MACHINE_PRIORITY, Timer::Answer(id, result));
                }
                CallReply::Later => {}
                CallReply::Abort(message) => self.finish(End::Aborted(message)),
            },
        }
    }

    fn await_callback(&mut self, world: &mut dyn World, id: EffectId, url: &str, timeout: f64, now: f64) {
        let Some(i) = self.endpoints.by_url(url) else {
            let message = format!("`{url}` is not a callback endpoint of this execution");
            return self.give(id, Err(value_error(message)), now);
        };
        match self.endpoints.await_on(i, id) {
            Await::Stored(request) => {
                world.observe(now, Happening::AwaitTookStored(i));
                self.give(id, Ok(request), now);
            }
            Await::Waits => {
                world.observe(now, Happening::AwaitWaits(i, timeout));
                self.timers.push(now + timeout, MACHINE_PRIORITY, Timer::Timeout { id, endpoint: i, seconds: timeout });
                if let Some((ticket, target, request)) = world.on_wait(i, &self.endpoints) {
                    self.deliver(world, ticket, &target, &request);
                }
            }
        }
    }
}

/// What happens next, as an [`EventSource`] reports it.
#[derive(Debug)]
pub enum Next {
    /// The answer to a call the world ran elsewhere.
    Answer(EffectId, Result<Value, Value>),
    /// A request to a callback endpoint.
    Callback {
        /// For [`World::answered`].
        ticket: u64,
        /// Which endpoint.
        target: Target,
        /// The request.
        request: HttpRequest,
    },
    /// The deadline passed: the earliest timer is due.
    Deadline,
    /// Nothing can ever happen.
    Idle,
    /// Stop the execution (Ctrl-C).
    Cancel,
}

/// A world that can wait for what happens next.
pub trait EventSource: World {
    /// Waits for the next event, but no later than `deadline` (the earliest timer), and
    /// moves the clock to when it happens.
    fn next(&mut self, deadline: Option<f64>) -> Next;
}

/// Runs `exec` to its end in `world`.
pub fn drive(exec: &mut Execution, world: &mut dyn EventSource) -> End {
    loop {
        if let Some(end) = exec.advance(world) {
            return end.clone();
        }
        match world.next(exec.next_timer()) {
            Next::Answer(id, result) => {
                let now = world.now();
                exec.answer(id, result, now);
            }
            Next::Callback { ticket, target, request } => exec.deliver(world, ticket, &target, &request),
            Next::Deadline => exec.fire_timer(world),
            Next::Idle => exec.stop(End::Aborted("the execution waits, and nothing is scheduled to happen".into())),
            Next::Cancel => exec.stop(End::Cancelled),
        }
    }
}
