//! Finding the workflow files named on the command line.

use std::path::{Path, PathBuf};

/// File extensions that `wf check` reads when walking a folder.
pub const WORKFLOW_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Folders never entered when walking.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// One input file and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path to read.
    pub path: PathBuf,
    /// Named directly on the command line (not found by walking a folder).
    pub explicit: bool,
}

/// Expands `paths` into files: files as given, folders walked recursively (sorted, skipping
/// hidden entries and `wf-test` scenarios) for `*.yaml`, `*.yml` and `*.json`. A path that
/// does not exist is an `Err`.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut out).map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
        } else {
            out.push(Input { path: path.clone(), explicit: true });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_ref()) {
                walk(&path, out)?;
            }
        } else if is_workflow_extension(&path) && !is_scenario(&name) {
            out.push(Input { path, explicit: false });
        }
    }
    Ok(())
}

/// Whether a file name is a `wf-test` scenario (`NAME.scenario.yaml`), which is no workflow.
fn is_scenario(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".scenario.yaml") || lower.ends_with(".scenario.yml")
}

/// Whether the path ends in one of [`WORKFLOW_EXTENSIONS`].
pub fn is_workflow_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WORKFLOW_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)))
}
