//! Printing results: one line per scenario and the failures (human), or JSON, or JUnit XML.

use std::fmt::Write;

use crate::duration;
use crate::runner::ScenarioResult;

/// The human report; the last line is `N passed, N failed` (`, N skipped` when some were
/// filtered or sharded out).
pub fn human(results: &[ScenarioResult], skipped: usize) -> String {
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
    let failed: Vec<&ScenarioResult> = results.iter().filter(|r| !r.passed()).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n");
        for r in failed {
            let _ = writeln!(out, "\n---- {} ({})", r.name, r.file);
            for f in &r.failures {
                let _ = writeln!(out, "{}", f.what);
                for line in f.detail.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        out.push('\n');
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let _ = write!(out, "{passed} passed, {} failed", results.len() - passed);
    if skipped > 0 {
        let _ = write!(out, ", {skipped} skipped");
    }
    out.push('\n');
    out
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
