//! wfkit's checker: names, control flow, variables and types of a parsed workflow, against
//! the standard-library table in [`stdlib`].

pub mod stdlib;
pub mod ty;
