//! The `wf` command line: argument handling, rendering and the commands themselves.
//! Language logic lives in the library crates; this crate only drives them.

pub mod check;
pub mod explain;
pub mod files;
pub mod render;
pub mod run;
pub mod serve;
