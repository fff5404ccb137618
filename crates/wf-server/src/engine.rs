//! The engine of `wf serve`: one thread that owns every workflow and execution (machines are
//! single-threaded), takes requests from the HTTP layer and results from call threads,
//! fires timers, and writes everything to the store in batches. An answer leaves the server
//! only after the batch that produced it is committed and synced: a callback answered 200,
//! a created execution, a deployed workflow are never lost to a `kill -9`.
//!
//! An execution is rebuilt after a restart by replaying its inputs (callback requests,
//! call results, timer firings, cancellation, each with the clock's value) into a fresh
//! execution of the same revision; the runtime is deterministic, so it reaches the same
//! state without sending anything out again. A call that was under way when the server
//! stopped fails with `ConnectionError` (it may or may not have reached its target).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, SystemTime};

use serde_json::{Value as Json, json};
use wf_runtime::callbacks::{CallbackStatus, Endpoints, HttpRequest, ReceivedClock, Target, UrlScheme};
use wf_runtime::clock::wall_clock;
use wf_runtime::execution::{End, Execution};
use wf_runtime::{Mock, Mocks};
use wf_syntax::{Severity, SourceFile};
use wf_vm::error::{error, tags};
use wf_vm::{EffectId, Machine, Program, RunOptions, Value};

use crate::api::{ApiRequest, Route};
use crate::callback_http::{Answer, Auth, is_callback_path};
use crate::codec;
use crate::store::{ExecutionRow, RevisionRow, Store, WorkflowRow};
use crate::world::{LogEntry, Msg, StepWorld};

/// How `wf serve` is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database file.
    pub db: PathBuf,
    /// Workflows to deploy at start, and to redeploy when they change.
    pub dir: Option<PathBuf>,
    /// The project of `--dir` deployments.
    pub project: String,
    /// The location of `--dir` deployments.
    pub location: String,
    /// Answers for outbound calls.
    pub mocks: Vec<Mock>,
    /// Who may send callback requests.
    pub auth: Auth,
    /// The server's own base URL (`http://127.0.0.1:8080`), for callback URLs.
    pub base_url: String,
    /// Active executions at most (GCW's concurrent-executions quota); one more is refused
    /// with 429 `RESOURCE_EXHAUSTED`.
    pub max_active: usize,
}

/// GCW's default quota of active executions per project and region.
pub const DEFAULT_MAX_ACTIVE: usize = 5_000;

/// A compiled revision.
#[derive(Debug)]
struct Revision {
    id: String,
    source: String,
    program: Rc<Program>,
    create_ns: i64,
}

#[derive(Debug)]
struct Workflow {
    row: WorkflowRow,
    revisions: Vec<Rc<Revision>>,
    /// The file it was deployed from (`--dir`), with its modification time.
    file: Option<(PathBuf, SystemTime)>,
}

impl Workflow {
    fn current(&self) -> Option<&Rc<Revision>> {
        self.revisions.iter().find(|r| r.id == self.row.revision_id)
    }
}

/// An execution that has not ended.
#[derive(Debug)]
struct Live {
    exec: Execution,
    mocks: Mocks,
    in_flight: HashSet<EffectId>,
    inputs: u64,
    logs: u64,
    current: Option<(Rc<str>, Rc<str>)>,
    source: Rc<Revision>,
}

#[derive(Debug)]
struct Exec {
    row: ExecutionRow,
    live: Option<Live>,
}

/// One thing fed to an execution.
#[derive(Debug, Clone, PartialEq)]
enum Input {
    Answer(EffectId, Result<Value, Value>),
    Callback(u64, String, HttpRequest),
    Timer,
    Cancel,
}

impl Input {
    fn to_json(&self) -> Json {
        match self {
            Input::Answer(id, r) => json!({"t": "answer", "id": id, "result": codec::encode_result(r)}),
            Input::Callback(ticket, path, r) => json!({
                "t": "callback", "ticket": ticket, "path": path, "method": r.method, "query": r.query,
                "headers": r.headers,
                "body": r.body.as_ref().map(|b| codec::encode(&Value::Bytes(b.as_slice().into()))),
            }),
            Input::Timer => json!({"t": "timer"}),
            Input::Cancel => json!({"t": "cancel"}),
        }
    }

