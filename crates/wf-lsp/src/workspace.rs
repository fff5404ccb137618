//! The workflow files of the workspace folders that are not open, for workspace symbol
//! search: found by walking the folders, parsed once and kept until they change on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use wf_syntax::ast::Workflow;
use wf_syntax::{SourceFile, files, parse_workflow};

/// At most this many files are read.
const MAX_FILES: usize = 5_000;
/// Files larger than this are not workflows worth indexing.
const MAX_BYTES: u64 = 2 * 1024 * 1024;

/// A parsed file on disk.
#[derive(Debug)]
pub(crate) struct DiskFile {
    pub file: SourceFile,
    pub workflow: Workflow,
    modified: Option<SystemTime>,
}

/// The workspace folders and the workflows found in them.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    roots: Vec<PathBuf>,
    files: HashMap<PathBuf, Option<DiskFile>>,
}

impl Workspace {
    /// A workspace of these folders.
    pub fn new(roots: Vec<PathBuf>) -> Workspace {
        Workspace { roots, files: HashMap::new() }
    }

    /// Every workflow file below the folders (re-read when changed on disk), sorted by path.
    pub fn workflows(&mut self) -> Vec<(&Path, &DiskFile)> {
        let mut paths = Vec::new();
        let keep = |p: &Path| files::is_workflow_file(p) && std::fs::metadata(p).is_ok_and(|m| m.len() <= MAX_BYTES);
        for root in &self.roots {
            // An unreadable folder ends its part of the walk; what was found so far stays.
            let _ = files::walk_at_most(root, &keep, MAX_FILES, &mut paths);
        }
        paths.sort();
        self.files.retain(|p, _| paths.binary_search(p).is_ok());
        for path in &paths {
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            let stale = match self.files.get(path) {
                Some(Some(f)) => f.modified != modified,
                Some(None) => true,
                None => true,
            };
            if stale {
                self.files.insert(path.clone(), read(path, modified));
            }
        }
        let mut out: Vec<(&Path, &DiskFile)> =
            self.files.iter().filter_map(|(p, f)| f.as_ref().map(|f| (p.as_path(), f))).collect();
        out.sort_by_key(|(p, _)| *p);
        out
    }
}

fn read(path: &Path, modified: Option<SystemTime>) -> Option<DiskFile> {
    let text = std::fs::read_to_string(path).ok()?;
    let file = SourceFile::new(path.display().to_string(), text);
    let workflow = parse_workflow(&file).workflow?;
    Some(DiskFile { file, workflow, modified })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_workflows_and_skips_other_files() {
        let dir = std::env::temp_dir().join(format!("wf-lsp-ws-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("flows")).expect("temp dir");
        std::fs::create_dir_all(dir.join("node_modules")).expect("temp dir");
        std::fs::write(dir.join("flows/a.yaml"), "- s:\n    return: 1\n").expect("write");
        std::fs::write(dir.join("compose.yaml"), "services: {}\n").expect("write");
        std::fs::write(dir.join("node_modules/b.yaml"), "- s:\n    return: 1\n").expect("write");
        let mut ws = Workspace::new(vec![dir.clone()]);
        let found: Vec<String> = ws.workflows().iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("a.yaml"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
