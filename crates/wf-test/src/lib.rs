//! `wf-test`: scenario tests for GCW workflows on a virtual clock. A scenario scripts the
//! outside world of one execution (callback requests, answers to outbound calls, delays)
//! and states what must come out; see `../shared/scenario-format.md` for the format.

pub mod cases;
pub mod coverage;
pub mod expect;
mod guard;
pub mod lcov;
pub mod property;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schedules;
pub mod snapshot;
pub mod targets;
pub mod world;

pub use runner::{
    NotRunnable, Options, ScenarioResult, compile_workflow, compile_workflow_with, discover, run_all, run_one,
};
pub use scenario::{Scenario, ScenarioError};
pub use wf_runtime::duration;
pub use world::{Outcome, Trace, simulate};