    fn from_json(j: &Json) -> Option<Input> {
        let pairs = |v: &Json| -> Vec<(String, String)> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| Some((p.get(0)?.as_str()?.to_string(), p.get(1)?.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(match j.get("t")?.as_str()? {
            "answer" => Input::Answer(j.get("id")?.as_u64()?, codec::decode_result(j.get("result")?)),
            "callback" => {
                let body = match j.get("body").map(codec::decode) {
                    Some(Value::Bytes(b)) => Some(b.to_vec()),
                    _ => None,
                };
                let request = HttpRequest {
                    method: j.get("method")?.as_str()?.to_string(),
                    query: pairs(j.get("query")?),
                    headers: pairs(j.get("headers")?),
                    body,
                };
                Input::Callback(j.get("ticket")?.as_u64()?, j.get("path")?.as_str()?.to_string(), request)
            }
            "timer" => Input::Timer,
            "cancel" => Input::Cancel,
            _ => return None,
        })
    }
}

/// The engine.
pub struct Engine {
    config: Config,
    store: Store,
    workflows: BTreeMap<String, Workflow>,
    executions: HashMap<String, Exec>,
    /// How many executions are running (have a live machine).
    active: usize,
    /// Execution names in creation order.
    order: Vec<String>,
    /// Execution names by execution id.
    by_id: HashMap<String, String>,
    operations: HashMap<String, Json>,
    sender: Sender<Msg>,
    /// Answers waiting for the batch to be committed.
    after_commit: Vec<(tokio::sync::oneshot::Sender<Answer>, Answer)>,
    next_id: u64,
    rng: u64,
    /// Fault injection for the fail-stop test (`WF_SERVE_FAULT=commit-after-callback`): the
    /// commit of the next batch that journals a callback request fails.
    fault_commit_after_callback: bool,
    /// Set when that batch is being built.
    fail_this_commit: bool,
    /// Fault injection for the crash-loop test (`WF_SERVE_FAULT=abort-on-log`): an
    /// execution that logs `wf-serve-fault: abort` takes the process down, also in replay.
    fault_abort_on_log: bool,
    /// Which execution is being run, for the next start if the process dies meanwhile.
    running: crate::crashes::Running,
    /// Executions the process died running (with how many times), until they progress.
    deaths: HashMap<String, u32>,
    /// The modification time of each `--dir` file when it was last tried, deployed or not:
    /// a file is read and checked again only once it changes.
    dir_tried: HashMap<PathBuf, Option<SystemTime>>,
}

/// How many times a batch tries to begin its transaction (each try waits out the store's
/// busy timeout) before the server stops.
const BEGIN_TRIES: u32 = 6;

/// Ends the process when the store cannot take a write: the engine's memory may hold what
/// the store does not (a callback taken, an execution advanced), and answering from it would
/// acknowledge what a crash would lose, or deliver a retried request twice. No answer of
/// the failed batch is sent; started again, the server recovers from what was committed.
fn fail_stop(why: &str) -> ! {
    eprintln!(
        "wf serve: {why}. Stopping without answering the requests of this batch, so that nothing is acknowledged that is not stored; start it again to go on from the database"
    );
    std::process::exit(1)
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("workflows", &self.workflows.len())
            .field("executions", &self.order.len())
            .finish()
    }
}

fn ns(t: f64) -> i64 {
    (t * 1e9) as i64
}

/// RFC 3339 with nanoseconds, as GCW writes times.
fn rfc3339(time_ns: i64) -> String {
    jiff::Timestamp::from_nanosecond(i128::from(time_ns)).map_or_else(|_| String::new(), |t| t.to_string())
}

/// A duration as protobuf's JSON writes it (`"1.5s"`).
fn duration(ns: i64) -> String {
    let s = ns as f64 / 1e9;
    let text = format!("{s:.9}");
    format!("{}s", text.trim_end_matches('0').trim_end_matches('.'))
}

fn bad(message: &str) -> Answer {
    Answer::error(400, message)
}

fn not_found(what: &str) -> Answer {
    Answer::error(404, &format!("{what} not found"))
}

fn ok(body: Json) -> Answer {
    Answer { status: 200, body: body.to_string() }
}

impl Engine {
    /// Opens the store, loads what it holds, and rebuilds every active execution.
    pub fn open(config: Config, sender: Sender<Msg>) -> Result<Engine, String> {
        let store = Store::open(&config.db)?;
        let (running, died_in) = crate::crashes::Running::open(&config.db)?;
        if let Some(name) = &died_in {
            // Counted and committed before anything runs, so that a loop of deaths ends.
            let count = |s: &Store| -> rusqlite::Result<()> {
                s.begin()?;
                let deaths = s.recovery_attempts(name)? + 1;
                s.set_recovery_attempts(name, deaths)?;
                s.commit()
            };
            count(&store).map_err(|e| format!("cannot write `{}`: {e}", config.db.display()))?;
        }
        let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let mut engine = Engine {
            config,
            store,
            workflows: BTreeMap::new(),
            executions: HashMap::new(),
            active: 0,
            order: Vec::new(),
            by_id: HashMap::new(),
            operations: HashMap::new(),
            sender,
            after_commit: Vec::new(),
            next_id: 0,
            rng: seed,
            fault_commit_after_callback: std::env::var("WF_SERVE_FAULT").is_ok_and(|f| f == "commit-after-callback"),
            fail_this_commit: false,
            fault_abort_on_log: std::env::var("WF_SERVE_FAULT").is_ok_and(|f| f == "abort-on-log"),
            running,
            deaths: HashMap::new(),
            dir_tried: HashMap::new(),
        };
        engine.load().map_err(|e| format!("cannot read `{}`: {e}", engine.config.db.display()))?;
        engine.deploy_dir(true);
        Ok(engine)
    }

    fn load(&mut self) -> rusqlite::Result<()> {
        let mut revisions: HashMap<String, Vec<Rc<Revision>>> = HashMap::new();
        for r in self.store.revisions()? {
            if let Ok(program) = compile(&r.workflow, &r.source) {
                let rev =
                    Revision { id: r.revision_id, source: r.source, program: Rc::new(program), create_ns: r.create_ns };
                revisions.entry(r.workflow).or_default().push(Rc::new(rev));
            }
        }
        for row in self.store.workflows()? {
            let revs = revisions.get(&row.name).cloned().unwrap_or_default();
            self.workflows.insert(row.name.clone(), Workflow { row, revisions: revs, file: None });
        }
        let rows = self.store.executions()?;
        self.store.begin()?;
        for row in rows {
            let name = row.name.clone();
            let active = row.state == "ACTIVE";
            self.order.push(name.clone());
            self.by_id.insert(name.rsplit('/').next().unwrap_or("").to_string(), name.clone());
            let revision =
                revisions.get(&row.workflow).and_then(|rs| rs.iter().find(|r| r.id == row.revision_id)).cloned();
            self.executions.insert(name.clone(), Exec { row, live: None });
            if active {
                let deaths = self.store.recovery_attempts(&name)?;
                if deaths >= crate::crashes::MAX_DEATHS {
                    self.fail_now(
                        &name,
                        &format!(
                            "the wf serve process died {deaths} times while running this execution; it is failed so that the server and the other executions can run"
                        ),
                    );
                    self.store.clear_recovery(&name)?;
                    continue;
                }
                if deaths > 0 {
                    self.deaths.insert(name.clone(), deaths);
                }
                match revision {
                    Some(rev) => self.recover(&name, rev)?,
                    None => self.fail_now(&name, "the revision this execution ran is missing from the store"),
                }
            }
        }
        self.store.commit()
    }

