//! Turning diagnostics into text: ariadne reports for people, JSON for tools.

mod human;
mod json;
mod sarif;

pub use human::render_human;
pub use json::{JsonDiagnostic, JsonPosition, JsonReport, JsonSkipped, JsonSummary, to_json_diagnostic};
pub use sarif::sarif_log;
