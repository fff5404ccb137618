//! The durable store of `wf serve`: one SQLite database (WAL, `synchronous = FULL`) with the
//! deployed workflows and their revisions, the executions, each execution's inputs (what
//! the runtime fed it, in order, with the clock: replaying them rebuilds it), and its logs.
//! Writes are grouped: the engine opens one transaction per batch and commits (and syncs)
//! it before any answer of that batch leaves the server.
//!
//! Opening is careful: an exclusive lock on `DB.lock` (held until the process ends, also
//! by `kill -9`) makes a second server on the same database refuse to start, naming the
//! first; the database file is created readable by its owner only (SQLite gives its WAL the
//! same mode); and the schema is versioned (`PRAGMA user_version`) and verified, so that a
//! damaged or foreign database is refused with a message instead of being silently rebuilt.

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
    /// The open lock file; its lock is what keeps a second server out.
    _lock: std::fs::File,
}

/// The schema version this build writes and reads (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 2;

/// Every table, the schema version that added it, and the columns this build reads and
/// writes in it.
const TABLES: &[(&str, i64, &str)] = &[
    ("revisions", 1, "workflow, revision_id, source, create_ns"),
    ("workflows", 1, "name, revision_id, create_ns, update_ns"),
    (
        "executions",
        1,
        "seq, name, workflow, revision_id, argument, state, result, error, start_ns, end_ns, seed, call_log_level, current, steps",
    ),
    ("inputs", 1, "execution, seq, now, input"),
    ("logs", 1, "execution, seq, time_ns, severity, payload"),
    ("recoveries", 2, "execution, attempts"),
];

/// What takes a database from version N - 1 to N, for N from 2.
const MIGRATIONS: &[(i64, &str)] = &[(2, RECOVERIES)];

/// Version 2: how many times an execution was being run when the process died, since it
/// last made progress (see `crashes.rs`).
const RECOVERIES: &str =
    "CREATE TABLE IF NOT EXISTS recoveries (execution TEXT PRIMARY KEY, attempts INTEGER NOT NULL);";

