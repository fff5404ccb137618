//! Loading YAML and JSON into a tree of [`Node`]s that keeps the byte span of every key and
//! value. JSON files go through the same YAML parser (JSON is YAML's flow style), after a
//! strict JSON syntax check so that JSON-only mistakes (trailing commas) are reported.

mod loader;
mod node;
mod offsets;
mod relax;
mod resolve;

pub use loader::{MAX_NESTING, load};
pub use node::{Node, NodeKind, Scalar, ScalarKind, Style};
pub use offsets::ScalarOffsets;
