//! The `--format json` schema (version 1), documented in `docs/json-output.md`.

use serde::Serialize;
use wf_syntax::{Diagnostic, SourceFile, Span};

/// The whole output of `wf check --format json`.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Schema version; bumped on incompatible changes.
    pub version: u32,
    /// Every diagnostic of every file, files in order, diagnostics in source order.
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Files that were passed over.
    pub skipped: Vec<JsonSkipped>,
    /// Counts.
    pub summary: JsonSummary,
}

/// One diagnostic.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// The file, as the user named it (or as found under a folder).
    pub file: String,
    /// Stable code, e.g. `WF120`.
    pub code: String,
    /// `error`, `warning` or `note`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: String,
    /// Start of the primary span.
    pub start: JsonPosition,
    /// End of the primary span (exclusive).
    pub end: JsonPosition,
    /// Text on the primary span.
    pub label: String,
    /// Secondary locations.
    pub labels: Vec<JsonLabel>,
    /// Extra facts.
    pub notes: Vec<String>,
    /// What to do.
    pub help: Option<String>,
}

/// A secondary location.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// What it says.
    pub message: String,
    /// Start of the span.
    pub start: JsonPosition,
    /// End of the span (exclusive).
    pub end: JsonPosition,
}

/// A position: 1-based line, 1-based column in characters, and 0-based byte offset.
#[derive(Debug, Serialize, Clone, Copy)]
pub struct JsonPosition {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode characters.
    pub column: u32,
    /// 0-based byte offset into the file.
    pub offset: u32,
}

/// A file that was not checked.
#[derive(Debug, Serialize)]
pub struct JsonSkipped {
    /// The file.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// Totals.
#[derive(Debug, Serialize, Default)]
pub struct JsonSummary {
    /// Files checked.
    pub files: usize,
    /// Files skipped.
    pub skipped: usize,
    /// Error diagnostics.
    pub errors: usize,
    /// Warning diagnostics.
    pub warnings: usize,
}

fn position(file: &SourceFile, offset: u32) -> JsonPosition {
    let lc = file.lines().line_col(&file.text, offset);
    JsonPosition { line: lc.line, column: lc.column, offset }
}

fn range(file: &SourceFile, span: Span) -> (JsonPosition, JsonPosition) {
    (position(file, span.start), position(file, span.end))
}

/// Converts one diagnostic of `file`.
pub fn to_json_diagnostic(file: &SourceFile, d: &Diagnostic) -> JsonDiagnostic {
    let (start, end) = range(file, d.span);
    JsonDiagnostic {
        file: file.name.clone(),
        code: d.code.to_string(),
        severity: d.severity.as_str(),
        message: d.message.clone(),
        start,
        end,
        label: d.label.clone(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let (start, end) = range(file, l.span);
                JsonLabel { message: l.message.clone(), start, end }
            })
            .collect(),
        notes: d.notes.clone(),
        help: d.help.clone(),
    }
}
