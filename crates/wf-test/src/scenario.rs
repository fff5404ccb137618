//! The scenario file format (`../shared/scenario-format.md`): loading a `*.scenario.yaml`
//! into a [`Scenario`], with errors that name the file, line, column and key.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use wf_syntax::suggest::help_for;
use wf_syntax::yaml::{Node, NodeKind, ScalarKind};
use wf_syntax::{SourceFile, Span};
use wf_vm::{Map, Value};

use std::cell::RefCell;

use crate::cases::Choices;
use crate::duration;
pub use wf_runtime::Mock;

/// 2026-01-01T00:00:00Z, the default start of the virtual clock.
pub const DEFAULT_START: f64 = 1_767_225_600.0;

/// One scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its name (the file stem unless `name:` says otherwise).
    pub name: String,
    /// The scenario file.
    pub file: PathBuf,
    /// The workflow file.
    pub workflow: PathBuf,
    /// The execution's runtime argument.
    pub args: Value,
    /// What `sys.get_env` sees.
    pub env: Vec<(String, Value)>,
    /// The virtual clock at the start, in Unix seconds.
    pub start: f64,
    /// Seeds ids, `uuid.generate` and the parallel scheduler.
    pub seed: u64,
    /// Answers to outbound calls, first match wins.
    pub mocks: Vec<Mock>,
    /// Requests that the outside world sends to callback endpoints.
    pub callbacks: Vec<CallbackSpec>,
    /// What must come out.
    pub expect: Expect,
    /// How many cases to run when the scenario has generators (`cases:`).
    pub cases: Option<u64>,
    /// `schedules: all`: run every interleaving of the parallel branches at their effect
    /// points (up to a bound) instead of the one the seed picks.
    pub schedules_all: bool,
    /// `schedule: [i, j, ...]`: the interleaving to run, as the choices between ready
    /// branches (what a `schedules: all` failure prints).
    pub schedule: Option<Vec<u32>>,
}

/// Which endpoint a callback request goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointRef {
    /// The Nth endpoint the execution created (1-based).
    Nth(usize),
    /// The latest endpoint created by this step.
    Step(String),
}

/// When a callback request is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timing {
    /// At this virtual time since the start.
    At(f64),
    /// As soon as the execution waits on the endpoint.
    Awaited,
}

/// A place in the scenario file, 1-based (the column counts characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// The line.
    pub line: u32,
    /// The column.
    pub column: u32,
}

/// A request to a callback endpoint.
#[derive(Debug, Clone)]
pub struct CallbackSpec {
    /// Which endpoint.
    pub endpoint: EndpointRef,
    /// When.
    pub timing: Timing,
    /// The HTTP method (default: the endpoint's own).
    pub method: Option<String>,
    /// Request headers.
    pub headers: Map,
    /// Query parameters.
    pub query: Map,
    /// The body, if any.
    pub body: Option<Value>,
    /// The status the endpoint must answer.
    pub expect_status: u16,
    /// Where the entry is written (for messages).
    pub place: Position,
    /// Where its `endpoint:` value is written (the entry itself when it has none).
    pub endpoint_place: Position,
    /// 0 for the request itself, 1.. for its repeats (`times: N`), whose statuses are not
    /// held to `expect_status` (a repeat after the end gets 404).
    pub repeat: u32,
}

/// Expected outcome of an execution.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// `SUCCEEDED` or `FAILED`.
    pub status: Option<String>,
    /// The result, compared as JSON.
    pub result: Option<Value>,
    /// A subset of the error.
    pub error: Option<Value>,
    /// Every `sys.log` entry, in order (each a subset match).
    pub logs: Option<Vec<Value>>,
    /// Entries that must appear in this order, others allowed around and between them
    /// (`logs: {contains: [...]}`; each a subset match).
    pub logs_contain: Option<Vec<Value>>,
    /// Virtual time from the start to the end.
    pub elapsed: Option<f64>,
    /// The most and the least virtual time it may take (`elapsed: {at_most, at_least}`).
    pub elapsed_within: (Option<f64>, Option<f64>),
    /// Statuses any of which will do (`status: {one_of: [...]}`).
    pub status_one_of: Option<Vec<String>>,
    /// Results any of which will do (`result: {one_of: [...]}`).
    pub result_one_of: Option<Vec<Value>>,
    /// The executed step names, in order.
    pub steps: Option<Vec<String>>,
}