/// How long a statement waits for a lock another process holds before it fails.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
    /// Opens (or creates) the database at `path`: locks it for this process, then checks
    /// its schema. The error says what is wrong and what to do.
    pub fn open(path: &Path) -> Result<Store, String> {
        let shown = path.display();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let lock = lock(path)?;
        owner_only(path).map_err(|e| format!("cannot create `{shown}`: {e}"))?;
        let conn = Connection::open(path).map_err(|e| format!("cannot open `{shown}`: {e}"))?;
        let setup = || -> rusqlite::Result<()> {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")
        };
        setup().map_err(|e| format!("`{shown}` is not a database wf serve can use: {e}"))?;
        verify_schema(&conn).map_err(|why| format!("`{shown}` {why}"))?;
        Ok(Store { conn, _lock: lock })
    }

    /// Starts a batch of writes.
    pub fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    /// Commits the batch (and syncs it to disk).
    pub fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
    }

    /// Stores a new revision (a revision is never overwritten: an id already stored is an
    /// error).
    pub fn put_revision(&self, r: &RevisionRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO revisions (workflow, revision_id, source, create_ns) VALUES (?1, ?2, ?3, ?4)",
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

    /// How many revisions workflow `name` has had, including those of its deleted past:
    /// the next revision's ordinal is one more, so ids never repeat.
    pub fn revision_count(&self, name: &str) -> rusqlite::Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM revisions WHERE workflow = ?1", params![name], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
    }

    /// How many times `execution` was being run when the process died (since its last
    /// progress).
    pub fn recovery_attempts(&self, execution: &str) -> rusqlite::Result<u32> {
        self.conn
            .query_row("SELECT attempts FROM recoveries WHERE execution = ?1", params![execution], |r| r.get(0))
            .optional()
            .map(Option::unwrap_or_default)
    }

    /// Records that `execution` was being run when the process died, `attempts` times.
    pub fn set_recovery_attempts(&self, execution: &str, attempts: u32) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO recoveries (execution, attempts) VALUES (?1, ?2)",
            params![execution, attempts],
        )?;
        Ok(())
    }

    /// Forgets the deaths of `execution` (it made progress).
    pub fn clear_recovery(&self, execution: &str) -> rusqlite::Result<()> {
        self.conn.execute("DELETE FROM recoveries WHERE execution = ?1", params![execution])?;
        Ok(())
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

/// Takes the exclusive lock on `PATH.lock` (created readable by its owner only) and writes
/// this process's id into it; if another process holds it, names that process.
fn lock(path: &Path) -> Result<std::fs::File, String> {
    use std::io::{Read, Seek, Write};
    let lock_path = std::path::PathBuf::from(format!("{}.lock", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&lock_path).map_err(|e| format!("cannot create `{}`: {e}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut owner = String::new();
            let _ = file.read_to_string(&mut owner);
            let owner = owner.trim();
            let who = if owner.is_empty() { "another process".to_string() } else { format!("process {owner}") };
            return Err(format!(
                "`{}` is in use by another wf serve ({who} holds `{}`); stop it, or give this one its own `--db`",
                path.display(),
                lock_path.display()
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(format!("cannot lock `{}`: {e}", lock_path.display())),
    }
    let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| write!(file, "{}", std::process::id()));
    Ok(file)
}

/// Creates the database file readable and writable by its owner only (SQLite creates the
/// WAL and shared-memory files with the database's mode), and takes those rights away from
/// others on a database made before.
fn owner_only(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    Ok(())
}

/// Creates the schema in an empty database, or checks that an existing one is this
/// build's or an older one's (its version, and every table of that version with every
/// column) and brings an older one up to date. A database from before the schema was
/// versioned (version 0 with every table) is version 1.
fn verify_schema(conn: &Connection) -> Result<(), String> {
    let failed = |e: rusqlite::Error| format!("cannot be read: {e}");
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(failed)?;
    let mut q = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").map_err(failed)?;
    let present: Vec<String> = q.query_map([], |r| r.get(0)).and_then(Iterator::collect).map_err(failed)?;
    if version > SCHEMA_VERSION {
        return Err(format!(
            "was written by a newer wfkit (schema {version}; this one reads schema {SCHEMA_VERSION}): use that wfkit, or another `--db`"
        ));
    }
    if version == 0 && present.iter().all(|t| t.starts_with("sqlite_")) {
        conn.execute_batch(SCHEMA).map_err(failed)?;
        conn.execute_batch(RECOVERIES).map_err(failed)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(failed)?;
        return Ok(());
    }
    let version = version.max(1);
    for (table, since, columns) in TABLES.iter().filter(|(_, since, _)| *since <= version) {
        if !present.iter().any(|t| t == table) {
            return Err(format!(
                "is damaged or not wf serve's: its table `{table}` (schema {since}) is missing. wf serve will not rebuild it (executions would lose their history): move the file aside to start afresh, or restore it from a backup"
            ));
        }
        if let Err(e) = conn.prepare(&format!("SELECT {columns} FROM {table} LIMIT 0")) {
            return Err(format!(
                "is damaged or not wf serve's: table `{table}` does not have the expected columns ({e})"
            ));
        }
    }
    for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to > version) {
        conn.execute_batch(sql).map_err(failed)?;
        conn.pragma_update(None, "user_version", to).map_err(failed)?;
    }
    conn.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("wf-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("serve.db")
    }

    fn revision(id: &str) -> RevisionRow {
        RevisionRow {
            workflow: "projects/p/locations/l/workflows/w".into(),
            revision_id: id.into(),
            source: "main: {}".into(),
            create_ns: 1,
        }
    }

    #[test]
    fn a_second_server_on_the_same_database_is_refused_and_named() {
        let path = scratch("lock");
        let first = Store::open(&path).expect("the first opens");
        let why = Store::open(&path).expect_err("the second is refused");
        assert!(why.contains("is in use by another wf serve"), "{why}");
        assert!(why.contains(&format!("process {}", std::process::id())), "{why}");
        drop(first);
        Store::open(&path).expect("free again once the first is gone");
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_wal_are_for_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let path = scratch("mode");
        let store = Store::open(&path).unwrap();
        store.begin().unwrap();
        store.put_revision(&revision("000001-abc")).unwrap();
        store.commit().unwrap();
        for file in [path.clone(), std::path::PathBuf::from(format!("{}-wal", path.display()))] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }

    #[test]
    fn a_database_missing_a_table_is_refused_not_rebuilt() {
        let path = scratch("damaged");
        drop(Store::open(&path).unwrap());
        Connection::open(&path).unwrap().execute_batch("DROP TABLE inputs").unwrap();
        let why = Store::open(&path).expect_err("refused");
        assert!(why.contains("its table `inputs` (schema 1) is missing"), "{why}");
        assert!(why.contains("move the file aside"), "{why}");
        // Still refused the next time: nothing was recreated.
        assert!(Store::open(&path).is_err());
    }

    #[test]
    fn garbage_and_newer_schemas_are_refused() {
        let path = scratch("garbage");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let why = Store::open(&path).expect_err("refused");
        assert!(why.contains("not a database wf serve can use") || why.contains("cannot be read"), "{why}");
        let path = scratch("newer");
        drop(Store::open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 7).unwrap();
        let why = Store::open(&path).expect_err("refused");
        assert!(why.contains("newer wfkit (schema 7"), "{why}");
    }

    #[test]
    fn a_database_from_before_versioning_is_taken_as_version_one() {
        let path = scratch("legacy");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        Connection::open(&path).unwrap().execute_batch(SCHEMA).unwrap();
        let store = Store::open(&path).expect("opens, and is brought to this version");
        store.set_recovery_attempts("e", 1).unwrap();
        assert_eq!(store.recovery_attempts("e").unwrap(), 1);
        drop(store);
        let version: i64 =
            Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn revisions_are_never_overwritten_and_count_their_past() {
        let path = scratch("revisions");
        let store = Store::open(&path).unwrap();
        store.put_revision(&revision("000001-abc")).unwrap();
        assert!(store.put_revision(&revision("000001-abc")).is_err());
        store.put_revision(&revision("000002-abc")).unwrap();
        store.delete_workflow("projects/p/locations/l/workflows/w").unwrap();
        assert_eq!(store.revision_count("projects/p/locations/l/workflows/w").unwrap(), 2);
    }
}
