//! The endpoints of one execution: creation, awaits, deliveries and timeouts.

use std::collections::VecDeque;
use std::rc::Rc;

use wf_vm::{EffectId, Value};

use super::received::ReceivedClock;
use super::request::HttpRequest;
use super::urls::UrlScheme;

/// One callback endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The full URL the workflow sees.
    pub url: Rc<str>,
    /// Its path (`/v1/projects/...`), which requests are matched on.
    pub path: String,
    /// The one HTTP method it accepts.
    pub method: String,
    /// The step that created it.
    pub step: Rc<str>,
    /// A request received while nobody waited, until an await takes it.
    pub slot: Option<Value>,
    /// Awaits waiting on it, earliest first.
    pub waiters: VecDeque<EffectId>,
}

/// Which endpoint a request is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The endpoint with this URL path (what a real HTTP request names).
    Path(String),
    /// The endpoint with this callback id (the last part of its path), whatever project
    /// form (id or number) the request's path uses.
    Id(String),
    /// The Nth endpoint the execution created, 1-based (scenarios).
    Nth(usize),
    /// The latest endpoint created by this step (scenarios).
    Step(String),
}

/// What a callback request got, with the HTTP status it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackStatus {
    /// Handed to an await that was waiting (200).
    Delivered,
    /// Kept in the endpoint's slot until an await takes it (200).
    Stored,
    /// The slot already holds a request (429).
    Busy,
    /// The endpoint accepts another method (405).
    WrongMethod {
        /// The method it accepts.
        accepts: String,
    },
    /// No such endpoint (404).
    NoSuchEndpoint,
    /// The execution has ended (404).
    Ended,
}

impl CallbackStatus {
    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            CallbackStatus::Delivered | CallbackStatus::Stored => 200,
            CallbackStatus::Busy => 429,
            CallbackStatus::WrongMethod { .. } => 405,
            CallbackStatus::NoSuchEndpoint | CallbackStatus::Ended => 404,
        }
    }

    /// Why, in a few words.
    pub fn describe(&self) -> String {
        match self {
            CallbackStatus::Delivered => "delivered to the waiting await".into(),
            CallbackStatus::Stored => "stored until awaited".into(),
            CallbackStatus::Busy => "a request is already stored".into(),
            CallbackStatus::WrongMethod { accepts } => format!("the endpoint accepts {accepts} only"),
            CallbackStatus::NoSuchEndpoint => "no such endpoint yet".into(),
            CallbackStatus::Ended => "the execution has ended".into(),
        }
    }
}

/// What an await found.
#[derive(Debug, Clone, PartialEq)]
pub enum Await {
    /// The stored request: the await returns it at once.
    Stored(Value),
    /// Nothing yet: the await waits (it is queued behind earlier waiters).
    Waits,
}

/// All endpoints of one execution.
#[derive(Debug)]
pub struct Endpoints {
    urls: UrlScheme,
    clock: ReceivedClock,
    list: Vec<Endpoint>,
    ended: bool,
}

impl Endpoints {
    /// No endpoints yet; new ones get URLs from `urls`, requests their `received_time`
    /// from `clock`.
    pub fn new(urls: UrlScheme, clock: ReceivedClock) -> Endpoints {
        Endpoints { urls, clock, list: Vec::new(), ended: false }
    }

    /// The endpoints, in creation order.
    pub fn list(&self) -> &[Endpoint] {
        &self.list
    }

    /// Creates an endpoint for `method`, made by `step`; returns its index.
    pub fn create(&mut self, method: &str, step: Rc<str>) -> usize {
        let (url, path) = self.urls.next_endpoint();
        self.list.push(Endpoint {
            url: Rc::from(url),
            path,
            method: method.to_string(),
            step,
            slot: None,
            waiters: VecDeque::new(),
        });
        self.list.len() - 1
    }

    /// The index of the endpoint with this URL.
    pub fn by_url(&self, url: &str) -> Option<usize> {
        self.list.iter().position(|e| &*e.url == url)
    }

    /// The endpoint a request is for.
    pub fn resolve(&self, target: &Target) -> Option<usize> {
        match target {
            Target::Path(path) => self.list.iter().position(|e| e.path == *path),
            Target::Id(id) => self.list.iter().position(|e| e.path.rsplit('/').next() == Some(id.as_str())),
            Target::Nth(n) => (*n >= 1 && *n <= self.list.len()).then(|| n - 1),
            Target::Step(name) => self.list.iter().rposition(|e| &*e.step == name.as_str()),
        }
    }

    /// Await `id` on endpoint `i`: takes the stored request, or joins the waiters.
    pub fn await_on(&mut self, i: usize, id: EffectId) -> Await {
        let ep = &mut self.list[i];
        match ep.slot.take() {
            Some(request) => Await::Stored(request),
            None => {
                ep.waiters.push_back(id);
                Await::Waits
            }
        }
    }