/// A problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// `file:line:column: message`.
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

const TOP_KEYS: &[&str] = &[
    "name",
    "workflow",
    "args",
    "env",
    "start",
    "seed",
    "mocks",
    "callbacks",
    "expect",
    "cases",
    "schedules",
    "schedule",
];
const MOCK_KEYS: &[&str] = &["call", "args", "times", "latency", "returns", "raises", "fails", "fails_with"];
const CALLBACK_KEYS: &[&str] =
    &["endpoint", "at", "when", "method", "headers", "query", "body", "expect_status", "times"];

/// The most times one callback entry may be sent (`times:`).
const MAX_CALLBACK_TIMES: u64 = 100;
const EXPECT_KEYS: &[&str] = &["status", "result", "error", "logs", "elapsed", "steps"];
const ELAPSED_KEYS: &[&str] = &["at_most", "at_least"];

/// Reads and parses a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError { message: format!("{}: cannot read the scenario: {e}", path.display()) })?;
    parse(path, &text)
}

/// Parses scenario `text`, read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    parse_case(path, text, Choices::smallest()).map(|(s, _)| s)
}

/// Parses scenario `text` with its generators (`{between: ...}`, `{one_of: ...}`, `seed:
/// any`) deciding from `choices`; returns the scenario and the choices made (with the edits
/// that give its concrete text).
pub fn parse_case(path: &Path, text: &str, choices: Choices) -> Result<(Scenario, Choices), ScenarioError> {
    let source = SourceFile::new(path.display().to_string(), text);
    let (root, diags) = wf_syntax::yaml::load(&source);
    let p = Parser { source: &source, choices: RefCell::new(choices) };
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(p.error(d.span, &d.message));
    }
    let Some(root) = root else { return Err(p.error(Span::empty(0), "the scenario file is empty")) };
    let scenario = p.scenario(path, &root)?;
    Ok((scenario, p.choices.into_inner()))
}

/// Reads a mocks file (`wf run --mocks FILE`): the scenario `mocks:` format, either as a
/// map with a `mocks:` key or as the list itself.
pub fn load_mocks(path: &Path) -> Result<Vec<Mock>, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError { message: format!("{}: cannot read the mocks file: {e}", path.display()) })?;
    let source = SourceFile::new(path.display().to_string(), text);
    let (root, diags) = wf_syntax::yaml::load(&source);
    let p = Parser { source: &source, choices: RefCell::new(Choices::smallest()) };
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(p.error(d.span, &d.message));
    }
    let Some(root) = root else { return Ok(Vec::new()) };
    let list = match root.as_map() {
        Some(_) => match p.map(&root, "the mocks file", &["mocks"])?.first() {
            Some((_, list)) => list,
            None => return Ok(Vec::new()),
        },
        None => &root,
    };
    let mut out = Vec::new();
    for m in p.list_or_empty(list, "mocks")? {
        out.extend(p.mocks(m)?);
    }
    Ok(out)
}

struct Parser<'s> {
    source: &'s SourceFile,
    /// What the generators choose.
    choices: RefCell<Choices>,
}

