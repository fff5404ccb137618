//! Which files the tools read when they walk folders (`wf check`, `wf-test`, `wf lsp`), so
//! that all of them agree: workflows are `*.yaml`, `*.yml` and `*.json` files except
//! `wf-test` scenarios; hidden entries and build or dependency folders are never entered.

use std::path::{Path, PathBuf};

/// File extensions read as workflows.
pub const WORKFLOW_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Folders never entered (hidden ones are skipped too).
pub const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Whether a walk enters the folder called `name`.
pub fn walks_into(name: &str) -> bool {
    !name.starts_with('.') && !SKIPPED_DIRS.contains(&name)
}

/// Whether a file name is a `wf-test` scenario (`NAME.scenario.yaml` or `.yml`).
pub fn is_scenario_file(name: &str) -> bool {
    name.ends_with(".scenario.yaml") || name.ends_with(".scenario.yml")
}

/// Whether the path ends in one of [`WORKFLOW_EXTENSIONS`] (in any case).
pub fn has_workflow_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WORKFLOW_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)))
}

/// Whether `path` is a regular file (after following symbolic links): the one test every
/// folder walk applies before reading, so that a named pipe, a socket or a device called
/// `x.yaml` is never opened (reading a pipe would wait for a writer forever).
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Whether a file met in a folder walk is read as a workflow.
pub fn is_workflow_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.') && has_workflow_extension(path) && !is_scenario_file(name)
}

/// Appends to `out` every regular file below `dir` that `keep` accepts, sorted by name
/// within each folder, skipping hidden entries and entering only the folders [`walks_into`]
/// accepts (not through symbolic links).
pub fn walk(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    walk_at_most(dir, keep, usize::MAX, out)
}

/// [`walk`], stopping once `out` holds `max` files: the same first `max` files every time,
/// whatever order the file system lists them in.
pub fn walk_at_most(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    max: usize,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if out.len() >= max {
            return Ok(());
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            if walks_into(&name) {
                walk_at_most(&path, keep, max, out)?;
            }
        } else if keep(&path) && is_regular_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limited_walk_keeps_the_first_files_in_sorted_order() {
        let dir = std::env::temp_dir().join(format!("wf-walk-limit-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("m")).unwrap();
        for f in ["c.yaml", "a.yaml", "m/b.yaml", "z.yaml"] {
            std::fs::write(dir.join(f), "main: {}").unwrap();
        }
        let mut out = Vec::new();
        walk_at_most(&dir, &is_workflow_file, 3, &mut out).unwrap();
        let names: Vec<String> = out.iter().map(|p| p.strip_prefix(&dir).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a.yaml", "c.yaml", "m/b.yaml"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_walk_skips_named_pipes_and_keeps_links_to_files() {
        let dir = std::env::temp_dir().join(format!("wf-walk-fifo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.yaml"), "main: {}").unwrap();
        std::os::unix::fs::symlink(dir.join("a.yaml"), dir.join("b.yaml")).unwrap();
        std::os::unix::fs::symlink(dir.join("missing.yaml"), dir.join("c.yaml")).unwrap();
        let made = std::process::Command::new("mkfifo").arg(dir.join("pipe.yaml")).status().unwrap();
        assert!(made.success());
        let mut out = Vec::new();
        walk(&dir, &is_workflow_file, &mut out).unwrap();
        let names: Vec<String> = out.iter().map(|p| p.strip_prefix(&dir).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a.yaml", "b.yaml"]);
        assert!(!is_regular_file(&dir.join("pipe.yaml")) && !is_regular_file(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn workflows_scenarios_and_skipped_folders() {
        assert!(is_workflow_file(Path::new("flows/order.workflows.yaml")));
        assert!(is_workflow_file(Path::new("a/B.JSON")));
        assert!(!is_workflow_file(Path::new("a/approve.scenario.yaml")));
        assert!(!is_workflow_file(Path::new("a/.hidden.yaml")));
        assert!(!is_workflow_file(Path::new("a/notes.md")));
        assert!(is_scenario_file("approve.scenario.yml"));
        assert!(!walks_into("node_modules") && !walks_into(".git") && walks_into("flows"));
    }
}