    /// The await `id` on endpoint `i` timed out: true when it was still waiting (it no
    /// longer is).
    pub fn time_out(&mut self, i: usize, id: EffectId) -> bool {
        let waiters = &mut self.list[i].waiters;
        match waiters.iter().position(|w| *w == id) {
            Some(pos) => {
                waiters.remove(pos);
                true
            }
            None => false,
        }
    }

    /// A request arrives at `now` (Unix seconds): the status it gets, and the await it
    /// wakes with the request map, if one was waiting.
    pub fn deliver(
        &mut self,
        target: &Target,
        request: &HttpRequest,
        now: f64,
    ) -> (CallbackStatus, Option<(EffectId, Value)>) {
        let Some(i) = self.resolve(target) else { return (CallbackStatus::NoSuchEndpoint, None) };
        if self.ended {
            return (CallbackStatus::Ended, None);
        }
        let ep = &mut self.list[i];
        if !request.method.is_empty() && !request.method.eq_ignore_ascii_case(&ep.method) {
            return (CallbackStatus::WrongMethod { accepts: ep.method.clone() }, None);
        }
        if let Some(waiter) = ep.waiters.pop_front() {
            return (
                CallbackStatus::Delivered,
                Some((waiter, request.to_value(&ep.path, &ep.method, now, &self.clock))),
            );
        }
        if ep.slot.is_some() {
            return (CallbackStatus::Busy, None);
        }
        ep.slot = Some(request.to_value(&ep.path, &ep.method, now, &self.clock));
        (CallbackStatus::Stored, None)
    }

    /// The execution has ended: every request from now on gets 404.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Whether the execution has ended.
    pub fn ended(&self) -> bool {
        self.ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> Endpoints {
        Endpoints::new(UrlScheme::gcw("1", "l", "w", 7), ReceivedClock::new(0.0))
    }

    fn post() -> HttpRequest {
        HttpRequest { method: "POST".into(), ..HttpRequest::default() }
    }

    #[test]
    fn a_request_wakes_the_earliest_waiter_then_fills_the_slot_then_is_refused() {
        let mut e = endpoints();
        let i = e.create("POST", Rc::from("make"));
        assert_eq!(e.await_on(i, 1), Await::Waits);
        assert_eq!(e.await_on(i, 2), Await::Waits);
        let target = Target::Nth(1);
        let (status, woken) = e.deliver(&target, &post(), 0.0);
        assert_eq!((status, woken.map(|w| w.0)), (CallbackStatus::Delivered, Some(1)));
        let (status, woken) = e.deliver(&target, &post(), 0.0);
        assert_eq!((status, woken.map(|w| w.0)), (CallbackStatus::Delivered, Some(2)));
        assert_eq!(e.deliver(&target, &post(), 0.0).0, CallbackStatus::Stored);
        assert_eq!(e.deliver(&target, &post(), 0.0).0, CallbackStatus::Busy);
        assert!(matches!(e.await_on(i, 3), Await::Stored(_)));
        assert_eq!(e.deliver(&target, &post(), 0.0).0, CallbackStatus::Stored);
    }

    #[test]
    fn wrong_method_unknown_endpoint_and_ended_execution() {
        let mut e = endpoints();
        e.create("GET", Rc::from("make"));
        let (status, _) = e.deliver(&Target::Nth(1), &post(), 0.0);
        assert_eq!(status.code(), 405);
        assert_eq!(e.deliver(&Target::Nth(2), &post(), 0.0).0, CallbackStatus::NoSuchEndpoint);
        let path = e.list()[0].path.clone();
        let get = HttpRequest { method: "get".into(), ..HttpRequest::default() };
        assert_eq!(e.deliver(&Target::Path(path.clone()), &get, 0.0).0, CallbackStatus::Stored);
        e.end();
        assert_eq!(e.deliver(&Target::Path(path), &get, 0.0).0, CallbackStatus::Ended);
    }

    #[test]
    fn a_timed_out_await_no_longer_waits() {
        let mut e = endpoints();
        let i = e.create("POST", Rc::from("make"));
        e.await_on(i, 5);
        assert!(e.time_out(i, 5));
        assert!(!e.time_out(i, 5));
        assert_eq!(e.deliver(&Target::Nth(1), &post(), 0.0).0, CallbackStatus::Stored);
    }

    #[test]
    fn steps_name_their_latest_endpoint() {
        let mut e = endpoints();
        e.create("POST", Rc::from("a"));
        e.create("POST", Rc::from("b"));
        e.create("POST", Rc::from("a"));
        assert_eq!(e.resolve(&Target::Step("a".into())), Some(2));
        assert_eq!(e.resolve(&Target::Step("c".into())), None);
        assert_eq!(e.resolve(&Target::Nth(0)), None);
    }
}
