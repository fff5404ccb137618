//! Helpers for the tests that need what lives outside the repository: the `../shared`
//! folder (the corpus, the references) and tools such as Neovim.

#![allow(dead_code)]

#[path = "../../../../tests/support/skip.rs"]
mod skip;
#[allow(unused_imports)] // each test binary uses some of them
pub use skip::{assert_skips_but_not_on_ci, rerun, shared, skip};
