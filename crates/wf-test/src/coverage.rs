//! Scenario coverage (`wf-test --coverage`): which subworkflows, steps, switch conditions
//! (both ways), retries and except blocks of each workflow the suite ran, summed over every
//! scenario and every case of a property scenario, and the human report of it.
//!
//! The counting is the VM's (`wf_vm::coverage`: the program is compiled with coverage points
//! and counts as it runs); this module collects each scenario's counts per workflow file.
//! `lcov.rs` writes the same data as LCOV.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use wf_syntax::SourceFile;
pub use wf_vm::coverage::PointKind;
use wf_vm::{CompileOptions, Program};

/// Collects coverage from the scenarios as they run (on any worker thread).
#[derive(Debug, Default)]
pub struct Collector {
    /// By canonical workflow path.
    files: Mutex<BTreeMap<PathBuf, FileCoverage>>,
}

/// One workflow file's coverage, summed over every run of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCoverage {
    /// The workflow file as the scenarios name it (`a/./b/../c` shortened to `a/c`).
    pub file: String,
    /// Scenario files that ran it.
    pub scenarios: usize,
    /// Its coverage points, in program order.
    pub items: Vec<Item>,
    /// The text the points were found in (runs of a different text are not added).
    text: String,
}

/// One coverage point of a workflow, with what the suite did there.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// What it marks.
    pub kind: PointKind,
    /// Its 1-based line.
    pub line: u32,
    /// The step it is or belongs to (for an entry: the subworkflow).
    pub name: String,
    /// A switch condition's text, on one line.
    pub text: String,
    /// How often it was passed.
    pub hits: u64,
    /// The item of the step it belongs to (for conditions, retries and except blocks).
    owner: Option<usize>,
    /// Where it starts in the file (pairs a condition's two ways).
    offset: u32,
}

/// A switch condition both ways.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Its line.
    pub line: u32,
    /// Its text.
    pub text: String,
    /// How often it held.
    pub taken: u64,
    /// How often it was false (`None` for `condition: true`, which cannot be).
    pub skipped: Option<u64>,
    /// How often its switch step ran.
    pub reached: u64,
}

impl Condition {
    /// Whether it went every way it can.
    pub fn covered(&self) -> bool {
        self.taken > 0 && self.skipped != Some(0)
    }
}

/// The compile options a run needs: coverage points when collecting.
pub fn compile_options(collector: Option<&Collector>) -> CompileOptions {
    CompileOptions { coverage: collector.is_some() }
}

impl Collector {
    /// Adds the counts of `program` (compiled from `source`, read from `workflow`, with
    /// coverage) after a scenario ran it.
    pub fn record(&self, workflow: &Path, source: &SourceFile, program: &Program) {
        let Some(coverage) = &program.coverage else { return };
        let key = std::fs::canonicalize(workflow).unwrap_or_else(|_| workflow.to_path_buf());
        let shown = normalize(workflow);
        let hits = coverage.hits();
        let mut files = self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = files.entry(key).or_insert_with(|| FileCoverage::new(shown.clone(), source, program));
        if entry.text != source.text || entry.items.len() != hits.len() {
            return;
        }
        entry.scenarios += 1;
        if shown < entry.file {
            entry.file = shown;
        }
        for (item, n) in entry.items.iter_mut().zip(hits) {
            item.hits += n;
        }
    }

    /// The files covered so far, sorted by name.
    pub fn files(&self) -> Vec<FileCoverage> {
        let files = self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out: Vec<FileCoverage> = files.values().cloned().collect();
        out.sort_by(|a, b| a.file.cmp(&b.file));
        out
    }
}

/// `a/./b/../c` as `a/c` (for showing; the key is the canonical path).
fn normalize(path: &Path) -> String {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect::<PathBuf>().display().to_string()
}

impl FileCoverage {
    fn new(file: String, source: &SourceFile, program: &Program) -> FileCoverage {
        let points = program.coverage.as_ref().map_or(&[][..], |c| c.points());
        let line = |offset: u32| source.lines().line_col(&source.text, offset).line;
        let mut step_items: HashMap<u32, usize> = HashMap::new();
        for (i, p) in points.iter().enumerate() {
            if let (PointKind::Step, Some(step)) = (p.kind, p.step) {
                step_items.insert(step, i);
            }
        }
        let items = points
            .iter()
            .map(|p| {
                let name = match (p.kind, p.step) {
                    (PointKind::Entry, _) | (_, None) => {
                        program.functions.get(p.function as usize).map_or_else(String::new, |f| f.name.to_string())
                    }
                    (_, Some(step)) => program.steps.get(step as usize).map_or_else(String::new, |s| s.to_string()),
                };
                let text = match p.kind {
                    PointKind::Taken | PointKind::Skipped => one_line(source.slice(p.span)),
                    _ => String::new(),
                };
                let owner = match p.kind {
                    PointKind::Entry | PointKind::Step => None,
                    _ => p.step.and_then(|s| step_items.get(&s).copied()),
                };
                Item { kind: p.kind, line: line(p.span.start), name, text, hits: 0, owner, offset: p.span.start }
            })
            .collect();
        FileCoverage { file, scenarios: 0, items, text: source.text.clone() }
    }

    /// Executions of the workflow (the entries of `main`).
    pub fn runs(&self) -> u64 {
        self.items.iter().find(|i| i.kind == PointKind::Entry).map_or(0, |i| i.hits)
    }

