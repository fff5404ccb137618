//! `--format gitlab`: GitLab's code-quality report (a JSON array of issues), which a merge
//! request shows beside the changed lines when a job saves it as `artifacts:reports:codequality`.

use serde::Serialize;
use wf_syntax::{Diagnostic, Severity, SourceFile};

use super::json::to_json_diagnostic;

/// One code-quality issue.
#[derive(Debug, Serialize)]
pub struct GitlabIssue {
    /// The message (with the help, when there is one).
    pub description: String,
    /// The diagnostic code, e.g. `WF120`.
    pub check_name: String,
    /// Identifies the issue across pipelines: the file, the code, the message and the text
    /// of the primary span (not its line number, so that moving code keeps it), and how
    /// many identical ones came before it in the file.
    pub fingerprint: String,
    /// `major` (error), `minor` (warning) or `info` (note).
    pub severity: &'static str,
    /// Where.
    pub location: GitlabLocation,
}

/// An issue's place.
#[derive(Debug, Serialize)]
pub struct GitlabLocation {
    /// The file, as `wf check` named it.
    pub path: String,
    /// The first and last line.
    pub positions: GitlabPositions,
}

/// Start and end of an issue.
#[derive(Debug, Serialize)]
pub struct GitlabPositions {
    /// Start: 1-based line and column.
    pub begin: GitlabPosition,
    /// End.
    pub end: GitlabPosition,
}

/// A line and a column, 1-based.
#[derive(Debug, Serialize)]
pub struct GitlabPosition {
    /// Line.
    pub line: u32,
    /// Column, in characters.
    pub column: u32,
}

/// The issues of `diags` of `file`, in order.
pub fn gitlab_issues(file: &SourceFile, diags: &[Diagnostic]) -> Vec<GitlabIssue> {
    let mut seen: Vec<u64> = Vec::new();
    diags
        .iter()
        .map(|d| {
            let j = to_json_diagnostic(file, d);
            let covered = file.text.get(d.span.start as usize..d.span.end as usize).unwrap_or("");
            let key = fnv1a(&[file.name.as_bytes(), d.code.as_bytes(), d.message.as_bytes(), covered.as_bytes()]);
            let repeat = seen.iter().filter(|k| **k == key).count() as u64;
            seen.push(key);
            let mut description = j.message;
            if let Some(help) = &j.help {
                description.push_str(&format!(" (help: {help})"));
            }
            GitlabIssue {
                description,
                check_name: j.code,
                fingerprint: format!("{:016x}{repeat:04x}", key),
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                location: GitlabLocation {
                    path: j.file,
                    positions: GitlabPositions {
                        begin: GitlabPosition { line: j.start.line, column: j.start.column },
                        end: GitlabPosition { line: j.end.line, column: j.end.column },
                    },
                },
            }
        })
        .collect()
}

/// 64-bit FNV-1a over the parts, each followed by a 0 byte: stable across runs, platforms
/// and Rust versions, as a fingerprint must be.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // FNV-1a 64 of "" is the offset basis and of "a" 0xaf63dc4c8601ec8c; each part here
        // is followed by a 0 byte, one more round (`h ^ 0`, times the prime).
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c_u64.wrapping_mul(0x0000_0100_0000_01b3));
    }

    #[test]
    fn identical_issues_in_one_file_get_distinct_fingerprints() {
        let file = SourceFile::new("a.yaml", "x");
        let d = Diagnostic::error("WF110", wf_syntax::Span::new(0, 1), "m".to_string());
        let issues = gitlab_issues(&file, &[d.clone(), d]);
        assert_ne!(issues[0].fingerprint, issues[1].fingerprint);
        assert_eq!(issues[0].fingerprint[..16], issues[1].fingerprint[..16]);
    }
}
