//! Finding scenario files and running them: filtering, sharding, and running on every core
//! while the report keeps the order of the files.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wf_syntax::{Severity, SourceFile, files};

use crate::expect::{Failure, check};
use crate::scenario;
use crate::snapshot::{self, Verdict};
use crate::world::simulate;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run only scenarios whose name or file contains this text.
    pub filter: Option<String>,
    /// Run shard `k` of `n` (1-based).
    pub shard: Option<(usize, usize)>,
    /// Compare (or write) `.snap` files of the traces.
    pub snapshot: bool,
    /// Rewrite the snapshots.
    pub update: bool,
    /// Worker threads (0: one per core).
    pub jobs: usize,
}

/// The result of one scenario, ready to report (plain data, so it crosses threads).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// The scenario file.
    pub file: String,
    /// Virtual time the execution took.
    pub elapsed: Option<f64>,
    /// Broken expectations (empty: passed).
    pub failures: Vec<Failure>,
}

impl ScenarioResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Every `*.scenario.yaml` / `*.scenario.yml` under `paths` (files are taken as given),
/// sorted within each folder.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        if meta.is_dir() {
            let is_scenario = |f: &Path| f.file_name().and_then(|n| n.to_str()).is_some_and(files::is_scenario_file);
            files::walk(p, &is_scenario, &mut out).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Runs the selected scenarios of `files`; returns the results in file order and how many
/// were skipped by the filter or the shard.
pub fn run_all(files: &[PathBuf], opts: &Options) -> (Vec<ScenarioResult>, usize) {
    let selected: Vec<&PathBuf> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| opts.shard.is_none_or(|(k, n)| n > 0 && i % n == (k - 1) % n))
        .map(|(_, f)| f)
        .collect();
    let sharded_out = files.len() - selected.len();
    let jobs = if opts.jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.jobs };
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Option<ScenarioResult>>> = vec![None; selected.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.min(selected.len()).max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = selected.get(i) else { break };
                        done.push((i, run_one(file, opts)));
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            for (i, r) in w.join().unwrap_or_default() {
                slots[i] = Some(r);
            }
        }
    });
    let mut results = Vec::new();
    let mut filtered_out = 0;
    for slot in slots {
        match slot.flatten() {
            Some(r) => results.push(r),
            None => filtered_out += 1,
        }
    }
    (results, sharded_out + filtered_out)
}

fn failed(name: String, file: &Path, what: String) -> ScenarioResult {
    ScenarioResult {
        name,
        file: file.display().to_string(),
        elapsed: None,
        failures: vec![Failure { what, detail: String::new() }],
    }
}

/// Runs one scenario file (`None` when the filter leaves it out).
pub fn run_one(file: &Path, opts: &Options) -> Option<ScenarioResult> {
    let s = match scenario::load(file) {
        Ok(s) => s,
        Err(e) => {
            let name = scenario::default_name(file);
            if opts
                .filter
                .as_ref()
                .is_some_and(|f| !name.contains(f.as_str()) && !file.to_string_lossy().contains(f.as_str()))
            {
                return None;
            }
            return Some(failed(name, file, format!("bad scenario file: {e}")));
        }
    };
    if let Some(f) = &opts.filter
        && !s.name.contains(f.as_str())
        && !file.to_string_lossy().contains(f.as_str())
    {
        return None;
    }
    let text = match std::fs::read_to_string(&s.workflow) {
        Ok(t) => t,
        Err(e) => {
            return Some(failed(s.name, file, format!("cannot read the workflow `{}`: {e}", s.workflow.display())));
        }
    };
    let source = SourceFile::new(s.workflow.display().to_string(), text);
    let program = match compile_workflow(&source) {
        Ok(p) => p,
        Err(why) => {
            let mut r = failed(s.name, file, why.what);
            r.failures[0].detail = why.detail;
            return Some(r);
        }
    };
    let trace = simulate(&s, Rc::new(program));
    let mut failures = check(&s, &trace, &source);
    if opts.snapshot || opts.update {
        let path = snapshot::path_for(file);
        match snapshot::compare(&path, file, &snapshot::render(&trace), opts.update) {
            Ok(Verdict::Same | Verdict::Written) => {}
            Ok(Verdict::Differs(d)) => failures.push(Failure {
                what: format!("the trace differs from {} (- stored, + now; `--update` to accept)", path.display()),
                detail: d,
            }),
            Err(e) => {
                failures.push(Failure { what: format!("cannot write {}: {e}", path.display()), detail: String::new() })
            }
        }
    }
    Some(ScenarioResult { name: s.name, file: file.display().to_string(), elapsed: Some(trace.elapsed), failures })
}

/// Why a workflow cannot run: a one-line summary and the diagnostics behind it.
#[derive(Debug)]
pub struct NotRunnable {
    /// What went wrong, in one line.
    pub what: String,
    /// The errors, one `file:line:col: [CODE] message` per line.
    pub detail: String,
}

/// Checks and compiles a workflow; any checker error makes it not runnable.
pub fn compile_workflow(source: &SourceFile) -> Result<wf_vm::Program, NotRunnable> {
    let at = |offset: u32| {
        let lc = source.lines().line_col(&source.text, offset);
        format!("{}:{}:{}", source.name, lc.line, lc.column)
    };
    let checked = wf_check::check(source);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: [{}] {}", at(d.span.start), d.code, d.message))
        .collect();
    let Some(workflow) = checked.parsed.workflow.filter(|_| errors.is_empty()) else {
        return Err(NotRunnable {
            what: "the workflow has errors (`wf check` shows them)".into(),
            detail: errors.join("\n"),
        });
    };
    wf_vm::compile(&workflow)
        .map_err(|e| NotRunnable { what: format!("{}: {}", at(e.span.start), e.message), detail: String::new() })
}
