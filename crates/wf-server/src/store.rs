//! The durable store of `wf serve`: one SQLite database (WAL, `synchronous = FULL`) with the
//! deployed workflows and their revisions, the executions, each execution's inputs (what
//! the runtime fed it, in order, with the clock: replaying them rebuilds it), and its logs.
//! Writes are grouped: the engine opens one transaction per batch and commits (and syncs)
//! it before any answer of that batch leaves the server.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

/// A stored revision of a workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionRow {
    /// `projects/P/locations/L/workflows/W`.
    pub workflow: String,
    /// `000001-a4d`.
    pub revision_id: String,
    /// The source text.
    pub source: String,
    /// When it was made (Unix nanoseconds).
    pub create_ns: i64,
}

/// A stored workflow: its current revision and times.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowRow {
    /// `projects/P/locations/L/workflows/W`.
    pub name: String,
    /// The current revision.
    pub revision_id: String,
    /// Created (Unix nanoseconds).
    pub create_ns: i64,
    /// Last updated (Unix nanoseconds).
    pub update_ns: i64,
}

/// A stored execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRow {
    /// `projects/P/locations/L/workflows/W/executions/E`.
    pub name: String,
    /// The workflow's name.
    pub workflow: String,
    /// The revision it runs.
    pub revision_id: String,
    /// The argument as JSON text.
    pub argument: String,
    /// `ACTIVE`, `SUCCEEDED`, `FAILED`, `CANCELLED`.
    pub state: String,
    /// The result as JSON text (SUCCEEDED).
    pub result: Option<String>,
    /// The `error` object as JSON text (FAILED, CANCELLED).
    pub error: Option<String>,
    /// Started (Unix nanoseconds).
    pub start_ns: i64,
    /// Ended (Unix nanoseconds).
    pub end_ns: Option<i64>,
    /// Seeds ids and the scheduler.
    pub seed: i64,
    /// `callLogLevel` as given.
    pub call_log_level: Option<String>,
    /// `{routine, step}` of the current (or last) step, as JSON text.
    pub current: Option<String>,
    /// The executed steps once it has ended: `[[step, routine, time], ...]` as JSON text.
    pub steps: Option<String>,
}

/// The database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS revisions (
    workflow TEXT NOT NULL, revision_id TEXT NOT NULL, source TEXT NOT NULL, create_ns INTEGER NOT NULL,
    PRIMARY KEY (workflow, revision_id));
CREATE TABLE IF NOT EXISTS workflows (
    name TEXT PRIMARY KEY, revision_id TEXT NOT NULL, create_ns INTEGER NOT NULL, update_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, workflow TEXT NOT NULL,
    revision_id TEXT NOT NULL, argument TEXT NOT NULL, state TEXT NOT NULL, result TEXT, error TEXT,
    start_ns INTEGER NOT NULL, end_ns INTEGER, seed INTEGER NOT NULL, call_log_level TEXT, current TEXT,
    steps TEXT);
CREATE TABLE IF NOT EXISTS inputs (
    execution TEXT NOT NULL, seq INTEGER NOT NULL, now REAL NOT NULL, input TEXT NOT NULL,
    PRIMARY KEY (execution, seq));
CREATE TABLE IF NOT EXISTS logs (
    execution TEXT NOT NULL, seq INTEGER NOT NULL, time_ns INTEGER NOT NULL, severity TEXT NOT NULL,
    payload TEXT NOT NULL, PRIMARY KEY (execution, seq));
