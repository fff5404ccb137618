//! The world of one execution inside `wf serve`, for one input at a time: the clock frozen
//! at the input's time (so that replaying the input gives the same answers), `http.*` calls
//! on threads (not while replaying: the answer is in the input log), answers from mocks,
//! logs and callback statuses collected for the engine.

use std::collections::HashSet;
use std::rc::Rc;
use std::sync::mpsc::Sender;

use wf_runtime::callbacks::CallbackStatus;
use wf_runtime::execution::{CallReply, Happening, World};
use wf_runtime::{Mocks, http};
use wf_vm::{EffectId, Origin, Value};

/// What the engine's thread receives from other threads.
pub enum Msg {
    /// A request to the API (or a callback), with where to send the answer.
    Api(crate::api::ApiRequest),
    /// An outbound call of execution `name` finished.
    CallDone {
        /// The execution.
        name: String,
        /// The effect.
        id: EffectId,
        /// What came back.
        sent: Result<http::Response, http::Failure>,
    },
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Api(r) => write!(f, "Api({} {})", r.method, r.path),
            Msg::CallDone { name, id, .. } => write!(f, "CallDone({name}, {id})"),
        }
    }
}

/// A `sys.log` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Unix seconds.
    pub time: f64,
    /// `INFO`, ...
    pub severity: String,
    /// The payload as JSON.
    pub payload: serde_json::Value,
}

/// The world for one input of one execution.
pub struct StepWorld<'a> {
    /// The clock, frozen for this input.
    pub now: f64,
    /// The execution's name (for call results coming back).
    pub name: &'a str,
    /// Its mocks.
    pub mocks: &'a mut Mocks,
    /// Its calls under way.
    pub in_flight: &'a mut HashSet<EffectId>,
    /// Replaying the input log: send nothing out.
    pub replaying: bool,
    /// Where call results go.
    pub sender: &'a Sender<Msg>,
    /// Logs written during this input.
    pub logs: &'a mut Vec<LogEntry>,
    /// Statuses of callback requests answered during this input.
    pub statuses: &'a mut Vec<(u64, CallbackStatus)>,
    /// The step of the latest effect.
    pub current: &'a mut Option<(Rc<str>, Rc<str>)>,
}

impl std::fmt::Debug for StepWorld<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepWorld").field("now", &self.now).field("name", &self.name).finish()
    }
}

impl World for StepWorld<'_> {
    fn now(&self) -> f64 {
        self.now
    }

    fn call(&mut self, id: EffectId, function: &Rc<str>, args: &Value, origin: &Origin) -> CallReply {
        *self.current = Some((Rc::clone(&origin.routine), Rc::clone(&origin.step)));
        if let Some(mock) = self.mocks.answer(function, args) {
            return CallReply::After(mock.latency, mock.answer.clone());
        }
        if !function.starts_with("http.") {
            return CallReply::Abort(format!(
                "no mock answers the call to `{function}`: connectors need Google credentials; start `wf serve` with `--mocks FILE` to answer it"
            ));
        }
        let request = match http::prepare(function, args) {
            Ok(r) => r,
            Err(e) => return CallReply::Now(Err(e)),
        };
        if !self.replaying {
            let (sender, name) = (self.sender.clone(), self.name.to_string());
            let job: wf_runtime::pool::Job = Box::new(move || {
                let _ = sender.send(Msg::CallDone { name, id, sent: http::send(&request) });
            });
            if wf_runtime::pool::Pool::calls().submit(job).is_err() {
                return CallReply::Now(Err(wf_runtime::pool::no_thread()));
            }
        }
        self.in_flight.insert(id);
        CallReply::Later
    }

    fn observe(&mut self, now: f64, what: Happening<'_>) {
        if let Happening::Log { severity, payload, .. } = what {
            let payload =
                wf_vm::json::to_json(payload).unwrap_or_else(|_| serde_json::Value::String(payload.to_string()));
            self.logs.push(LogEntry { time: now, severity: severity.to_string(), payload });
        }
    }

    fn answered(&mut self, ticket: u64, _endpoint: Option<usize>, status: &CallbackStatus) {
        self.statuses.push((ticket, status.clone()));
    }
}
