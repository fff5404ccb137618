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
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn location(file: &SourceFile, span: Span, related: Option<(usize, &str)>) -> Value {
    let lines = file.lines();
    let start = lines.line_col(&file.text, span.start);
    let end = lines.line_col(&file.text, span.end);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": file.name.replace('\\', "/")},
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