    /// Rebuilds an active execution from its inputs.
    fn recover(&mut self, name: &str, rev: Rc<Revision>) -> rusqlite::Result<()> {
        let inputs = self.store.inputs(name)?;
        let logs = self.store.logs(name)?.len() as u64;
        let Some(e) = self.executions.get_mut(name) else { return Ok(()) };
        let mut live = start_live(&e.row, rev, &self.config);
        live.logs = logs;
        e.live = Some(live);
        self.active += 1;
        self.step(name, None, e_start(name, &self.executions), true);
        let total = inputs.len();
        for (k, (now, text)) in inputs.iter().enumerate() {
            let diverged =
                |why: &str| format!("the replay diverges from the journal at input {} of {total}: {why}", k + 1);
            let input = serde_json::from_str::<Json>(text).ok().and_then(|j| Input::from_json(&j));
            let Some(input) = input else {
                self.fail_now(name, &diverged("the input cannot be read"));
                return Ok(());
            };
            self.step(name, Some(input), *now, true);
            match self.executions.get_mut(name).and_then(|e| e.live.as_mut()) {
                Some(live) => live.inputs += 1,
                // An execution stored as ACTIVE cannot have ended by its inputs: the end is
                // committed with the input that caused it.
                None => {
                    let what = self.executions.get(name).map_or(String::new(), |e| {
                        let detail = e.row.error.as_deref().unwrap_or("");
                        format!("the execution ended as {} during the replay {detail}", e.row.state)
                    });
                    self.fail_now(name, &diverged(what.trim()));
                    return Ok(());
                }
            }
        }
        // Calls under way at the crash: their answers are lost, and sending them again could
        // do things twice.
        let lost: Vec<EffectId> = self
            .executions
            .get(name)
            .and_then(|e| e.live.as_ref())
            .map(|l| l.in_flight.iter().copied().collect())
            .unwrap_or_default();
        let mut lost = lost;
        lost.sort_unstable();
        for id in lost {
            let e = error(
                tags::CONNECTION,
                "wf serve restarted while this call was under way; it may or may not have reached its target",
            );
            self.step(name, Some(Input::Answer(id, Err(e))), wall_clock(), false);
        }
        Ok(())
    }

    fn fail_now(&mut self, name: &str, message: &str) {
        if let Some(e) = self.executions.get_mut(name) {
            if e.live.take().is_some() {
                self.active -= 1;
            }
            e.row.state = "FAILED".into();
            e.row.end_ns = Some(ns(wall_clock()));
            e.row.error =
                Some(json!({"payload": Json::String(message.into()).to_string(), "context": message}).to_string());
            let _ = self.store.put_execution(&e.row);
        }
    }

    /// Serves until every sender is gone.
    pub fn run(mut self, messages: Receiver<Msg>) {
        let mut last_scan = wall_clock();
        loop {
            let wait = self.next_deadline().map(|at| (at - wall_clock()).clamp(0.0, 1.0)).unwrap_or(1.0);
            let first = match messages.recv_timeout(Duration::from_secs_f64(wait)) {
                Ok(m) => Some(m),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            // A lock another process holds is waited out (the store's busy timeout, several
            // times); the message taken stays in hand meanwhile, and if the store never
            // frees up the server stops rather than drop it.
            let mut tries = 0;
            while let Err(e) = self.store.begin() {
                tries += 1;
                if tries >= BEGIN_TRIES {
                    fail_stop(&format!("the store stayed locked ({e})"));
                }
            }
            if let Some(m) = first {
                self.handle(m);
                // Group commit: everything already queued joins this batch.
                for m in messages.try_iter().take(4096) {
                    self.handle(m);
                }
            }
            self.fire_timers();
            if wall_clock() - last_scan >= 1.0 {
                last_scan = wall_clock();
                self.deploy_dir(false);
            }
            let committed = if std::mem::take(&mut self.fail_this_commit) {
                Err("injected by WF_SERVE_FAULT=commit-after-callback".to_string())
            } else {
                self.store.commit().map_err(|e| e.to_string())
            };
            if let Err(e) = committed {
                fail_stop(&format!("the store failed to commit ({e})"));
            }
            for (reply, answer) in self.after_commit.drain(..) {
                let _ = reply.send(answer);
            }
        }
    }

    fn next_deadline(&self) -> Option<f64> {
        self.executions.values().filter_map(|e| e.live.as_ref()?.exec.next_timer()).min_by(f64::total_cmp)
    }

    fn fire_timers(&mut self) {
        let now = wall_clock();
        let due: Vec<String> = self
            .executions
            .iter()
            .filter(|(_, e)| e.live.as_ref().and_then(|l| l.exec.next_timer()).is_some_and(|t| t <= now))
            .map(|(n, _)| n.clone())
            .collect();
        for name in due {
            // One firing per loop: an execution whose next timer is also due fires next time.
            self.feed(&name, Input::Timer, now);
        }
    }

    fn handle(&mut self, m: Msg) {
        match m {
            Msg::CallDone { name, id, sent } => {
                let result = wf_runtime::http::outcome(sent);
                self.feed(&name, Input::Answer(id, result), wall_clock());
            }
            Msg::Api(req) => {
                let answer = self.api(&req);
                self.after_commit.push((req.reply, answer));
            }
        }
    }

    /// Logs `input` for execution `name` and applies it.
    fn feed(&mut self, name: &str, input: Input, now: f64) {
        let Some(live) = self.executions.get_mut(name).and_then(|e| e.live.as_mut()) else { return };
        let seq = live.inputs;
        live.inputs += 1;
        if let Err(e) = self.store.put_input(name, seq, now, &input.to_json().to_string()) {
            eprintln!("wf serve: cannot store an input of {name}: {e}");
        }
        self.step(name, Some(input), now, false);
    }

    /// Applies `input` (none: the start) at `now` and runs the execution until it waits;
    /// stores what changed. Returns the statuses of callback requests answered.
    fn step(&mut self, name: &str, input: Option<Input>, now: f64, replaying: bool) -> Vec<(u64, CallbackStatus)> {
        self.running.begin(name);
        let statuses = self.run_step(name, input, now, replaying);
        self.running.clear();
        // Progress, committed with this batch: the deaths before it no longer count.
        if !replaying && self.deaths.remove(name).is_some() {
            let _ = self.store.clear_recovery(name);
        }
        statuses
    }

    /// [`Engine::step`] itself.
    fn run_step(&mut self, name: &str, input: Option<Input>, now: f64, replaying: bool) -> Vec<(u64, CallbackStatus)> {
        let fault_abort_on_log = self.fault_abort_on_log;
        let Some(e) = self.executions.get_mut(name) else { return Vec::new() };
        let Some(live) = e.live.as_mut() else { return Vec::new() };
        let mut logs = Vec::new();
        let mut statuses = Vec::new();
        let mut world = StepWorld {
            now,
            name,
            mocks: &mut live.mocks,
            in_flight: &mut live.in_flight,
            replaying,
            sender: &self.sender,
            logs: &mut logs,
            statuses: &mut statuses,
            current: &mut live.current,
        };
        match input {
            None => {}
            Some(Input::Answer(id, result)) => {
                world.in_flight.remove(&id);
                live.exec.answer(id, result, now);
            }
            Some(Input::Callback(ticket, path, request)) => {
                // By callback id: the path may name the project by id or by number.
                let id = path.rsplit('/').next().unwrap_or("").to_string();
                live.exec.deliver(&mut world, ticket, &Target::Id(id), &request);
            }
            Some(Input::Timer) => live.exec.fire_timer(&mut world),
            Some(Input::Cancel) => live.exec.stop(End::Cancelled),
        }
        live.exec.advance(&mut world);
        if fault_abort_on_log && logs.iter().any(|l| l.payload == Json::String("wf-serve-fault: abort".into())) {
            std::process::abort();
        }
        if !replaying {
            for entry in &logs {
                let seq = live.logs;
                live.logs += 1;
                show_log(name, entry);
                let _ = self.store.put_log(name, seq, ns(entry.time), &entry.severity, &entry.payload.to_string());
            }
        }
        if let Some(end) = live.exec.end().cloned() {
            let source = Rc::clone(&live.source);
            let current = live.current.clone();
            let history: Vec<Json> =
                live.exec.machine().history().map(|r| json!([&*r.step, &*r.routine, r.time])).collect();
            e.row.steps = Some(Json::Array(history).to_string());
            e.live = None;
            self.active -= 1;
            finish(&mut e.row, &end, &source, current, if replaying { now } else { wall_clock() });
            if !replaying || e.row.state != "ACTIVE" {
                let _ = self.store.put_execution(&e.row);
            }
        }
        statuses
    }

    /// Deploys (or redeploys) the files of `--dir`.
    fn deploy_dir(&mut self, at_start: bool) {
        let Some(dir) = self.config.dir.clone() else { return };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            if at_start {
                eprintln!("wf serve: cannot read `{}`", dir.display());
            }
            return;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| is_workflow_file(p)).collect();
        files.sort();
        for file in files {
            let meta = std::fs::metadata(&file).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            if modified.is_some() && self.dir_tried.get(&file) == Some(&modified) {
                continue;
            }
            self.dir_tried.insert(file.clone(), modified);
            let size = meta.map_or(0, |m| m.len());
            if size > wf_syntax::MAX_SOURCE_BYTES as u64 {
                eprintln!(
                    "wf serve: {} not deployed: it is {size} bytes; Workflows deploys at most {} (128 KB)",
                    file.display(),
                    wf_syntax::MAX_SOURCE_BYTES
                );
                continue;
            }
            let id = wf_runtime::callbacks::workflow_id(&file);
            let name = format!("projects/{}/locations/{}/workflows/{id}", self.config.project, self.config.location);
            let unchanged = self
                .workflows
                .get(&name)
                .and_then(|w| w.file.as_ref())
                .is_some_and(|(f, t)| *f == file && Some(*t) == modified);
            if unchanged {
                continue;
            }
            let Ok(source) = std::fs::read_to_string(&file) else { continue };
            match self.deploy(&name, &source) {
                Ok(_) => eprintln!("wf serve: deployed {} as {name}", file.display()),
                Err(a) => eprintln!("wf serve: {} not deployed: {}", file.display(), a.body),
            }
            if let (Some(w), Some(t)) = (self.workflows.get_mut(&name), modified) {
                w.file = Some((file.clone(), t));
            }
        }
    }