";

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// Starts a batch of writes.
    pub fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    /// Commits the batch (and syncs it to disk).
    pub fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
    }

    /// Stores a revision.
    pub fn put_revision(&self, r: &RevisionRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO revisions (workflow, revision_id, source, create_ns) VALUES (?1, ?2, ?3, ?4)",
            params![r.workflow, r.revision_id, r.source, r.create_ns],
        )?;
        Ok(())
    }

    /// Stores a workflow.
    pub fn put_workflow(&self, w: &WorkflowRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO workflows (name, revision_id, create_ns, update_ns) VALUES (?1, ?2, ?3, ?4)",
            params![w.name, w.revision_id, w.create_ns, w.update_ns],
        )?;
        Ok(())
    }

    /// Deletes a workflow (its revisions stay for the executions that run them).
    pub fn delete_workflow(&self, name: &str) -> rusqlite::Result<()> {
        self.conn.execute("DELETE FROM workflows WHERE name = ?1", params![name])?;
        Ok(())
    }

    /// Every workflow.
    pub fn workflows(&self) -> rusqlite::Result<Vec<WorkflowRow>> {
        let mut q = self.conn.prepare("SELECT name, revision_id, create_ns, update_ns FROM workflows ORDER BY name")?;
        let rows = q.query_map([], |r| {
            Ok(WorkflowRow { name: r.get(0)?, revision_id: r.get(1)?, create_ns: r.get(2)?, update_ns: r.get(3)? })
        })?;
        rows.collect()
    }

    /// Every revision.
    pub fn revisions(&self) -> rusqlite::Result<Vec<RevisionRow>> {
        let mut q = self.conn.prepare("SELECT workflow, revision_id, source, create_ns FROM revisions")?;
        let rows = q.query_map([], |r| {
            Ok(RevisionRow { workflow: r.get(0)?, revision_id: r.get(1)?, source: r.get(2)?, create_ns: r.get(3)? })
        })?;
        rows.collect()
    }

    /// Stores an execution (a new one, or its new state).
    pub fn put_execution(&self, e: &ExecutionRow) -> rusqlite::Result<()> {
        let updated = self.conn.execute(
            "UPDATE executions SET state = ?2, result = ?3, error = ?4, end_ns = ?5, current = ?6, steps = ?7 WHERE name = ?1",
            params![e.name, e.state, e.result, e.error, e.end_ns, e.current, e.steps],
        )?;
        if updated == 0 {
            self.conn.execute(
                "INSERT INTO executions (name, workflow, revision_id, argument, state, result, error, start_ns, end_ns, seed, call_log_level, current, steps)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    e.name, e.workflow, e.revision_id, e.argument, e.state, e.result, e.error, e.start_ns, e.end_ns,
                    e.seed, e.call_log_level, e.current, e.steps
                ],
            )?;
        }
        Ok(())
    }

    /// Every execution, oldest first.
    pub fn executions(&self) -> rusqlite::Result<Vec<ExecutionRow>> {
        let mut q = self.conn.prepare(
            "SELECT name, workflow, revision_id, argument, state, result, error, start_ns, end_ns, seed, call_log_level, current, steps
             FROM executions ORDER BY seq",
        )?;
        let rows = q.query_map([], |r| {
            Ok(ExecutionRow {
                name: r.get(0)?,
                workflow: r.get(1)?,
                revision_id: r.get(2)?,
                argument: r.get(3)?,
                state: r.get(4)?,
                result: r.get(5)?,
                error: r.get(6)?,
                start_ns: r.get(7)?,
                end_ns: r.get(8)?,
                seed: r.get(9)?,
                call_log_level: r.get(10)?,
                current: r.get(11)?,
                steps: r.get(12)?,
            })
        })?;
        rows.collect()
    }

    /// Appends input `seq` of an execution.
    pub fn put_input(&self, execution: &str, seq: u64, now: f64, input: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO inputs (execution, seq, now, input) VALUES (?1, ?2, ?3, ?4)",
            params![execution, seq as i64, now, input],
        )?;
        Ok(())
    }

    /// The inputs of an execution, in order.
    pub fn inputs(&self, execution: &str) -> rusqlite::Result<Vec<(f64, String)>> {
        let mut q = self.conn.prepare("SELECT now, input FROM inputs WHERE execution = ?1 ORDER BY seq")?;
        let rows = q.query_map(params![execution], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    /// Appends log entry `seq` of an execution.
    pub fn put_log(
        &self,
        execution: &str,
        seq: u64,
        time_ns: i64,
        severity: &str,
        payload: &str,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO logs (execution, seq, time_ns, severity, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![execution, seq as i64, time_ns, severity, payload],
        )?;
        Ok(())
    }

    /// The logs of an execution, in order: `(time_ns, severity, payload JSON)`.
    pub fn logs(&self, execution: &str) -> rusqlite::Result<Vec<(i64, String, String)>> {
        let mut q =
            self.conn.prepare("SELECT time_ns, severity, payload FROM logs WHERE execution = ?1 ORDER BY seq")?;
        let rows = q.query_map(params![execution], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    }

    /// Whether an execution with this name exists.
    pub fn has_execution(&self, name: &str) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM executions WHERE name = ?1", params![name], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
    }
}