impl Parser<'_> {
    fn error(&self, span: Span, message: &str) -> ScenarioError {
        let lc = self.source.lines().line_col(&self.source.text, span.start);
        ScenarioError { message: format!("{}:{}:{}: {message}", self.source.name, lc.line, lc.column) }
    }

    fn line(&self, span: Span) -> u32 {
        self.place(span).line
    }

    fn place(&self, span: Span) -> Position {
        let lc = self.source.lines().line_col(&self.source.text, span.start);
        Position { line: lc.line, column: lc.column }
    }

    /// The entries of a map node, after checking its keys.
    fn map<'n>(&self, node: &'n Node, what: &str, allowed: &[&str]) -> Result<&'n [(Node, Node)], ScenarioError> {
        let Some(entries) = node.as_map() else {
            return Err(self.error(node.span, &format!("{what} must be a map, found {}", node.describe())));
        };
        for (k, _) in entries {
            let key = k.key_text().unwrap_or("");
            if !allowed.contains(&key) {
                let hint = help_for(key, allowed).map(|h| format!(" ({h})")).unwrap_or_default();
                return Err(self.error(k.span, &format!("unknown key `{key}` in {what}{hint}")));
            }
        }
        Ok(entries)
    }

    fn string(&self, node: &Node, what: &str) -> Result<String, ScenarioError> {
        match node.as_scalar() {
            Some(s) if s.kind != ScalarKind::Null => Ok(s.text.clone()),
            _ => Err(self.error(node.span, &format!("`{what}` must be a string, found {}", node.describe()))),
        }
    }

    /// `{between: [A, B]}`: a duration drawn in milliseconds from A to B.
    fn between(&self, node: &Node, what: &str) -> Result<Option<f64>, ScenarioError> {
        if node.as_map().is_none() {
            return Ok(None);
        }
        let entries = self.map(node, &format!("`{what}`"), &["between"])?;
        let Some((_, range)) = entries.first() else {
            return Err(self.error(node.span, &format!("`{what}` is a duration or `{{between: [FROM, TO]}}`")));
        };
        let ends = self.list(range, "between")?;
        let [a, b] = ends else { return Err(self.error(range.span, "`between` takes two durations: [FROM, TO]")) };
        let (a, b) = (self.duration(a, what)?, self.duration(b, what)?);
        if b < a {
            return Err(self.error(range.span, "`between`: the second duration must not be before the first"));
        }
        let span_ms = ((b - a) * 1000.0).round() as u64;
        let v = self.choices.borrow_mut().draw(span_ms + 1);
        let seconds = a + v as f64 / 1000.0;
        self.choices.borrow_mut().edits.push((node.span, duration::format(seconds)));
        Ok(Some(seconds))
    }

    /// A data value, where `{one_of: [...]}` picks one of its items.
    fn generated_value(&self, node: &Node) -> Result<Value, ScenarioError> {
        if let Some(entries) = node.as_map()
            && entries.len() == 1
            && entries[0].0.key_text() == Some("one_of")
        {
            let items = self.list(&entries[0].1, "one_of")?;
            if items.is_empty() {
                return Err(self.error(entries[0].1.span, "`one_of` needs at least one value"));
            }
            let i = self.choices.borrow_mut().draw(items.len() as u64) as usize;
            let item = &items[i];
            let edits = &mut self.choices.borrow_mut().edits;
            edits.push((Span::new(node.span.start, item.span.start), String::new()));
            edits.push((Span::new(item.span.end, node.span.end), String::new()));
            return self.generated_value(item);
        }
        Ok(value(node))
    }

    fn duration(&self, node: &Node, what: &str) -> Result<f64, ScenarioError> {
        if let Some(seconds) = self.between(node, what)? {
            return Ok(seconds);
        }
        let text = match node.as_scalar() {
            Some(s) => s.text.as_str(),
            None => {
                return Err(self.error(
                    node.span,
                    &format!("`{what}` must be a duration such as `30m`, found {}", node.describe()),
                ));
            }
        };
        let seconds = duration::parse(text).map_err(|e| self.error(node.span, &format!("`{what}`: {e}")))?;
        if seconds > MAX_DURATION {
            return Err(self.error(
                node.span,
                &format!("`{what}` must be at most a year (365d), the longest a GCW execution runs, found `{text}`"),
            ));
        }
        Ok(seconds)
    }

    fn whole(&self, node: &Node, what: &str) -> Result<u64, ScenarioError> {
        let found = match node.as_scalar().map(|s| s.kind) {
            Some(ScalarKind::Int(n)) if n >= 0 => return Ok(n as u64),
            Some(ScalarKind::Int(n)) => n.to_string(),
            _ => node.describe().to_string(),
        };
        Err(self.error(node.span, &format!("`{what}` must be a whole number from 0, found {found}")))
    }

    fn scenario(&self, path: &Path, root: &Node) -> Result<Scenario, ScenarioError> {
        let entries = self.map(root, "the scenario", TOP_KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key.key_text() == Some(k)).map(|(_, v)| v);
        let name = match get("name") {
            Some(n) => self.string(n, "name")?,
            None => default_name(path),
        };
        let Some(workflow) = get("workflow") else {
            return Err(self
                .error(root.span, "the scenario has no `workflow` (the workflow file to run, relative to this file)"));
        };
        let span = workflow.span;
        let workflow = path.parent().unwrap_or(Path::new(".")).join(self.string(workflow, "workflow")?);
        if let Some(problem) = unusable_workflow(&workflow) {
            return Err(self.error(span, &problem));
        }
        let env = match get("env") {
            None => Vec::new(),
            Some(node) => {
                let Some(entries) = node.as_map() else { return Err(self.error(node.span, "`env` must be a map")) };
                let env: Vec<(String, Value)> = entries
                    .iter()
                    .map(|(k, v)| {
                        Ok((k.key_text().unwrap_or("").to_string(), Value::str(self.string(v, "env value")?)))
                    })
                    .collect::<Result<_, ScenarioError>>()?;
                let sizes = env.iter().map(|(k, v)| (k.as_str(), v.as_str().map_or(0, str::len)));
                if let Some(problem) = wf_runtime::limits::env_problem(sizes) {
                    return Err(self.error(node.span, &problem));
                }
                env
            }
        };
        let start = match get("start") {
            None => DEFAULT_START,
            Some(node) => {
                let text = self.string(node, "start")?;
                let ts: jiff::Timestamp = text
                    .parse()
                    .map_err(|e| self.error(node.span, &format!("`start` must be an RFC 3339 time: {e}")))?;
                ts.as_millisecond() as f64 / 1000.0
            }
        };
        let seed = match get("seed") {
            None => 0,
            Some(n) if n.as_scalar().is_some_and(|s| s.text == "any") => {
                let seed = self.choices.borrow_mut().draw(1 << 32);
                self.choices.borrow_mut().edits.push((n.span, seed.to_string()));
                seed
            }
            Some(n) => self.whole(n, "seed")?,
        };
        let cases = match get("cases") {
            None => None,
            Some(n) => {
                let count = self.whole(n, "cases")?;
                if let Some(why) = crate::property::bad_case_count(count) {
                    return Err(self.error(n.span, &format!("`cases`: {why}")));
                }
                Some(count)
            }
        };
        let schedules_all = match get("schedules") {
            None => false,
            Some(n) if n.as_scalar().is_some_and(|s| s.text == "all") => true,
            Some(n) => {
                return Err(self.error(n.span, "`schedules` takes `all` (every interleaving of parallel branches)"));
            }
        };
        let schedule = match get("schedule") {
            None => None,
            Some(n) => Some(
                self.list(n, "schedule")?
                    .iter()
                    .map(|c| {
                        u32::try_from(self.whole(c, "schedule")?)
                            .map_err(|_| self.error(c.span, "a `schedule` choice is a small whole number"))
                    })
                    .collect::<Result<Vec<u32>, _>>()?,
            ),
        };
        if let (true, Some(n)) = (schedules_all, get("schedule")) {
            return Err(self.error(n.span, "a scenario has either `schedules: all` or one `schedule`, not both"));
        }
        let mocks = match get("mocks") {
            None => Vec::new(),
            Some(n) => {
                let mut out = Vec::new();
                for m in self.list_or_empty(n, "mocks")? {
                    out.extend(self.mocks(m)?);
                }
                out
            }
        };
        let callbacks = match get("callbacks") {
            None => Vec::new(),
            Some(n) => {
                let mut all = Vec::new();
                for c in self.list_or_empty(n, "callbacks")? {
                    all.extend(self.callbacks(c)?);
                }
                all
            }
        };
        let expect = match get("expect") {
            None => Expect::default(),
            Some(n) => self.expect(n)?,
        };
        Ok(Scenario {
            name,
            file: path.to_path_buf(),
            workflow,
            args: get("args").map_or(Ok(Value::Null), |a| self.generated_value(a))?,
            env,
            start,
            seed,
            mocks,
            callbacks,
            expect,
            cases,
            schedules_all,
            schedule,
        })
    }

    fn list<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], ScenarioError> {
        node.as_seq()
            .ok_or_else(|| self.error(node.span, &format!("`{what}` must be a list, found {}", node.describe())))
    }

    /// A list where an empty value (`callbacks:` with every entry commented out) means none.
    fn list_or_empty<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], ScenarioError> {
        match node.as_scalar().map(|s| s.kind) {
            Some(ScalarKind::Null) => Ok(&[]),
            _ => self.list(node, what),
        }
    }

    /// A whole number, or `{between: [A, B]}`: one drawn from A to B.
    fn whole_or_between(&self, node: &Node, what: &str) -> Result<u64, ScenarioError> {
        if node.as_map().is_none() {
            return self.whole(node, what);
        }
        let entries = self.map(node, &format!("`{what}`"), &["between"])?;
        let Some((_, range)) = entries.first() else {
            return Err(self.error(node.span, &format!("`{what}` is a number or `{{between: [FROM, TO]}}`")));
        };
        let [a, b] = self.list(range, "between")? else {
            return Err(self.error(range.span, "`between` takes two whole numbers: [FROM, TO]"));
        };
        let (a, b) = (self.whole(a, what)?, self.whole(b, what)?);
        if b < a {
            return Err(self.error(range.span, "`between`: the second number must not be below the first"));
        }
        let n = a + self.choices.borrow_mut().draw(b - a + 1);
        self.choices.borrow_mut().edits.push((node.span, n.to_string()));
        Ok(n)
    }

    /// A mock, and before it the failures it answers first (`fails: N`, raising
    /// `fails_with`, a `ConnectionFailedError` unless given).
    fn mocks(&self, node: &Node) -> Result<Vec<Mock>, ScenarioError> {
        let mock = self.mock(node)?;
        let entries = node.as_map().unwrap_or(&[]);
        let get = |k: &str| entries.iter().find(|(key, _)| key.key_text() == Some(k)).map(|(_, v)| v);
        let fails = get("fails").map(|n| self.whole_or_between(n, "fails")).transpose()?.unwrap_or(0);
        if fails == 0 {
            return Ok(vec![mock]);
        }
        let error = match get("fails_with") {
            Some(e) => self.generated_value(e)?,
            None => Value::from_pairs([
                ("message", Value::str("the connection failed (a scenario's `fails:`)")),
                ("tags", Value::list(vec![Value::str(wf_vm::error::tags::CONNECTION_FAILED)])),
            ]),
        };
        let failing = Mock { times: Some(fails), answer: Err(error), ..mock.clone() };
        Ok(vec![failing, mock])
    }

    fn mock(&self, node: &Node) -> Result<Mock, ScenarioError> {
        let entries = self.map(node, "a mock", MOCK_KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key.key_text() == Some(k)).map(|(_, v)| v);
        let Some(call) = get("call") else {
            return Err(self.error(node.span, "a mock needs `call` (the call target it answers)"));
        };
        let answer = match (get("returns"), get("raises")) {
            (Some(_), Some(r)) => return Err(self.error(r.span, "a mock has either `returns` or `raises`, not both")),
            (Some(r), None) => Ok(self.generated_value(r)?),
            (None, Some(r)) => Err(self.generated_value(r)?),
            (None, None) => Ok(Value::Null),
        };
        Ok(Mock {
            call: self.string(call, "call")?,
            args: get("args").map(value),
            times: get("times").map(|n| self.whole(n, "times")).transpose()?,
            latency: get("latency").map(|n| self.duration(n, "latency")).transpose()?.unwrap_or(0.0),
            answer,
            line: self.line(node.span),
        })
    }

    /// A callback entry sent `times` times (once unless given; 0 is never): the request and
    /// its repeats, one after the other at its time.
    fn callbacks(&self, node: &Node) -> Result<Vec<CallbackSpec>, ScenarioError> {
        let spec = self.callback(node)?;
        let entries = node.as_map().unwrap_or(&[]);
        let times = match entries.iter().find(|(key, _)| key.key_text() == Some("times")) {
            None => 1,
            Some((_, n)) => {
                let times = self.whole_or_between(n, "times")?;
                if times > MAX_CALLBACK_TIMES {
                    let message = format!("`times` is at most {MAX_CALLBACK_TIMES}, found {times}");
                    return Err(self.error(n.span, &message));
                }
                times
            }
        };
        Ok((0..times as u32).map(|repeat| CallbackSpec { repeat, ..spec.clone() }).collect())
    }

    fn callback(&self, node: &Node) -> Result<CallbackSpec, ScenarioError> {
        let entries = self.map(node, "a callback", CALLBACK_KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key.key_text() == Some(k)).map(|(_, v)| v);
        let endpoint_place = self.place(get("endpoint").map_or(node.span, |n| n.span));
        let endpoint = match get("endpoint") {
            None => EndpointRef::Nth(1),
            Some(n) => match &n.kind {
                NodeKind::Scalar(s) => match s.kind {
                    ScalarKind::Int(i) if i >= 1 => EndpointRef::Nth(i as usize),
                    _ => return Err(self.error(n.span, "`endpoint` is a number from 1, or `{step: STEP_NAME}`")),
                },
                NodeKind::Map(_) => {
                    let e = self.map(n, "`endpoint`", &["step"])?;
                    match e.first() {
                        Some((_, step)) => EndpointRef::Step(self.string(step, "step")?),
                        None => return Err(self.error(n.span, "`endpoint` needs `step: STEP_NAME`")),
                    }
                }
                NodeKind::Seq(_) => {
                    return Err(self.error(n.span, "`endpoint` is a number from 1, or `{step: STEP_NAME}`"));
                }
            },
        };
        let timing = match (get("at"), get("when")) {
            (Some(_), Some(w)) => return Err(self.error(w.span, "a callback has either `at` or `when`, not both")),
            (Some(at), None) => Timing::At(self.duration(at, "at")?),
            (None, Some(w)) => match self.string(w, "when")?.as_str() {
                "awaited" => Timing::Awaited,
                other => {
                    return Err(self.error(
                        w.span,
                        &format!("`when: {other}` is not supported; use `when: awaited` or `at: DURATION`"),
                    ));
                }
            },
            (None, None) => Timing::Awaited,
        };
        let map_of = |k: &str| -> Result<Map, ScenarioError> {
            match get(k) {
                None => Ok(Map::default()),
                Some(n) => match value(n) {
                    Value::Map(m) => Ok((**m).clone()),
                    _ => Err(self.error(n.span, &format!("`{k}` must be a map"))),
                },
            }
        };
        let expect_status = match get("expect_status") {
            None => 200,
            Some(n) => u16::try_from(self.whole(n, "expect_status")?)
                .map_err(|_| self.error(n.span, "`expect_status` must be an HTTP status"))?,
        };
        Ok(CallbackSpec {
            endpoint,
            timing,
            method: get("method").map(|m| self.string(m, "method").map(|s| s.to_ascii_uppercase())).transpose()?,
            headers: map_of("headers")?,
            query: map_of("query")?,
            body: get("body").map(|b| self.generated_value(b)).transpose()?,
            expect_status,
            place: self.place(node.span),
            endpoint_place,
            repeat: 0,
        })
    }

    fn expect(&self, node: &Node) -> Result<Expect, ScenarioError> {
        let entries = self.map(node, "`expect`", EXPECT_KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key.key_text() == Some(k)).map(|(_, v)| v);
        let one_status = |n: &Node| -> Result<String, ScenarioError> {
            let s = self.string(n, "status")?.to_ascii_uppercase();
            if s != "SUCCEEDED" && s != "FAILED" {
                return Err(self.error(n.span, &format!("`status` must be SUCCEEDED or FAILED, found `{s}`")));
            }
            Ok(s)
        };
        let (mut status, mut status_one_of) = (None, None);
        match get("status") {
            None => {}
            Some(n) if n.as_map().is_some() => {
                let e = self.map(n, "`status`", &["one_of"])?;
                let Some((_, list)) = e.first() else {
                    return Err(self.error(n.span, "`status` needs `one_of: [...]`"));
                };
                status_one_of = Some(self.list(list, "one_of")?.iter().map(one_status).collect::<Result<_, _>>()?);
            }
            Some(n) => status = Some(one_status(n)?),
        }
        let (mut elapsed, mut elapsed_within) = (None, (None, None));
        match get("elapsed") {
            None => {}
            Some(n) if n.as_map().is_some_and(|m| m.iter().all(|(k, _)| k.key_text() != Some("between"))) => {
                let e = self.map(n, "`elapsed`", ELAPSED_KEYS)?;
                let bound = |k: &str| e.iter().find(|(key, _)| key.key_text() == Some(k)).map(|(_, v)| v);
                elapsed_within = (
                    bound("at_most").map(|v| self.duration(v, "at_most")).transpose()?,
                    bound("at_least").map(|v| self.duration(v, "at_least")).transpose()?,
                );
            }
            Some(n) => elapsed = Some(self.duration(n, "elapsed")?),
        }
        let (mut logs, mut logs_contain) = (None, None);
        match get("logs") {
            None => {}
            Some(n) if n.as_map().is_some() => {
                let e = self.map(n, "`logs`", &["contains"])?;
                let Some((_, list)) = e.first() else {
                    return Err(self.error(n.span, "`logs` is a list of entries, or `{contains: [ENTRY, ...]}`"));
                };
                logs_contain = Some(self.list(list, "contains")?.iter().map(value).collect());
            }
            Some(n) => logs = Some(self.list(n, "logs")?.iter().map(value).collect()),
        }
        let steps = match get("steps") {
            None => None,
            Some(n) => Some(self.list(n, "steps")?.iter().map(|s| self.string(s, "steps")).collect::<Result<_, _>>()?),
        };
        let (mut result, mut result_one_of) = (None, None);
        match get("result") {
            Some(n) if n.as_map().is_some_and(|m| m.len() == 1 && m[0].0.key_text() == Some("one_of")) => {
                let list = &n.as_map().expect("checked above")[0].1;
                result_one_of = Some(self.list(list, "one_of")?.iter().map(value).collect());
            }
            Some(n) => result = Some(value(n)),
            None => {}
        }
        Ok(Expect {
            status,
            result,
            result_one_of,
            error: get("error").map(value),
            logs,
            logs_contain,
            elapsed,
            elapsed_within,
            status_one_of,
            steps,
        })
    }
}

