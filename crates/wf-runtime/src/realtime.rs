//! The real world of `wf run` (and the base of `wf serve`): outbound `http.*` calls on their
//! own threads, so that parallel branches overlap; answers from mocks; callback requests and
//! Ctrl-C arriving on a channel; the wall clock (or a virtual one that skips waits).

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use wf_vm::{EffectId, Origin, Value};

use crate::callbacks::{CallbackStatus, HttpRequest, Target};
use crate::clock::Clock;
use crate::execution::{CallReply, EventSource, Happening, Next, World};
use crate::http;
use crate::mocks::Mocks;

/// Takes the status a callback request is answered with (on the listener's side).
pub type Reply = Box<dyn FnOnce(CallbackStatus) + Send>;

/// What other threads tell the driver.
pub enum Event {
    /// An outbound call finished.
    CallDone(EffectId, Result<http::Response, http::Failure>),
    /// A request arrived at a callback endpoint; `reply` gets the status to answer with.
    Callback {
        /// Which endpoint.
        target: Target,
        /// The request.
        request: HttpRequest,
        /// Where the status goes.
        reply: Reply,
    },
    /// Ctrl-C.
    Interrupt,
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::CallDone(id, _) => write!(f, "CallDone({id})"),
            Event::Callback { target, .. } => write!(f, "Callback({target:?})"),
            Event::Interrupt => write!(f, "Interrupt"),
        }
    }
}

/// How `wf run` shows what happens (logs on stderr, ...).
pub type Observer<'a> = Box<dyn FnMut(f64, &Happening<'_>) + 'a>;

/// The real world of one execution.
pub struct RealWorld<'a> {
    clock: Clock,
    mocks: Mocks,
    events: Receiver<Event>,
    sender: Sender<Event>,
    in_flight: usize,
    listening: bool,
    replies: HashMap<u64, Reply>,
    tickets: u64,
    observer: Observer<'a>,
}

impl std::fmt::Debug for RealWorld<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealWorld").field("clock", &self.clock).field("in_flight", &self.in_flight).finish()
    }
}

impl<'a> RealWorld<'a> {
    /// A world on `clock`, answering calls from `mocks` first.
    pub fn new(clock: Clock, mocks: Mocks, observer: Observer<'a>) -> RealWorld<'a> {
        let (sender, events) = channel();
        RealWorld {
            clock,
            mocks,
            events,
            sender,
            in_flight: 0,
            listening: false,
            replies: HashMap::new(),
            tickets: 0,
            observer,
        }
    }

    /// Where other threads send events (a callback listener, a Ctrl-C handler).
    pub fn sender(&self) -> Sender<Event> {
        self.sender.clone()
    }

    /// Callback requests may arrive (a listener runs): an execution that waits is not
    /// stuck.
    pub fn set_listening(&mut self, listening: bool) {
        self.listening = listening;
    }

    /// Waits for an event until `deadline` (none: as long as something can still happen).
    fn receive(&mut self, deadline: Option<f64>) -> Option<Event> {
        if let Ok(e) = self.events.try_recv() {
            return Some(e);
        }
        let blocking = self.in_flight > 0 || self.listening;
        match (deadline, self.clock.is_virtual()) {
            // Virtual time jumps to the deadline unless a real call is still under way.
            (Some(_), true) if self.in_flight == 0 => None,
            (Some(at), false) => {
                let wait = (at - self.clock.now()).max(0.0);
                self.events.recv_timeout(Duration::from_secs_f64(wait)).ok()
            }
            _ if blocking => self.events.recv().ok(),
            _ => None,
        }
    }

    /// Serves callback requests after the execution ended, until `until` (Unix seconds)
    /// or Ctrl-C: each is answered by `answer` (the ended execution's endpoints).
    pub fn linger(&mut self, until: f64, mut answer: impl FnMut(&Target, &HttpRequest) -> CallbackStatus) {
        loop {
            let wait = until - self.clock.now();
            if wait <= 0.0 {
                return;
            }
            match self.events.recv_timeout(Duration::from_secs_f64(wait)) {
                Ok(Event::Callback { target, request, reply }) => reply(answer(&target, &request)),
                Ok(Event::CallDone(..)) => {}
                Ok(Event::Interrupt) | Err(_) => return,
            }
        }
    }
}

impl World for RealWorld<'_> {
    fn now(&self) -> f64 {
        self.clock.now()
    }

    fn call(&mut self, id: EffectId, function: &Rc<str>, args: &Value, _origin: &Origin) -> CallReply {
        if let Some(mock) = self.mocks.answer(function, args) {
            return CallReply::After(mock.latency, mock.answer.clone());
        }
        if !function.starts_with("http.") {
            return CallReply::Abort(format!(
                "no mock answers the call to `{function}`: connectors and other Google services need credentials, so `wf run` does not call them; give an answer with `--mocks FILE` (the scenario `mocks:` format)"
            ));
        }
        let request = match http::prepare(function, args) {
            Ok(r) => r,
            Err(e) => return CallReply::Now(Err(e)),
        };
        let sender = self.sender.clone();
        let job: crate::pool::Job = Box::new(move || {
            let _ = sender.send(Event::CallDone(id, http::send(&request)));
        });
        if crate::pool::Pool::calls().submit(job).is_err() {
            return CallReply::Now(Err(crate::pool::no_thread()));
        }
        self.in_flight += 1;
        CallReply::Later
    }

    fn observe(&mut self, now: f64, what: Happening<'_>) {
        (self.observer)(now, &what);
    }

    fn answered(&mut self, ticket: u64, _endpoint: Option<usize>, status: &CallbackStatus) {
        if let Some(reply) = self.replies.remove(&ticket) {
            reply(status.clone());
        }
    }
}

impl EventSource for RealWorld<'_> {
    fn next(&mut self, deadline: Option<f64>) -> Next {
        match self.receive(deadline) {
            Some(Event::CallDone(id, sent)) => {
                self.in_flight -= 1;
                Next::Answer(id, http::outcome(sent))
            }
            Some(Event::Callback { target, request, reply }) => {
                self.tickets += 1;
                self.replies.insert(self.tickets, reply);
                Next::Callback { ticket: self.tickets, target, request }
            }
            Some(Event::Interrupt) => Next::Cancel,
            None => match deadline {
                Some(at) => {
                    self.clock.advance_to(at);
                    Next::Deadline
                }
                None => Next::Idle,
            },
        }
    }
}
