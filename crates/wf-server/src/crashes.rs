//! No crash loops. Before the engine runs an execution (a replay, an input, a timer) it
//! writes the execution's name into `DB.running`, and clears it after; a process that dies
//! meanwhile (an abort, the out-of-memory killer) leaves the name there. At the next start
//! that execution's count of deaths goes up by one in the store, committed before anything
//! runs; at [`MAX_DEATHS`] it is failed with a message instead of being run again, so that
//! one poison execution cannot keep the server down. A count is forgotten once its
//! execution makes committed progress. The file is written without a sync: it has to
//! survive the process, not the machine.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Deaths after which an execution is failed rather than run again.
pub const MAX_DEATHS: u32 = 2;

/// The `DB.running` file.
#[derive(Debug)]
pub struct Running {
    file: File,
}

impl Running {
    /// Opens (or creates, owner-only) `DB.running` and returns it with the execution it
    /// names, if the last process died while running one.
    pub fn open(db: &Path) -> Result<(Running, Option<String>), String> {
        let path = PathBuf::from(format!("{}.running", db.display()));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|e| format!("cannot create `{}`: {e}", path.display()))?;
        let mut head = vec![0u8; 4096];
        let n = file.read_at(&mut head, 0).unwrap_or(0);
        let text = String::from_utf8_lossy(&head[..n]);
        let name = text.split('\n').next().unwrap_or("").trim().to_string();
        let running = Running { file };
        running.clear();
        Ok((running, (!name.is_empty()).then_some(name)))
    }

    /// Says that `name` is being run.
    pub fn begin(&self, name: &str) {
        let _ = self.file.write_all_at(format!("{name}\n").as_bytes(), 0);
    }

    /// Says that nothing is being run.
    pub fn clear(&self) {
        let _ = self.file.write_all_at(b"\n", 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_left_behind_is_found_at_the_next_open_and_cleared() {
        let dir = std::env::temp_dir().join(format!("wf-running-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("serve.db");
        let (running, found) = Running::open(&db).unwrap();
        assert_eq!(found, None);
        running.begin("projects/p/locations/l/workflows/w/executions/a-long-name");
        running.clear();
        running.begin("projects/p/locations/l/workflows/w/executions/e");
        drop(running);
        let (running, found) = Running::open(&db).unwrap();
        assert_eq!(found.as_deref(), Some("projects/p/locations/l/workflows/w/executions/e"));
        drop(running);
        assert_eq!(Running::open(&db).unwrap().1, None);
    }
}
