//! Finding the workflow files named on the command line.

use std::path::{Path, PathBuf};

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
/// hidden entries and `wf-test` scenarios) for `*.yaml`, `*.yml` and `*.json`, and the
/// Terraform templates of those (`*.yaml.tftpl`, `*.yml.tftpl`, `*.json.tftpl`; a bare
/// `*.tftpl` such as `user_data.sh.tftpl` is often no workflow, so only a named one is
/// read). A path that does not exist is an `Err`.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            files::walk(path, &|p| files::is_workflow_file(p) || is_workflow_template(p), &mut found)
                .map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
            out.extend(found.into_iter().map(|path| Input { path, explicit: false }));
        } else {
            out.push(Input { path: path.clone(), explicit: true });
        }
    }
    Ok(out)
}

/// A Terraform template of a workflow file, by its name (`flow.yaml.tftpl`).
fn is_workflow_template(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    [".yaml.tftpl", ".yml.tftpl", ".json.tftpl"].iter().any(|ext| name.ends_with(ext))
        && !name.starts_with('.')
        && !files::is_scenario_file(&name)
}