    /// Creates or updates workflow `name` with `source`; a new revision when the source changed.
    fn deploy(&mut self, name: &str, source: &str) -> Result<Json, Answer> {
        let program = compile(name, source).map_err(|m| bad(&m))?;
        let now = ns(wall_clock());
        let existing = self.workflows.get(name).and_then(|w| w.current().map(|r| r.source == source));
        if existing != Some(true) {
            // The store counts the revisions of a workflow's deleted past too, so that an id
            // is never given twice (a revision is never overwritten).
            let store_err = |e: rusqlite::Error| Answer::error(500, &format!("the store failed: {e}"));
            let ordinal = self.store.revision_count(name).map_err(store_err)? + 1;
            let hash =
                source.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
            let id = format!("{ordinal:06}-{:03x}", hash & 0xfff);
            let rev = Rc::new(Revision {
                id: id.clone(),
                source: source.to_string(),
                program: Rc::new(program),
                create_ns: now,
            });
            self.store
                .put_revision(&RevisionRow {
                    workflow: name.into(),
                    revision_id: id.clone(),
                    source: source.into(),
                    create_ns: now,
                })
                .map_err(store_err)?;
            let w = self.workflows.entry(name.to_string()).or_insert_with(|| Workflow {
                row: WorkflowRow { name: name.into(), revision_id: id.clone(), create_ns: now, update_ns: now },
                revisions: Vec::new(),
                file: None,
            });
            w.revisions.push(rev);
            w.row.revision_id = id;
            w.row.update_ns = now;
            self.store.put_workflow(&w.row).map_err(store_err)?;
        }
        Ok(self.workflow_json(name))
    }

    fn workflow_json(&self, name: &str) -> Json {
        let Some(w) = self.workflows.get(name) else { return Json::Null };
        let rev = w.current();
        json!({
            "name": name,
            "state": "ACTIVE",
            "revisionId": w.row.revision_id,
            "createTime": rfc3339(w.row.create_ns),
            "updateTime": rfc3339(w.row.update_ns),
            "revisionCreateTime": rfc3339(rev.map_or(w.row.update_ns, |r| r.create_ns)),
            "sourceContents": rev.map(|r| r.source.clone()).unwrap_or_default(),
        })
    }

    /// A finished long-running operation around `response`.
    fn operation(&mut self, parent: &str, verb: &str, target: &str, response: Json, kind: &str) -> Json {
        self.next_id += 1;
        let name = format!("{parent}/operations/operation-{}-{}", ns(wall_clock()), self.next_id);
        let now = rfc3339(ns(wall_clock()));
        let mut response = response;
        if let Some(o) = response.as_object_mut() {
            o.insert("@type".into(), Json::String(format!("type.googleapis.com/{kind}")));
        }
        let op = json!({
            "name": name,
            "metadata": {
                "@type": "type.googleapis.com/google.cloud.workflows.v1.OperationMetadata",
                "createTime": now, "endTime": now, "target": target, "verb": verb, "apiVersion": "v1",
            },
            "done": true,
            "response": response,
        });
        self.operations.insert(name, op.clone());
        op
    }

