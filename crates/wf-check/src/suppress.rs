//! Silencing diagnostics with comments: `# wf-ignore: WF401` on the line of the diagnostic or
//! on the line above silences those codes there; `# wf-ignore-file: WF401, WF403` anywhere
//! silences them in the whole file. Codes may also be given by name (`unused-value`).

use wf_syntax::{Diagnostic, SourceFile};

use crate::codes;

/// Removes the diagnostics that comments in `source` silence.
pub fn apply_comments(source: &SourceFile, diags: &mut Vec<Diagnostic>) {
    if !source.text.contains("wf-ignore") {
        return;
    }
    let lines: Vec<&str> = source.text.lines().collect();
    let file_codes: Vec<&str> = lines.iter().filter_map(|l| directive(l, "wf-ignore-file:")).flatten().collect();
    diags.retain(|d| {
        if names_code(&file_codes, d.code) {
            return false;
        }
        let line = source.lines().line_of(d.span.start);
        let here = lines.get(line).and_then(|l| directive(l, "wf-ignore:"));
        let above = line.checked_sub(1).and_then(|i| lines.get(i)).and_then(|l| directive(l, "wf-ignore:"));
        !here.into_iter().chain(above).any(|codes| names_code(&codes, d.code))
    });
}

/// The codes of a `# KEY CODE, CODE` comment on `line`.
fn directive<'l>(line: &'l str, key: &str) -> Option<Vec<&'l str>> {
    let comment = &line[line.find('#')?..];
    let rest = &comment[comment.find(key)? + key.len()..];
    Some(rest.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()).collect())
}

fn names_code(list: &[&str], code: &str) -> bool {
    list.iter().any(|c| c.eq_ignore_ascii_case(code) || codes::lookup(c).is_some_and(|info| info.code == code))
}
