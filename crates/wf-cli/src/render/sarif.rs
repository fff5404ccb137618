//! `--format sarif`: SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, IDE viewers).

use serde_json::{Value, json};
use wf_syntax::{Diagnostic, Severity, SourceFile, Span};

/// One SARIF log with every diagnostic of every checked file.
pub fn sarif_log(files: &[(&SourceFile, &[Diagnostic])]) -> Value {
    let rules: Vec<Value> = wf_check::codes::all_codes()
        .map(|c| {
            json!({
                "id": c.code,
                "name": c.name,
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": c.doc},
                "help": {"text": format!("{}\n\nRun `wf explain {}` for more.", c.doc, c.code)},
            })
        })
        .collect();
    let rule_index = |code: &str| wf_check::codes::all_codes().position(|c| c.code == code);
    let mut results = Vec::new();
    for (file, diags) in files {
        for d in *diags {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "note",
                },
                "message": {"text": message},
                "locations": [location(file, d.span, None)],
            });
            if let Some(i) = rule_index(d.code) {
                result["ruleIndex"] = json!(i);
            }
            if !d.labels.is_empty() {
                result["relatedLocations"] = Value::Array(
                    d.labels.iter().enumerate().map(|(i, l)| location(file, l.span, Some((i, &l.message)))).collect(),
                );
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "wfkit",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_HOMEPAGE"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A file's SARIF URI: a relative path as it is (with `/`), an absolute one as a `file://`
/// URI, percent-encoded (a relative reference must not begin with `/`, SARIF1004).
fn artifact_uri(name: &str) -> String {
    let path = name.replace('\\', "/");
    let is_windows_drive =
        path.as_bytes().get(1) == Some(&b':') && path.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
    if !path.starts_with('/') && !is_windows_drive {
        return percent_encode(&path);
    }
    let rooted = if is_windows_drive { format!("/{path}") } else { path };
    format!("file://{}", percent_encode(&rooted))
}

/// Percent-encodes what may not stand in a URI path.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(file: &SourceFile, span: Span, related: Option<(usize, &str)>) -> Value {
    let lines = file.lines();
    let start = lines.line_col(&file.text, span.start);
    let end = lines.line_col(&file.text, span.end);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(&file.name)},
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
                "byteOffset": span.start,
                "byteLength": span.len(),
            },
        },
    });
    if let Some((id, message)) = related {
        loc["id"] = json!(id);
        loc["message"] = json!({"text": message});
    }
    loc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(artifact_uri("flows/a.yaml"), "flows/a.yaml");
        assert_eq!(artifact_uri("/home/me/my flows/a#1.yaml"), "file:///home/me/my%20flows/a%231.yaml");
        assert_eq!(artifact_uri("C:\\work\\a.yaml"), "file:///C:/work/a.yaml");
        assert_eq!(artifact_uri("ünï.yaml"), "%C3%BCn%C3%AF.yaml");
    }
}
