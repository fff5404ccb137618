//! `--format github`: one GitHub Actions workflow command per diagnostic (`::error`,
//! `::warning`, `::notice`), which the Actions runner shows as an annotation on the file's
//! line in the pull request.

use wf_syntax::github::{Annotation, Level, Region};
use wf_syntax::{Diagnostic, Severity, SourceFile};

use super::json::to_json_diagnostic;

/// The annotation of one diagnostic of `file`: the code as its title; the message, then the
/// secondary labels as `file:line:col: label`, the notes and the help, one per line.
pub fn github_annotation(file: &SourceFile, d: &Diagnostic) -> String {
    let j = to_json_diagnostic(file, d);
    let mut message = j.message.clone();
    for label in &j.labels {
        message.push_str(&format!("\n{}:{}:{}: {}", j.file, label.start.line, label.start.column, label.message));
    }
    for note in &j.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &j.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Annotation {
        level: level(d.severity),
        file: &j.file,
        region: Some(Region { line: j.start.line, col: j.start.column, end_line: j.end.line, end_col: j.end.column }),
        title: &j.code,
        message: &message,
    }
    .command()
}

/// The annotation of a file `wf check` could not read.
pub fn github_unreadable(name: &str, reason: &str) -> String {
    let message = format!("cannot read `{name}`: {reason}");
    Annotation { level: Level::Error, file: name, region: None, title: "wf check", message: &message }.command()
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Notice,
    }
}
