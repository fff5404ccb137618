//! Turning diagnostics into text: ariadne reports for people; JSON, SARIF, GitHub Actions
//! annotations and GitLab code quality for tools.

mod github;
mod gitlab;
mod human;
mod json;
mod sarif;

pub use github::{github_annotation, github_unreadable};
pub use gitlab::{GitlabIssue, GitlabLocation, GitlabPosition, GitlabPositions, gitlab_issues};
pub use human::render_human;
pub use json::{JsonDiagnostic, JsonPosition, JsonReport, JsonSkipped, JsonSummary, to_json_diagnostic};
pub use sarif::sarif_log;