    /// Answers an API request.
    fn api(&mut self, req: &ApiRequest) -> Answer {
        let Some(route) = Route::parse(&req.path) else {
            return not_found(&format!("`{}`", req.path));
        };
        let method = req.method.as_str();
        match (route, method) {
            (Route::Workflows { parent }, "POST") => self.create_workflow(req, &parent),
            (Route::Workflows { parent }, "GET") => {
                let prefix = format!("{parent}/workflows/");
                let list: Vec<Json> =
                    self.workflows.keys().filter(|n| n.starts_with(&prefix)).map(|n| self.workflow_json(n)).collect();
                ok(json!({"workflows": list}))
            }
            (Route::Workflow { name }, "GET") => match self.workflows.contains_key(&name) {
                true => ok(self.workflow_json(&name)),
                false => not_found(&format!("workflow `{name}`")),
            },
            (Route::Workflow { name }, "PATCH") => self.patch_workflow(req, &name),
            (Route::Workflow { name }, "DELETE") => match self.workflows.remove(&name) {
                Some(_) => {
                    let _ = self.store.delete_workflow(&name);
                    let parent = parent_of(&name, 2);
                    ok(self.operation(&parent, "delete", &name, json!({}), "google.protobuf.Empty"))
                }
                None => not_found(&format!("workflow `{name}`")),
            },
            (Route::Operation { name }, "GET") => match self.operations.get(&name) {
                Some(op) => ok(op.clone()),
                None => not_found(&format!("operation `{name}`")),
            },
            (Route::Executions { workflow }, "POST") => self.create_execution(req, &workflow),
            (Route::Executions { workflow }, "GET") => self.list_executions(req, &workflow),
            (Route::Execution { name }, "GET") => match self.executions.get(&name) {
                Some(e) => ok(execution_json(&e.row, req.param("view") != Some("BASIC"))),
                None => not_found(&format!("execution `{name}`")),
            },
            (Route::Cancel { name }, "POST") => match self.executions.get(&name).map(|e| e.live.is_some()) {
                Some(true) => {
                    self.feed(&name, Input::Cancel, wall_clock());
                    ok(self.executions.get(&name).map(|e| execution_json(&e.row, true)).unwrap_or_default())
                }
                Some(false) => Answer::error(400, "the execution has already ended"),
                None => not_found(&format!("execution `{name}`")),
            },
            (Route::Callbacks { execution }, "GET") => self.list_callbacks(&execution),
            (Route::Logs { execution }, "GET") => self.logs(&execution),
            (Route::StepEntries { execution }, "GET") => self.step_entries(req, &execution, None),
            (Route::StepEntry { execution, id }, "GET") => self.step_entries(req, &execution, Some(id)),
            (Route::Callback { path }, _) => self.callback(req, path),
            (_, m) => Answer::error(405, &format!("`{m}` is not allowed on `{}`", req.path)),
        }
    }

    fn create_workflow(&mut self, req: &ApiRequest, parent: &str) -> Answer {
        let Some(id) = req.param("workflowId") else { return bad("`workflowId` is required") };
        if !valid_workflow_id(id) {
            return bad(
                "`workflowId` must be 1-64 letters, digits, `-` or `_`, start with a letter and end with a letter or digit",
            );
        }
        let name = format!("{parent}/workflows/{id}");
        if self.workflows.contains_key(&name) {
            return Answer::error(409, &format!("workflow `{name}` already exists"));
        }
        let body: Json = match serde_json::from_slice(&req.body) {
            Ok(b) => b,
            Err(e) => return bad(&format!("the request body is not JSON: {e}")),
        };
        let Some(source) = body.get("sourceContents").and_then(Json::as_str) else {
            return bad("the workflow needs `sourceContents`");
        };
        match self.deploy(&name, source) {
            Ok(w) => ok(self.operation(parent, "create", &name, w, "google.cloud.workflows.v1.Workflow")),
            Err(a) => a,
        }
    }

    fn patch_workflow(&mut self, req: &ApiRequest, name: &str) -> Answer {
        if !self.workflows.contains_key(name) {
            return not_found(&format!("workflow `{name}`"));
        }
        let body: Json = match serde_json::from_slice(&req.body) {
            Ok(b) => b,
            Err(e) => return bad(&format!("the request body is not JSON: {e}")),
        };
        let mask = req.param("updateMask").unwrap_or("sourceContents");
        if let Some(v) = body.get("sourceContents").filter(|v| !v.is_string()) {
            return bad(&format!("`sourceContents` must be a string, found {v}"));
        }
        let source = match body.get("sourceContents").and_then(Json::as_str) {
            Some(s) if mask.split(',').any(|f| f.trim() == "sourceContents") => s.to_string(),
            _ => self.workflows.get(name).and_then(|w| w.current().map(|r| r.source.clone())).unwrap_or_default(),
        };
        match self.deploy(name, &source) {
            Ok(w) => {
                let parent = parent_of(name, 2);
                ok(self.operation(&parent, "update", name, w, "google.cloud.workflows.v1.Workflow"))
            }
            Err(a) => a,
        }
    }

    fn create_execution(&mut self, req: &ApiRequest, workflow: &str) -> Answer {
        let Some(rev) = self.workflows.get(workflow).and_then(|w| w.current().cloned()) else {
            return not_found(&format!("workflow `{workflow}`"));
        };
        if self.active >= self.config.max_active {
            let message = format!(
                "{} executions are active, the most this server runs at once (--max-active-executions, GCW's quota); wait for one to end",
                self.active
            );
            return Answer::error(429, &message);
        }
        let body: Json = if req.body.is_empty() {
            json!({})
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(b) => b,
                Err(e) => return bad(&format!("the request body is not JSON: {e}")),
            }
        };
        let argument = match body.get("argument") {
            None | Some(Json::Null) => "null".to_string(),
            Some(Json::String(s)) => s.clone(),
            Some(_) => return bad("`argument` must be a string holding JSON"),
        };
        if let Some(problem) = wf_runtime::limits::argument_problem(argument.len()) {
            return bad(&problem);
        }
        if let Err(e) = serde_json::from_str::<Json>(&argument) {
            return bad(&format!("`argument` is not valid JSON: {e}"));
        }
        let id = self.uuid();
        let name = format!("{workflow}/executions/{id}");
        let row = ExecutionRow {
            name: name.clone(),
            workflow: workflow.into(),
            revision_id: rev.id.clone(),
            argument,
            state: "ACTIVE".into(),
            result: None,
            error: None,
            start_ns: ns(wall_clock()),
            end_ns: None,
            seed: (self.rng >> 1) as i64,
            call_log_level: body.get("callLogLevel").and_then(Json::as_str).map(str::to_string),
            current: None,
            steps: None,
        };
        if let Err(e) = self.store.put_execution(&row) {
            return Answer::error(500, &format!("the store failed: {e}"));
        }
        let live = start_live(&row, rev, &self.config);
        let start = row.start_ns as f64 / 1e9;
        self.executions.insert(name.clone(), Exec { row, live: Some(live) });
        self.active += 1;
        self.order.push(name.clone());
        self.by_id.insert(id, name.clone());
        self.step(&name, None, start, false);
        ok(self.executions.get(&name).map(|e| execution_json(&e.row, true)).unwrap_or_default())
    }

