//! wfkit's virtual machine: compiles a checked workflow to bytecode and runs it
//! deterministically. The machine is sans-IO: it yields effects (calls to the outside world,
//! sleeps, callback waits, logs) and the driver answers them; time, ids and randomness come
//! from the driver.

pub mod code;
pub mod compile;
pub mod coverage;
pub mod effects;
pub mod error;
pub mod json;
pub mod machine;
mod memory;
pub mod nesting;
mod ops;
mod predicates;
mod scopes;
pub mod sizes;
pub mod stdlib;
pub mod value;

pub use code::Program;
pub use compile::{CompileError, CompileOptions, compile, compile_with};
pub use effects::{Effect, EffectId, Origin};
pub use error::Raised;
pub use machine::{Limits, Machine, Request, RunOptions, Status, StepRecord, UnknownEffect};
pub use value::{Map, Value};
