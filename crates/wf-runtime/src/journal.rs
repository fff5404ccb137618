//! The journal of an execution: every answer the machine was given, with the clock's reading,
//! in order, and how many times the machine was polled before it. The machine is
//! deterministic, so replaying a journal into a fresh machine of the same program, argument
//! and options brings it to the same state (ARCHITECTURE.md, invariants); `wf serve` persists
//! journals and replays them after a crash.

use wf_vm::{EffectId, Machine, Status, Value};

/// One answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Polls of the machine since the previous answer.
    pub polls: u32,
    /// The effect answered.
    pub id: EffectId,
    /// The clock's reading given with the answer.
    pub now: f64,
    /// The result, or the error raised.
    pub result: Result<Value, Value>,
}

/// Every answer, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Journal {
    /// The answers.
    pub entries: Vec<Entry>,
}

/// A replay that did not go as the journal says.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Which entry (0-based).
    pub entry: usize,
    /// What went differently.
    pub message: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the replay diverges from the journal at answer {}: {}", self.entry + 1, self.message)
    }
}

impl Journal {
    /// Feeds every answer into `machine`, polling it as often as the original run did.
    pub fn replay_into(&self, machine: &mut Machine) -> Result<(), Divergence> {
        for (i, e) in self.entries.iter().enumerate() {
            for _ in 0..e.polls {
                match machine.poll() {
                    Status::Effect(_) | Status::Waiting => {}
                    Status::Done(_) | Status::Failed(_) => {
                        return Err(Divergence { entry: i, message: "the execution ended before this answer".into() });
                    }
                }
            }
            machine
                .answer(e.id, e.result.clone(), e.now)
                .map_err(|err| Divergence { entry: i, message: err.to_string() })?;
        }
        Ok(())
    }
}