    /// The items of one kind, in program order.
    pub fn of(&self, kind: PointKind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind)
    }

    /// How often the step an item belongs to ran (the item's own hits for steps and
    /// entries).
    pub fn reached(&self, item: &Item) -> u64 {
        item.owner.and_then(|o| self.items.get(o)).map_or(item.hits, |o| o.hits)
    }

    /// The switch conditions, in program order.
    pub fn conditions(&self) -> Vec<Condition> {
        let mut out: Vec<Condition> = Vec::new();
        let mut at: HashMap<u32, usize> = HashMap::new();
        for item in &self.items {
            match item.kind {
                PointKind::Taken => {
                    at.insert(item.offset, out.len());
                    out.push(Condition {
                        line: item.line,
                        text: item.text.clone(),
                        taken: item.hits,
                        skipped: None,
                        reached: self.reached(item),
                    });
                }
                PointKind::Skipped => {
                    if let Some(&i) = at.get(&item.offset) {
                        out[i].skipped = Some(item.hits);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The one-line summary: `steps 12/15, conditions 3/4 both ways, ...` (kinds the
    /// workflow has none of left out, except steps).
    pub fn summary(&self) -> String {
        let ratio = |covered: usize, all: usize| format!("{covered}/{all}");
        let count = |kind: PointKind| {
            let all: Vec<&Item> = self.of(kind).collect();
            (all.iter().filter(|i| i.hits > 0).count(), all.len())
        };
        let conditions = self.conditions();
        let (steps, all_steps) = count(PointKind::Step);
        let mut parts = vec![format!("steps {}", ratio(steps, all_steps))];
        if !conditions.is_empty() {
            let both = conditions.iter().filter(|c| c.covered()).count();
            parts.push(format!("conditions {} both ways", ratio(both, conditions.len())));
        }
        for (kind, what) in
            [(PointKind::Except, "except blocks"), (PointKind::Retry, "retries"), (PointKind::Entry, "subworkflows")]
        {
            let (covered, all) = count(kind);
            if all > 0 {
                parts.push(format!("{what} {}", ratio(covered, all)));
            }
        }
        parts.join(", ")
    }
}

/// The first line of `text`, shortened to 60 characters.
fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let more = first.len() < text.trim().len();
    if first.chars().count() > 60 || more {
        format!("{}…", first.chars().take(59).collect::<String>())
    } else {
        first.to_string()
    }
}

/// The human report: per workflow file, the summary, the steps that ran (with how often),
/// and everything never covered, each sorted by line with `file:line`.
pub fn human(files: &[FileCoverage]) -> String {
    if files.is_empty() {
        return "coverage: no workflow ran\n".to_string();
    }
    let mut out = String::new();
    for f in files {
        let s = if f.scenarios == 1 { "" } else { "s" };
        let r = if f.runs() == 1 { "" } else { "s" };
        let _ = writeln!(out, "coverage of {} ({} scenario{s}, {} run{r})", f.file, f.scenarios, f.runs());
        let _ = writeln!(out, "  {}", f.summary());
        let mut ran: Vec<(u32, String)> = f
            .of(PointKind::Step)
            .filter(|i| i.hits > 0)
            .map(|i| (i.line, format!("`{}` {}×", i.name, i.hits)))
            .collect();
        ran.sort();
        let missed = missed(f);
        let width = ran.iter().chain(&missed).map(|(line, _)| line.to_string().len()).max().unwrap_or(1);
        let mut list = |title: &str, items: &[(u32, String)]| {
            if items.is_empty() {
                return;
            }
            let _ = writeln!(out, "  {title}:");
            for (line, what) in items {
                let _ = writeln!(out, "    {}:{line:<width$}  {what}", f.file);
            }
        };
        list("steps run", &ran);
        list("not covered", &missed);
        if missed.is_empty() {
            let _ = writeln!(out, "  everything covered");
        }
        out.push('\n');
    }
    out
}

/// What the suite never did in `f`, by line.
fn missed(f: &FileCoverage) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for i in &f.items {
        let what = match i.kind {
            PointKind::Entry if i.hits == 0 => format!("subworkflow `{}` never called", i.name),
            PointKind::Step if i.hits == 0 => format!("step `{}` never ran", i.name),
            PointKind::Retry if i.hits == 0 => format!("retry of step `{}` never retried", i.name),
            PointKind::Except if i.hits == 0 => format!("except block of step `{}` never ran", i.name),
            _ => continue,
        };
        out.push((i.line, what));
    }
    for c in f.conditions() {
        let how = match (c.taken, c.skipped) {
            (0, Some(0)) | (0, None) if c.reached == 0 => "never evaluated (its switch never ran)",
            (0, Some(0)) => "never evaluated (an earlier condition always held)",
            (0, None) => "never reached (an earlier condition always held)",
            (0, Some(_)) => "never taken (always false)",
            (_, Some(0)) => "never skipped (always true)",
            _ => continue,
        };
        out.push((c.line, format!("condition `{}` {how}", c.text)));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_without_dots() {
        assert_eq!(normalize(Path::new("examples/scenarios/../approval.yaml")), "examples/approval.yaml");
        assert_eq!(normalize(Path::new("./a/./b.yaml")), "a/b.yaml");
        assert_eq!(normalize(Path::new("../a/b.yaml")), "../a/b.yaml");
    }

    #[test]
    fn long_or_multi_line_conditions_are_cut() {
        assert_eq!(one_line("${x > 1}"), "${x > 1}");
        assert_eq!(one_line("${x >\n 1}"), "${x >…");
        assert_eq!(one_line(&"y".repeat(80)).chars().count(), 60);
    }
}
