//! Printing results: one line per scenario and the failures (human), or JSON, or JUnit XML,
//! or GitHub Actions annotations.

use std::fmt::Write;

use wf_syntax::github::{Annotation, Level, Region};

use crate::duration;
use crate::runner::ScenarioResult;

/// The human report; the last line is `N passed, N failed` (`, N skipped` when some were
/// filtered or sharded out).
pub fn human(results: &[ScenarioResult], skipped: usize) -> String {
    let mut out = verdicts(results);
    let failed: Vec<&ScenarioResult> = results.iter().filter(|r| !r.passed()).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n");
        for r in failed {
            let _ = writeln!(out, "\n---- {} ({})", r.name, r.file);
            out.push_str(&failure_text(r));
        }
        out.push('\n');
    }
    out.push_str(&totals(results, skipped));
    out
}

/// `--format github`: the verdict lines of the human report, then one GitHub Actions
/// `::error` annotation per failed scenario (on its file, at the first `file:line:col` of
/// that file its failures name; its title the scenario's name; its message the failures as
/// the human report prints them), then the same last line.
pub fn github(results: &[ScenarioResult], skipped: usize) -> String {
    let mut out = verdicts(results);
    for r in results.iter().filter(|r| !r.passed()) {
        let text = failure_text(r);
        let region =
            r.failures.iter().find_map(|f| place_in(&r.file, &f.what).or_else(|| place_in(&r.file, &f.detail)));
        let annotation = Annotation {
            level: Level::Error,
            file: &r.file,
            region: region.map(|(line, col)| Region { line, col, end_line: line, end_col: col }),
            title: &r.name,
            message: text.trim_end(),
        };
        let _ = writeln!(out, "{}", annotation.command());
    }
    out.push_str(&totals(results, skipped));
    out
}

/// One line per scenario: `ok` or `FAILED`, the name, cases or schedules, virtual time.
fn verdicts(results: &[ScenarioResult]) -> String {
    let mut out = String::new();
    for r in results {
        let verdict = if r.passed() { "ok    " } else { "FAILED" };
        let time = r.elapsed.map(|e| format!(" ({})", duration::format(e))).unwrap_or_default();
        let cases = match (r.cases, r.schedules) {
            (_, Some((n, true))) => format!(" [{n} schedules, all of them]"),
            (_, Some((n, false))) if r.passed() => {
                format!(" [{n} schedules: the limit, not every interleaving was run]")
            }
            (_, Some((1, false))) => " [1 schedule]".to_string(),
            (_, Some((n, false))) => format!(" [{n} schedules]"),
            (0, None) => String::new(),
            (n, None) => format!(" [{n} cases]"),
        };
        let _ = writeln!(out, "{verdict} {}{cases}{time}", r.name);
    }
    out
}

/// A failed scenario's failures: each one line, then its detail indented by four spaces.
fn failure_text(r: &ScenarioResult) -> String {
    let mut out = String::new();
    for f in &r.failures {
        let _ = writeln!(out, "{}", f.what);
        for line in f.detail.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// The last line: `N passed, N failed` (`, N skipped`).
fn totals(results: &[ScenarioResult], skipped: usize) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    let mut out = format!("{passed} passed, {} failed", results.len() - passed);
    if skipped > 0 {
        let _ = write!(out, ", {skipped} skipped");
    }
    out.push('\n');
    out
}

/// The first `FILE:LINE:COL` in `text` whose file is `file`.
fn place_in(file: &str, text: &str) -> Option<(u32, u32)> {
    /// The number at the start of `text` after a `:`, and the rest.
    fn number(text: &str) -> Option<(u32, &str)> {
        let text = text.strip_prefix(':')?;
        let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        Some((text[..end].parse().ok()?, &text[end..]))
    }
    let mut rest = text;
    while let Some(i) = rest.find(file) {
        rest = &rest[i + file.len()..];
        if let Some((line, after)) = number(rest)
            && let Some((col, _)) = number(after)
        {
            return Some((line, col));
        }
    }
    None
}

/// `--format json`.
pub fn json(results: &[ScenarioResult], skipped: usize) -> String {
    let scenarios: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "file": r.file,
                "status": if r.passed() { "passed" } else { "failed" },
                "elapsed_seconds": r.elapsed,
                "failures": r.failures.iter().map(|f| serde_json::json!({"what": f.what, "detail": f.detail})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let passed = results.iter().filter(|r| r.passed()).count();
    let doc = serde_json::json!({
        "version": 1,
        "scenarios": scenarios,
        "passed": passed,
        "failed": results.len() - passed,
        "skipped": skipped,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `--format junit`.
pub fn junit(results: &[ScenarioResult], skipped: usize) -> String {
    let failed = results.iter().filter(|r| !r.passed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"wf-test\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\">",
        results.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"wf-test\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\">",
        results.len()
    );
    for r in results {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
            xml(&r.name),
            xml(&r.file),
            r.elapsed.unwrap_or(0.0)
        );
        if r.passed() {
            out.push_str("/>\n");
        } else {
            out.push_str(">\n");
            for f in &r.failures {
                let _ = writeln!(out, "      <failure message=\"{}\">{}</failure>", xml(&f.what), xml(&f.detail));
            }
            out.push_str("    </testcase>\n");
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_in_finds_the_first_position_in_the_scenario_file() {
        let f = "s/a.scenario.yaml";
        assert_eq!(place_in(f, "s/a.scenario.yaml:6:5: the callback got 404"), Some((6, 5)));
        assert_eq!(place_in(f, "bad scenario file: s/a.scenario.yaml:12:1"), Some((12, 1)));
        assert_eq!(place_in(f, "s/a.scenario.yaml: no line; s/a.scenario.yaml:3:7"), Some((3, 7)));
        assert_eq!(place_in(f, "w/flow.yaml:3:7: elsewhere"), None);
        assert_eq!(place_in(f, "s/a.scenario.yaml:3"), None);
    }
}