/// The longest duration a scenario may give (`at`, `latency`, `elapsed`): one year, the
/// longest a GCW execution runs.
pub use wf_runtime::limits::MAX_DURATION;

/// Why `workflow` cannot be the scenario's workflow file, if it cannot.
fn unusable_workflow(workflow: &Path) -> Option<String> {
    let shown = workflow.display();
    match std::fs::metadata(workflow) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!("workflow file `{shown}` does not exist")),
        Err(e) => Some(format!("cannot read the workflow file `{shown}`: {e}")),
        Ok(m) if m.is_dir() => Some(format!("`{shown}` is a folder; `workflow` names the workflow file to run")),
        Ok(m) if !m.is_file() => {
            Some(format!("`{shown}` is not a regular file; `workflow` names the workflow file to run"))
        }
        Ok(m) if m.len() == 0 => Some(format!("workflow file `{shown}` is empty")),
        Ok(_) => None,
    }
}

/// A YAML node as a run-time value (no `${}` evaluation: scenario data is literal).
pub fn value(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) => match s.kind {
            ScalarKind::Null => Value::Null,
            ScalarKind::Bool(b) => Value::Bool(b),
            ScalarKind::Int(n) => Value::Int(n),
            ScalarKind::Double(x) => Value::Double(x),
            ScalarKind::Str => Value::str(&s.text),
        },
        NodeKind::Seq(items) => Value::list(items.iter().map(value).collect()),
        NodeKind::Map(entries) => {
            Value::map(entries.iter().map(|(k, v)| (Rc::from(k.key_text().unwrap_or("")), value(v))).collect())
        }
    }
}

