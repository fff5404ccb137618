//! `--snapshot`: the whole trace of a scenario in an insta-compatible `.snap` file next to
//! it, compared on later runs and rewritten by `--update`.

use std::path::{Path, PathBuf};

use crate::duration;
use crate::expect::diff;
use crate::world::{Outcome, Trace};

/// The trace as stable text.
pub fn render(t: &Trace) -> String {
    let json = |v: &wf_vm::Value| wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| j.to_string());
    let mut out = String::new();
    match &t.outcome {
        Outcome::Succeeded(v) => out.push_str(&format!("outcome: succeeded\nresult: {}\n", json(v))),
        Outcome::Failed { error, .. } => out.push_str(&format!("outcome: failed\nerror: {}\n", json(error))),
        Outcome::Aborted(why) => out.push_str(&format!("outcome: stopped\nreason: {why}\n")),
    }
    out.push_str(&format!("elapsed: {}\n", duration::format(t.elapsed)));
    out.push_str(&format!("steps: {}\n", t.steps.join(", ")));
    out.push_str("events:\n");
    for e in &t.events {
        out.push_str(&format!("  +{:<10} {}\n", duration::format(e.at), e.what));
    }
    out.push_str("logs:\n");
    for l in &t.logs {
        out.push_str(&format!("  {}\n", json(l)));
    }
    out
}

/// Where the snapshot of a scenario file lives: `NAME.scenario.yaml` → `NAME.scenario.snap`.
pub fn path_for(scenario: &Path) -> PathBuf {
    let name = scenario.file_name().and_then(|n| n.to_str()).unwrap_or("scenario");
    let stem = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")).unwrap_or(name);
    scenario.with_file_name(format!("{stem}.snap"))
}

/// What comparing with the stored snapshot gave.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Same as stored.
    Same,
    /// No snapshot yet, or `--update`: written.
    Written,
    /// Different from the stored one: the diff (- stored, + now).
    Differs(String),
}

/// Compares `body` with the snapshot at `path` (writing it when missing or when `update`).
pub fn compare(path: &Path, scenario: &Path, body: &str, update: bool) -> std::io::Result<Verdict> {
    let file = format!("---\nsource: {}\nexpression: trace\n---\n{body}", scenario.display());
    match std::fs::read_to_string(path) {
        Ok(stored) if !update => {
            let stored_body = stored.splitn(3, "---\n").nth(2).unwrap_or("");
            if stored_body == body { Ok(Verdict::Same) } else { Ok(Verdict::Differs(diff(stored_body, body))) }
        }
        _ => {
            std::fs::write(path, file)?;
            Ok(Verdict::Written)
        }
    }
}
