//! Comparing what happened with what the scenario expects.

use wf_syntax::SourceFile;
use wf_vm::Value;

use crate::duration;
use crate::scenario::Scenario;
use crate::world::{Outcome, Trace};
use wf_runtime::mocks::is_subset;

/// One broken expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What did not hold, in one line.
    pub what: String,
    /// A diff or more detail (may be empty).
    pub detail: String,
}

fn pretty(v: &Value) -> String {
    wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| serde_json::to_string_pretty(&j).unwrap_or_default())
}

/// A `- expected` / `+ actual` line diff.
pub fn diff(expected: &str, actual: &str) -> String {
    let d = similar::TextDiff::from_lines(expected, actual);
    let mut out = String::new();
    for change in d.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "- ",
            similar::ChangeTag::Insert => "+ ",
            similar::ChangeTag::Equal => "  ",
        };
        out.push_str(sign);
        out.push_str(change.value().trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

/// Where an error was raised, with the source line.
pub fn location(source: &SourceFile, span: Option<wf_syntax::Span>) -> String {
    let Some(span) = span else { return String::new() };
    let lc = source.lines().line_col(&source.text, span.start);
    let start = source.lines().line_start(lc.line as usize - 1) as usize;
    let line = source.text[start..].lines().next().unwrap_or("").trim_end();
    format!("raised at {}:{}:{}\n  {} | {line}", source.name, lc.line, lc.column, lc.line)
}

/// Every expectation of `s` that `t` breaks. `workflow` is the workflow's source, to show
/// where errors were raised.
pub fn check(s: &Scenario, t: &Trace, workflow: &SourceFile) -> Vec<Failure> {
    let mut out: Vec<Failure> = t.problems.iter().map(|p| Failure { what: p.clone(), detail: String::new() }).collect();
    let e = &s.expect;
    let status = match &t.outcome {
        Outcome::Succeeded(_) => "SUCCEEDED",
        Outcome::Failed { .. } => "FAILED",
        Outcome::Aborted(why) => {
            out.push(Failure { what: format!("the execution was stopped: {why}"), detail: String::new() });
            return out;
        }
    };
    let error_detail = || match &t.outcome {
        Outcome::Failed { error, span } => format!("error: {}\n{}", pretty(error), location(workflow, *span)),
        _ => String::new(),
    };
    if let Some(any) = &e.status_one_of
        && !any.iter().any(|w| w == status)
    {
        out.push(Failure {
            what: format!("status: expected one of {}, found {status}", any.join(", ")),
            detail: error_detail(),
        });
    }
    if let Some(want) = &e.status
        && want != status
    {
        out.push(Failure { what: format!("status: expected {want}, found {status}"), detail: error_detail() });
    }
    let names_an_outcome = e.status.is_some()
        || e.status_one_of.is_some()
        || e.error.is_some()
        || e.result.is_some()
        || e.result_one_of.is_some();
    if !names_an_outcome && status != "SUCCEEDED" {
        out.push(Failure {
            what: format!("status: expected SUCCEEDED (expect names no status, error or result), found {status}"),
            detail: error_detail(),
        });
    }
    if let Some(any) = &e.result_one_of {
        match &t.outcome {
            Outcome::Succeeded(got) if any.iter().any(|w| w == got) => {}
            Outcome::Succeeded(got) => out.push(Failure {
                what: "result: expected one of the `one_of` values, found another".into(),
                detail: format!("found: {}", pretty(got)),
            }),
            _ => out.push(Failure {
                what: "a result was expected, but the execution failed".into(),
                detail: error_detail(),
            }),
        }
    }
    if let Some(want) = &e.result {
        match &t.outcome {
            Outcome::Succeeded(got) if got == want => {}
            Outcome::Succeeded(got) => out.push(Failure {
                what: "result differs (- expected, + actual)".into(),
                detail: diff(&pretty(want), &pretty(got)),
            }),
            _ => out.push(Failure {
                what: "a result was expected, but the execution failed".into(),
                detail: error_detail(),
            }),
        }
    }
    if let Some(want) = &e.error {
        match &t.outcome {
            Outcome::Failed { error, .. } if is_subset(want, error) => {}
            Outcome::Failed { error, .. } => out.push(Failure {
                what: "error does not contain the expected fields (- expected, + actual)".into(),
                detail: diff(&pretty(want), &pretty(error)),
            }),
            Outcome::Succeeded(v) => out.push(Failure {
                what: "an error was expected, but the execution succeeded".into(),
                detail: format!("result: {}", pretty(v)),
            }),
            Outcome::Aborted(_) => {}
        }
    }
    if let Some(want) = &e.logs {
        let matches = want.len() == t.logs.len() && want.iter().zip(&t.logs).all(|(w, h)| is_subset(w, h));
        if !matches {
            out.push(Failure {
                what: format!(
                    "logs differ: expected {} entries, found {} (- expected, + actual)",
                    want.len(),
                    t.logs.len()
                ),
                detail: diff(&lines(want), &lines(&t.logs)),
            });
        }
    }
    if let Some(want) = &e.logs_contain {
        // Greedy: each wanted entry takes the first matching log after the previous one's.
        let mut logs = t.logs.iter();
        let missing = want.iter().position(|w| !logs.any(|h| is_subset(w, h)));
        if let Some(k) = missing {
            out.push(Failure {
                what: format!(
                    "logs: entry {} of {} expected in order was not found after the ones before it",
                    k + 1,
                    want.len()
                ),
                detail: format!("missing: {}found:\n{}", lines(&want[k..=k]), indent(&lines(&t.logs))),
            });
        }
    }
    let (at_most, at_least) = e.elapsed_within;
    if let Some(most) = at_most
        && t.elapsed > most + 1e-6
    {
        out.push(Failure {
            what: format!(
                "elapsed: expected at most {}, found {}",
                duration::format(most),
                duration::format(t.elapsed)
            ),
            detail: String::new(),
        });
    }
    if let Some(least) = at_least
        && t.elapsed < least - 1e-6
    {
        out.push(Failure {
            what: format!(
                "elapsed: expected at least {}, found {}",
                duration::format(least),
                duration::format(t.elapsed)
            ),
            detail: String::new(),
        });
    }
    if let Some(want) = e.elapsed
        && (want - t.elapsed).abs() > 1e-6
    {
        out.push(Failure {
            what: format!("elapsed: expected {}, found {}", duration::format(want), duration::format(t.elapsed)),
            detail: String::new(),
        });
    }
    if let Some(want) = &e.steps
        && *want != t.steps
    {
        out.push(Failure {
            what: "steps differ (- expected, + actual)".into(),
            detail: diff(&(want.join("\n") + "\n"), &(t.steps.join("\n") + "\n")),
        });
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn lines(values: &[Value]) -> String {
    values.iter().map(|v| wf_vm::json::to_json(v).map_or_else(|_| v.to_string(), |j| j.to_string()) + "\n").collect()
}
