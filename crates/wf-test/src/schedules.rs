//! `schedules: all`: every interleaving of a scenario's parallel branches, explored depth
//! first in the spirit of loom. Branches interleave only where they wait (a call, a sleep, a
//! callback), and there the machine chooses which ready branch runs next; a schedule is the
//! list of those choices. Each run replays a prefix of choices, takes the first branch at
//! every later choice, and records how many it had; the next schedule advances the deepest
//! choice that has an alternative left. Independent reorders are not pruned.

use std::path::Path;
use std::rc::Rc;

use wf_syntax::SourceFile;
use wf_vm::Program;

use crate::cases::apply_edits;
use crate::expect::{Failure, check};
use crate::scenario::Scenario;
use crate::world::simulate;

/// The most schedules one scenario explores; past it the run stops and says so.
pub const MAX_SCHEDULES: u64 = 10_000;

/// What exploring found.
#[derive(Debug, Clone, PartialEq)]
pub struct Exploration {
    /// Schedules run.
    pub schedules: u64,
    /// Whether every schedule was run (false: [`MAX_SCHEDULES`] stopped it).
    pub exhaustive: bool,
    /// Virtual time of the last schedule run.
    pub elapsed: f64,
    /// The first schedule that broke an expectation.
    pub failed: Option<FailedSchedule>,
}

/// A schedule that broke an expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedSchedule {
    /// Which schedule, 1-based, in the order explored.
    pub index: u64,
    /// Its choices between ready branches.
    pub choices: Vec<u32>,
    /// The steps it ran, in order (the interleaving, readable).
    pub steps: Vec<String>,
    /// What it broke.
    pub failures: Vec<Failure>,
    /// The scenario with `schedule: [...]` in place of `schedules: all`, which replays it.
    pub concrete: String,
}

/// Runs every schedule of `s` (read from `file`, whose text is `text`), or until one fails.
pub fn explore(s: &Scenario, file: &Path, text: &str, program: &Rc<Program>, workflow: &SourceFile) -> Exploration {
    let mut prefix: Vec<u32> = Vec::new();
    let mut schedules = 0;
    loop {
        schedules += 1;
        let case = Scenario { schedule: Some(prefix.clone()), schedules_all: false, ..s.clone() };
        let trace = simulate(&case, Rc::clone(program));
        let failures = check(&case, &trace, workflow);
        let choices: Vec<u32> = trace.schedule.iter().map(|&(taken, _)| taken).collect();
        if !failures.is_empty() {
            let concrete = concrete(file, text, &choices);
            let failed = FailedSchedule { index: schedules, choices, steps: trace.steps, failures, concrete };
            return Exploration { schedules, exhaustive: false, elapsed: trace.elapsed, failed: Some(failed) };
        }
        let Some(deepest) = trace.schedule.iter().rposition(|&(taken, ready)| taken + 1 < ready) else {
            return Exploration { schedules, exhaustive: true, elapsed: trace.elapsed, failed: None };
        };
        if schedules >= MAX_SCHEDULES {
            return Exploration { schedules, exhaustive: false, elapsed: trace.elapsed, failed: None };
        }
        prefix = choices[..deepest].to_vec();
        prefix.push(choices[deepest] + 1);
    }
}

/// `text` with its `schedules: all` entry replaced by `schedule: [choices]`.
fn concrete(file: &Path, text: &str, choices: &[u32]) -> String {
    let source = SourceFile::new(file.display().to_string(), text);
    let (root, _) = wf_syntax::yaml::load(&source);
    let entry = root.as_ref().and_then(|r| r.as_map()).and_then(|entries| {
        entries.iter().find(|(k, _)| k.key_text() == Some("schedules")).map(|(k, v)| k.span.cover(v.span))
    });
    let list: Vec<String> = choices.iter().map(u32::to_string).collect();
    match entry {
        Some(span) => apply_edits(text, &[(span, format!("schedule: [{}]", list.join(", ")))]),
        None => text.to_string(),
    }
}
