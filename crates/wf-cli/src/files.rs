//! Finding the workflow files named on the command line.

use std::path::PathBuf;

use wf_syntax::files;

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
            let mut found = Vec::new();
            files::walk(path, &files::is_workflow_file, &mut found)
                .map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
            out.extend(found.into_iter().map(|path| Input { path, explicit: false }));
        } else {
            out.push(Input { path: path.clone(), explicit: true });
        }
    }
    Ok(out)
}