/// A scenario's name when it has no `name:`: the file name without `.scenario.yaml`.
pub fn default_name(path: &Path) -> String {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("scenario");
    file.trim_end_matches(".yaml").trim_end_matches(".yml").trim_end_matches(".scenario").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `body` as a scenario of `tests/scenarios/fail` driving `sleep_then_wait`.
    fn parsed(body: &str) -> Result<Scenario, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/fail");
        let text = format!("workflow: ../workflows/sleep_then_wait.workflows.yaml\n{body}");
        parse(&dir.join("t.scenario.yaml"), &text).map_err(|e| e.message)
    }

    #[test]
    fn durations_go_up_to_a_year() {
        let s = parsed("expect:\n  elapsed: 365d\ncallbacks:\n  - at: 8760h\n").expect("a year is allowed");
        assert_eq!(s.expect.elapsed, Some(MAX_DURATION));
        assert_eq!(s.callbacks[0].timing, Timing::At(MAX_DURATION));
        for (body, key) in [
            ("expect:\n  elapsed: 365d1s\n", "elapsed"),
            ("callbacks:\n  - at: 1e308\n", "at"),
            ("mocks:\n  - call: http.get\n    latency: 400d\n", "latency"),
        ] {
            let e = parsed(body).unwrap_err();
            assert!(e.contains(&format!("`{key}` must be at most a year (365d)")), "{e}");
        }
        let e = parsed(&format!("callbacks:\n  - at: {}s\n", "9".repeat(400))).unwrap_err();
        assert!(e.ends_with("is not a duration: it is too long to count"), "{e}");
    }

    #[test]
    fn whole_numbers_say_what_they_found() {
        let e = parsed("seed: -1\n").unwrap_err();
        assert!(e.ends_with(":2:7: `seed` must be a whole number from 0, found -1"), "{e}");
        let e = parsed("mocks:\n  - call: http.get\n    times: many\n").unwrap_err();
        assert!(e.ends_with("`times` must be a whole number from 0, found a string"), "{e}");
    }

    #[test]
    fn callbacks_know_where_they_and_their_endpoint_are_written() {
        let s = parsed("callbacks:\n  - body: a\n    endpoint: {step: make}\n  - at: 1s\n").expect("parses");
        assert_eq!(s.callbacks[0].place, Position { line: 3, column: 5 });
        assert_eq!(s.callbacks[0].endpoint_place, Position { line: 4, column: 15 });
        assert_eq!(s.callbacks[1].endpoint_place, Position { line: 5, column: 5 });
    }
}
