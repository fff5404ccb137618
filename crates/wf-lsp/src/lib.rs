//! The wfkit language server: `wf lsp` (and the `wf-lsp` binary) speak the Language Server
//! Protocol over stdio. Diagnostics come from the same `wf_check::check` call as `wf check`;
//! hover, completion, navigation, rename, symbols, semantic tokens, signature help, code
//! actions and inlay hints are plain functions in [`features`] over byte offsets, and one
//! conversion module (`proto`) turns them into LSP messages (UTF-16 columns).

pub mod features;
mod proto;
mod server;
mod transport;
mod workspace;

pub use server::{Ending, Error, run_stdio, serve, serve_frames};
