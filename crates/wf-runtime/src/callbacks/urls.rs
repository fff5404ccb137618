//! Endpoint URLs with GCW's path:
//! `BASE/v1/projects/P/locations/L/workflows/W/executions/E/callbacks/ID`.

/// How one execution's endpoint URLs are made.
#[derive(Debug, Clone)]
pub struct UrlScheme {
    /// Scheme and authority, e.g. `https://workflowexecutions.googleapis.com`.
    pub base: String,
    /// `/v1/projects/P/locations/L/workflows/W/executions/E`.
    pub execution_path: String,
    /// Makes the callback ids (seeded, so a run is reproducible).
    rng: u64,
}

impl UrlScheme {
    /// URLs under `base` for execution `execution` of workflow `workflow`; callback ids
    /// come from `seed`.
    pub fn new(base: &str, project: &str, location: &str, workflow: &str, execution: &str, seed: u64) -> UrlScheme {
        UrlScheme {
            base: base.trim_end_matches('/').to_string(),
            execution_path: format!(
                "/v1/projects/{project}/locations/{location}/workflows/{workflow}/executions/{execution}"
            ),
            rng: seed ^ 0xC0FF_EE00_D15E_A5E5,
        }
    }

    /// GCW's own host, with an execution id made from `seed` (for simulated runs).
    /// `project` is the project number, as in GCW's callback URLs.
    pub fn gcw(project: &str, location: &str, workflow: &str, seed: u64) -> UrlScheme {
        let mut state = seed ^ 0x2545_F491_4F6C_DD1D;
        let execution = uuid(&mut state);
        UrlScheme::new("https://workflowexecutions.googleapis.com", project, location, workflow, &execution, seed)
    }

    /// The URL and path of the next endpoint; its id is two UUIDs joined by `_`, as GCW's are.
    pub fn next_endpoint(&mut self) -> (String, String) {
        let id = format!("{}_{}", uuid(&mut self.rng), uuid(&mut self.rng));
        let path = format!("{}/callbacks/{id}", self.execution_path);
        (format!("{}{path}", self.base), path)
    }
}

/// A version-4 UUID from the random sequence in `state` (seeded: the same state gives the
/// same UUIDs).
pub fn uuid(state: &mut u64) -> String {
    let a = wf_vm::machine::splitmix64(state);
    let b = wf_vm::machine::splitmix64(state);
    let bits = (u128::from(a) << 64) | u128::from(b);
    let bits = (bits & !(0xF000u128 << 64)) | (0x4000u128 << 64);
    let bits = (bits & !(0xC000u128 << 48)) | (0x8000u128 << 48);
    let h = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// The workflow id GCW would give a file: its name up to the first dot
/// (`approval.workflows.yaml` → `approval`).
pub fn workflow_id(path: &std::path::Path) -> String {
    path.file_name()
        .and_then(|s| s.to_str())
        .and_then(|s| s.split('.').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("workflow")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_have_gcw_paths_and_seeded_ids() {
        let mut a = UrlScheme::gcw("p", "us-central1", "w", 3);
        let mut b = UrlScheme::gcw("p", "us-central1", "w", 3);
        let (url, path) = a.next_endpoint();
        assert_eq!((url.clone(), path.clone()), b.next_endpoint());
        assert!(url.starts_with(
            "https://workflowexecutions.googleapis.com/v1/projects/p/locations/us-central1/workflows/w/executions/"
        ));
        assert!(url.ends_with(&path) && path.contains("/callbacks/"));
        assert_ne!(a.next_endpoint().1, path);
        let mut local = UrlScheme::new("http://127.0.0.1:8080/", "p", "l", "w", "e", 0);
        assert!(
            local
                .next_endpoint()
                .0
                .starts_with("http://127.0.0.1:8080/v1/projects/p/locations/l/workflows/w/executions/e/callbacks/")
        );
    }

    #[test]
    fn ids_are_uuids() {
        let mut state = 9;
        let id = uuid(&mut state);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
        assert!(parts[2].starts_with('4') && "89ab".contains(&parts[3][..1]), "{id}");
        let (_, path) = UrlScheme::gcw("1", "l", "w", 0).next_endpoint();
        let callback = path.rsplit('/').next().unwrap();
        assert_eq!(callback.len(), 73, "{callback}");
        assert_eq!(callback.as_bytes()[36], b'_');
    }

    #[test]
    fn workflow_ids_are_file_stems() {
        assert_eq!(workflow_id(std::path::Path::new("a/approval.workflows.yaml")), "approval");
        assert_eq!(workflow_id(std::path::Path::new("x.json")), "x");
    }
}