    fn list_executions(&self, req: &ApiRequest, workflow: &str) -> Answer {
        let full = req.param("view") == Some("FULL");
        let max = if full { 100 } else { 1000 };
        let size =
            req.param("pageSize").and_then(|s| s.parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(100).min(max);
        let skip = match page_token(req.param("pageToken")) {
            Ok(n) => n,
            Err(a) => return a,
        };
        let state = match state_filter(req.param("filter")) {
            Ok(s) => s,
            Err(a) => return a,
        };
        let prefix = format!("{workflow}/executions/");
        let matching: Vec<&ExecutionRow> = self
            .order
            .iter()
            .rev()
            .filter(|n| n.starts_with(&prefix))
            .filter_map(|n| self.executions.get(n).map(|e| &e.row))
            .filter(|r| state.as_ref().is_none_or(|s| r.state == *s))
            .collect();
        let page: Vec<Json> = matching.iter().skip(skip).take(size).map(|r| execution_json(r, full)).collect();
        let mut body = json!({"executions": page});
        if skip + size < matching.len() {
            body["nextPageToken"] = Json::String((skip + size).to_string());
        }
        ok(body)
    }

    fn list_callbacks(&self, execution: &str) -> Answer {
        let Some(e) = self.executions.get(execution) else { return not_found(&format!("execution `{execution}`")) };
        let Some(live) = &e.live else { return ok(json!({"callbacks": []})) };
        let list: Vec<Json> = live
            .exec
            .endpoints()
            .list()
            .iter()
            .map(|ep| {
                let id = ep.path.rsplit('/').next().unwrap_or("");
                let mut c = json!({"name": format!("{execution}/callback/{id}"), "method": ep.method});
                if !ep.waiters.is_empty() {
                    c["waiters"] = Json::String(ep.waiters.len().to_string());
                }
                if let Some(slot) = &ep.slot {
                    let text = wf_vm::json::to_json(slot).map_or_else(|_| slot.to_string(), |j| j.to_string());
                    c["availablePayloads"] = json!([text]);
                }
                c
            })
            .collect();
        ok(json!({"callbacks": list}))
    }

    /// The step history: every executed step (GCW's `stepEntries`), or entry `id` of it.
    fn step_entries(&self, req: &ApiRequest, execution: &str, id: Option<String>) -> Answer {
        let Some(e) = self.executions.get(execution) else { return not_found(&format!("execution `{execution}`")) };
        let steps: Vec<(String, String, f64)> = match &e.live {
            Some(live) => {
                live.exec.machine().history().map(|r| (r.step.to_string(), r.routine.to_string(), r.time)).collect()
            }
            None => e
                .row
                .steps
                .as_deref()
                .and_then(|t| serde_json::from_str::<Vec<(String, String, f64)>>(t).ok())
                .unwrap_or_default(),
        };
        let last_state = match e.row.state.as_str() {
            "ACTIVE" => "STATE_IN_PROGRESS",
            "FAILED" => "STATE_FAILED",
            "CANCELLED" => "STATE_CANCELLED",
            _ => "STATE_SUCCEEDED",
        };
        let end = e.row.end_ns.map(|t| t as f64 / 1e9);
        let entry = |k: usize| -> Json {
            let (step, routine, time) = &steps[k];
            let updated = steps.get(k + 1).map(|s| s.2).or(end).unwrap_or(*time);
            let state = if k + 1 == steps.len() { last_state } else { "STATE_SUCCEEDED" };
            json!({
                "name": format!("{execution}/stepEntries/{}", k + 1),
                "entryId": (k + 1).to_string(),
                "createTime": rfc3339(ns(*time)),
                "updateTime": rfc3339(ns(updated)),
                "routine": routine,
                "step": step,
                "state": state,
            })
        };
        if let Some(id) = id {
            return match id.parse::<usize>() {
                Ok(k) if k >= 1 && k <= steps.len() => ok(entry(k - 1)),
                _ => not_found(&format!("step entry `{id}`")),
            };
        }
        let size =
            req.param("pageSize").and_then(|s| s.parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(1000).min(1000);
        let skip = match page_token(req.param("pageToken").or(req.param("skip"))) {
            Ok(n) => n,
            Err(a) => return a,
        };
        let page: Vec<Json> = (skip..steps.len()).take(size).map(entry).collect();
        let mut body = json!({"stepEntries": page, "totalSize": steps.len()});
        if skip + size < steps.len() {
            body["nextPageToken"] = Json::String((skip + size).to_string());
        }
        ok(body)
    }

    fn logs(&self, execution: &str) -> Answer {
        if !self.executions.contains_key(execution) {
            return not_found(&format!("execution `{execution}`"));
        }
        let entries: Vec<Json> = self
            .store
            .logs(execution)
            .unwrap_or_default()
            .into_iter()
            .map(|(t, severity, payload)| {
                let payload: Json = serde_json::from_str(&payload).unwrap_or(Json::Null);
                let key = if payload.is_string() { "textPayload" } else { "jsonPayload" };
                json!({"timestamp": rfc3339(t), "severity": severity, key: payload})
            })
            .collect();
        ok(json!({"entries": entries}))
    }

    /// A callback request: answered after the batch that records it is committed.
    fn callback(&mut self, req: &ApiRequest, path: String) -> Answer {
        if !is_callback_path(&path) {
            return not_found(&format!("`{path}`"));
        }
        let authorization =
            req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
        if let Some(refusal) = self.config.auth.check(authorization) {
            return refusal;
        }
        // `/v1/projects/N/locations/L/workflows/W/executions/E/callbacks/ID`: found by E, the
        // execution's UUID (the path has the project number, the execution's name may not).
        let id = path.split('/').nth(9).unwrap_or("");
        let execution = self.by_id.get(id).cloned().unwrap_or_default();
        let live = self.executions.get(&execution).is_some_and(|e| e.live.is_some());
        if !live {
            let status = if self.executions.contains_key(&execution) {
                CallbackStatus::Ended
            } else {
                CallbackStatus::NoSuchEndpoint
            };
            return Answer::callback(&status);
        }
        if req.body.len() > crate::callback_http::MAX_BODY {
            return Answer::error(
                413,
                &format!("the request body is larger than {} bytes", crate::callback_http::MAX_BODY),
            );
        }
        let query: Vec<(String, String)> = req.query.clone();
        let request = HttpRequest {
            method: req.method.clone(),
            query,
            headers: req.headers.clone(),
            body: (!req.body.is_empty()).then(|| req.body.clone()),
        }
        .without_credentials();
        self.next_id += 1;
        let ticket = self.next_id;
        let input = Input::Callback(ticket, path, request);
        let Some(live) = self.executions.get_mut(&execution).and_then(|e| e.live.as_mut()) else {
            return Answer::callback(&CallbackStatus::Ended);
        };
        let seq = live.inputs;
        live.inputs += 1;
        let now = wall_clock();
        if let Err(e) = self.store.put_input(&execution, seq, now, &input.to_json().to_string()) {
            return Answer::error(500, &format!("the store failed: {e}"));
        }
        self.fail_this_commit |= self.fault_commit_after_callback;
        let statuses = self.step(&execution, Some(input), now, false);
        let status =
            statuses.into_iter().find(|(t, _)| *t == ticket).map(|(_, s)| s).unwrap_or(CallbackStatus::NoSuchEndpoint);
        Answer::callback(&status)
    }

    /// A random version-4 UUID.
    fn uuid(&mut self) -> String {
        wf_runtime::callbacks::uuid(&mut self.rng)
    }
}

/// The start time of execution `name`, in Unix seconds.
fn e_start(name: &str, executions: &HashMap<String, Exec>) -> f64 {
    executions.get(name).map_or(0.0, |e| e.row.start_ns as f64 / 1e9)
}

fn show_log(name: &str, entry: &LogEntry) {
    let id = name.rsplit('/').next().unwrap_or(name);
    let text = match &entry.payload {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    eprintln!("[{id}] [{}] {text}", entry.severity);
}

/// The name `levels` path pairs up (`projects/p/locations/l/workflows/w` → `projects/p/locations/l`).
fn parent_of(name: &str, levels: usize) -> String {
    let parts: Vec<&str> = name.split('/').collect();
    parts[..parts.len().saturating_sub(levels)].join("/")
}

fn valid_workflow_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphabetic()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

fn is_workflow_file(p: &Path) -> bool {
    wf_syntax::files::is_workflow_file(p) && wf_syntax::files::is_regular_file(p)
}

/// Checks and compiles a source; the error names every problem.
fn compile(name: &str, source: &str) -> Result<Program, String> {
    // Refused before checking: GCW deploys nothing larger, and checking a file of megabytes
    // would hold the engine thread (and everyone waiting on it) for no use.
    if source.len() > wf_syntax::MAX_SOURCE_BYTES {
        return Err(format!(
            "the workflow is {} bytes; Workflows deploys at most {} (128 KB)",
            source.len(),
            wf_syntax::MAX_SOURCE_BYTES
        ));
    }
    let file = SourceFile::new(name.to_string(), source.to_string());
    let checked = wf_check::check(&file);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let lc = file.lines().line_col(&file.text, d.span.start);
            format!("{}:{}: [{}] {}", lc.line, lc.column, d.code, d.message)
        })
        .collect();
    if !errors.is_empty() {
        return Err(format!("the workflow has errors:\n{}", errors.join("\n")));
    }
    let workflow = checked.parsed.workflow.ok_or("the workflow is empty")?;
    wf_vm::compile(&workflow).map_err(|e| e.message)
}

/// A fresh execution of `row` on revision `rev`.
fn start_live(row: &ExecutionRow, rev: Rc<Revision>, config: &Config) -> Live {
    let argument =
        serde_json::from_str::<Json>(&row.argument).map(|j| wf_vm::json::from_json(&j)).unwrap_or(Value::Null);
    let parts: Vec<&str> = row.name.split('/').collect();
    let get = |i: usize| parts.get(i).copied().unwrap_or("");
    let (project, location, workflow, execution) = (get(1), get(3), get(5), get(7));
    let mut env = HashMap::new();
    for (k, v) in [
        ("GOOGLE_CLOUD_PROJECT_ID", project),
        ("GOOGLE_CLOUD_LOCATION", location),
        ("GOOGLE_CLOUD_WORKFLOW_ID", workflow),
        ("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID", execution),
        ("GOOGLE_CLOUD_WORKFLOW_REVISION_ID", rev.id.as_str()),
    ] {
        env.insert(k.to_string(), Value::str(v));
    }
    let options = RunOptions {
        env,
        seed: row.seed as u64,
        start_time: row.start_ns as f64 / 1e9,
        limits: wf_vm::Limits::GCW,
        trace: true,
        schedule: None,
    };
    let machine = Machine::new(Rc::clone(&rev.program), argument, options);
    // Callback URLs carry the project number, as GCW's do; `m=+` in `received_time` counts
    // from the execution's start, so that a replay after a restart gives the same value.
    let number = wf_vm::machine::built_in_env("GOOGLE_CLOUD_PROJECT_NUMBER").unwrap_or("0");
    let urls = UrlScheme::new(&config.base_url, number, location, workflow, execution, row.seed as u64);
    let clock = ReceivedClock::new(row.start_ns as f64 / 1e9);
    Live {
        exec: Execution::new(machine, Endpoints::new(urls, clock)),
        mocks: Mocks::new(config.mocks.clone()),
        in_flight: HashSet::new(),
        inputs: 0,
        logs: 0,
        current: None,
        source: rev,
    }
}

/// Records how the execution ended.
fn finish(row: &mut ExecutionRow, end: &End, rev: &Revision, current: Option<(Rc<str>, Rc<str>)>, now: f64) {
    row.end_ns = Some(ns(now));
    if let Some((routine, step)) = current {
        row.current = Some(json!({"routine": &*routine, "step": &*step}).to_string());
    }
    match end {
        End::Succeeded(v) => {
            row.state = "SUCCEEDED".into();
            let json = wf_vm::json::to_json(v).unwrap_or(Json::Null);
            row.result = Some(json.to_string());
        }
        End::Failed(raised) => {
            row.state = "FAILED".into();
            let payload =
                wf_vm::json::to_json(&raised.value).unwrap_or_else(|_| Json::String(raised.value.to_string()));
            let (tag, message) = describe_error(&raised.value);
            let file = SourceFile::new(String::new(), rev.source.clone());
            let mut context = format!("{tag}: {message}");
            let mut elements = Vec::new();
            for o in &raised.trace {
                let lc = file.lines().line_col(&file.text, o.span.start);
                context.push_str(&format!("\nin step \"{}\", routine \"{}\", line: {}", o.step, o.routine, lc.line));
                elements.push(json!({
                    "step": &*o.step,
                    "routine": &*o.routine,
                    "position": {
                        "line": lc.line.to_string(),
                        "column": lc.column.to_string(),
                        "length": (o.span.end - o.span.start).to_string(),
                    },
                }));
            }
            row.error = Some(
                json!({"payload": payload.to_string(), "context": context, "stackTrace": {"elements": elements}})
                    .to_string(),
            );
        }
        End::Aborted(why) => {
            row.state = "FAILED".into();
            row.error = Some(json!({"payload": Json::String(why.clone()).to_string(), "context": why}).to_string());
        }
        End::Cancelled => row.state = "CANCELLED".into(),
    }
}

/// The first tag and the message of an error value.
fn describe_error(v: &Value) -> (String, String) {
    match v {
        Value::Map(m) => {
            let tag = m.get("tags").and_then(|t| t.as_list()?.first()?.as_str().map(str::to_string));
            let message = m.get("message").and_then(|m| m.as_str().map(str::to_string));
            (tag.unwrap_or_else(|| "RuntimeError".into()), message.unwrap_or_else(|| v.to_string()))
        }
        Value::Str(s) => ("RuntimeError".into(), Json::String(s.to_string()).to_string()),
        other => ("RuntimeError".into(), other.to_string()),
    }
}

/// An execution as GCW's REST API shows it (`full`: every field; else the BASIC view).
pub fn execution_json(row: &ExecutionRow, full: bool) -> Json {
    let mut e = json!({
        "name": row.name,
        "startTime": rfc3339(row.start_ns),
        "state": row.state,
        "workflowRevisionId": row.revision_id,
    });
    if let Some(end) = row.end_ns {
        e["endTime"] = Json::String(rfc3339(end));
        e["duration"] = Json::String(duration(end - row.start_ns));
    }
    if !full {
        return e;
    }
    e["createTime"] = Json::String(rfc3339(row.start_ns));
    e["argument"] = Json::String(row.argument.clone());
    if let Some(r) = &row.result {
        e["result"] = Json::String(r.clone());
    }
    if let Some(err) = row.error.as_ref().and_then(|t| serde_json::from_str::<Json>(t).ok()) {
        e["error"] = err;
    }
    if let Some(level) = &row.call_log_level {
        e["callLogLevel"] = Json::String(level.clone());
    }
    if let Some(cur) = row.current.as_ref().and_then(|t| serde_json::from_str::<Json>(t).ok()) {
        e["status"] = json!({"currentSteps": [cur]});
    }
    e
}

/// A `pageToken` this server gave (a position in the list); none is the first page.
/// Anything else is refused rather than read as the first page.
fn page_token(token: Option<&str>) -> Result<usize, Answer> {
    match token.filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => {
            t.parse::<usize>().map_err(|_| bad(&format!("`pageToken` {t:?} is not a page token this server gave")))
        }
    }
}

/// The states an execution can be in, as `filter` names them.
const STATES: &[&str] = &["ACTIVE", "SUCCEEDED", "FAILED", "CANCELLED", "QUEUED", "UNAVAILABLE"];

/// Reads `filter` on executions: `state="S"` (spaces around `=` allowed, the quotes
/// optional) or nothing; any other filter is refused, naming what is supported.
fn state_filter(filter: Option<&str>) -> Result<Option<String>, Answer> {
    let Some(text) = filter.map(str::trim).filter(|f| !f.is_empty()) else { return Ok(None) };
    let refused =
        || bad(&format!("filter `{text}` is not supported: wf serve filters executions by `state=\"STATE\"` only"));
    let (field, value) = text.split_once('=').ok_or_else(refused)?;
    let value = value.trim();
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    if field.trim() != "state" || !STATES.contains(&value) {
        return Err(refused());
    }
    Ok(Some(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_are_positions_or_refused() {
        assert_eq!(page_token(None).ok(), Some(0));
        assert_eq!(page_token(Some("")).ok(), Some(0));
        assert_eq!(page_token(Some("200")).ok(), Some(200));
        for bad in ["99999999999999999999999", "-1", "abc"] {
            let a = page_token(Some(bad)).expect_err(bad);
            assert_eq!(a.status, 400);
            assert!(a.body.contains("is not a page token this server gave"), "{}", a.body);
        }
    }

    #[test]
    fn filters_take_state_only() {
        for ok in [r#"state="ACTIVE""#, r#"state = "ACTIVE""#, "state=ACTIVE", r#"  state  =  "ACTIVE"  "#] {
            assert_eq!(state_filter(Some(ok)).ok(), Some(Some("ACTIVE".to_string())), "{ok}");
        }
        assert_eq!(state_filter(None).ok(), Some(None));
        for bad in [r#"state="NOPE""#, r#"name="x""#, r#"state="ACTIVE" AND name="x""#, "state", r#"startTime>"2020""#]
        {
            let a = state_filter(Some(bad)).expect_err(bad);
            assert_eq!(a.status, 400);
            assert!(a.body.contains("filters executions by `state=\\\"STATE\\\"` only"), "{}", a.body);
        }
    }
}
