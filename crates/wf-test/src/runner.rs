//! Finding scenario files and running them: filtering, sharding, and running on every core
//! while the report keeps the order of the files.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wf_syntax::{Severity, SourceFile, files};
use wf_vm::Program;

use crate::coverage::{self, Collector};
use crate::expect::{Failure, check};
use crate::guard;
use crate::property;
use crate::scenario::{self, Scenario};
use crate::schedules;
use crate::snapshot::{self, Verdict};
use crate::targets;
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
    /// Cases of each property scenario (`--cases`; default the file's `cases:`, else 100).
    pub cases: Option<u64>,
    /// The seed property cases are drawn from (`--seed`).
    pub seed: u64,
    /// Write the concrete scenario of each failing property case here (`--save-failures`).
    pub save_failures: Option<std::path::PathBuf>,
    /// Collect coverage here (`--coverage`): every run adds its counts.
    pub coverage: Option<Arc<Collector>>,
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
    /// Cases run, for a property scenario (0 for a plain one).
    pub cases: u64,
    /// For `schedules: all`: the schedules run, and whether that was every one of them.
    pub schedules: Option<(u64, bool)>,
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
/// were skipped by the filter or the shard. A scenario that panics (a bug in wfkit) fails
/// with the panic's message; the other results are kept.
pub fn run_all(files: &[PathBuf], opts: &Options) -> (Vec<ScenarioResult>, usize) {
    run_each(files, opts, &execute)
}

/// Runs one loaded scenario.
type Execute = dyn Fn(&Scenario, &Path, &Options) -> ScenarioResult + Sync;

/// [`run_all`] with the step that runs one loaded scenario passed in (tests make it panic).
fn run_each(files: &[PathBuf], opts: &Options, execute: &Execute) -> (Vec<ScenarioResult>, usize) {
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
                        done.push((i, guarded(file, opts, execute)));
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            // Scenarios run guarded, so a worker only fails on a bug in this loop: never
            // drop its results silently.
            let done = w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, r) in done {
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
        cases: 0,
        schedules: None,
    }
}

/// Runs one scenario file (`None` when the filter leaves it out). A panic fails the
/// scenario with the panic's message.
pub fn run_one(file: &Path, opts: &Options) -> Option<ScenarioResult> {
    guarded(file, opts, &execute)
}

/// Loads, filters and runs one scenario file, turning a panic into its failure.
fn guarded(file: &Path, opts: &Options, execute: &Execute) -> Option<ScenarioResult> {
    let mut name = None;
    let outcome = guard::catch(|| {
        let s = match select(file, opts) {
            Ok(Some(s)) => s,
            Ok(None) => return None,
            Err(bad) => return Some(bad),
        };
        name = Some(s.name.clone());
        Some(execute(&s, file, opts))
    });
    outcome.unwrap_or_else(|p| {
        let name = name.unwrap_or_else(|| scenario::default_name(file));
        let mut r = failed(name, file, format!("wfkit panicked while running this scenario: {}", p.message));
        r.failures[0].detail = match p.location {
            Some(at) => format!("at {at}; this is a bug in wfkit, please report it"),
            None => "this is a bug in wfkit, please report it".to_string(),
        };
        Some(r)
    })
}

/// Loads a scenario file if the filter selects it: `Ok(None)` when it is left out, `Err`
/// with its failure when it is selected but cannot be loaded.
fn select(file: &Path, opts: &Options) -> Result<Option<Scenario>, ScenarioResult> {
    let wanted = |name: &str| {
        opts.filter.as_ref().is_none_or(|f| name.contains(f.as_str()) || file.to_string_lossy().contains(f.as_str()))
    };
    match scenario::load(file) {
        Ok(s) => Ok(wanted(&s.name).then_some(s)),
        Err(e) => {
            let name = scenario::default_name(file);
            if wanted(&name) { Err(failed(name, file, format!("bad scenario file: {e}"))) } else { Ok(None) }
        }
    }
}

/// Runs one loaded scenario: check, compile, simulate, compare (and snapshot).
fn execute(s: &Scenario, file: &Path, opts: &Options) -> ScenarioResult {
    let text = match std::fs::read_to_string(&s.workflow) {
        Ok(t) => t,
        Err(e) => {
            return failed(s.name.clone(), file, format!("cannot read the workflow `{}`: {e}", s.workflow.display()));
        }
    };
    let source = SourceFile::new(s.workflow.display().to_string(), text);
    let covering = opts.coverage.as_deref();
    let program = match compile_workflow_with(&source, coverage::compile_options(covering)) {
        Ok(p) => p,
        Err(why) => {
            let mut r = failed(s.name.clone(), file, why.what);
            r.failures[0].detail = why.detail;
            return r;
        }
    };
    if let Err(why) = targets::check(s, &program) {
        return failed(s.name.clone(), file, format!("bad scenario file: {why}"));
    }
    let program = Rc::new(program);
    let scenario_text = std::fs::read_to_string(file);
    let is_property = scenario_text.as_ref().is_ok_and(|text| property::is_property(file, text));
    if s.schedules_all {
        if is_property {
            let why = "`schedules: all` cannot be combined with generators yet: give the values, or drop `schedules`";
            return failed(s.name.clone(), file, format!("bad scenario file: {why}"));
        }
        return match &scenario_text {
            Ok(text) => explore_schedules(s, file, text, &program, &source, covering),
            Err(e) => failed(s.name.clone(), file, format!("cannot read the scenario again: {e}")),
        };
    }
    if let Ok(text) = &scenario_text
        && is_property
    {
        let cases = property::case_count(s, opts.cases);
        let run = property::run_property(file, text, cases, opts.seed, &program, &source);
        if let Some(c) = covering {
            c.record(&s.workflow, &source, &program);
        }
        return match run {
            Err(why) => failed(s.name.clone(), file, format!("bad scenario file: {why}")),
            Ok(run) => {
                let mut failures = Vec::new();
                if let Some(f) = run.failed {
                    let saved = opts
                        .save_failures
                        .as_deref()
                        .map(|dir| property::save_failure(dir, file, text, &s.workflow, &f));
                    failures = f.failures;
                    failures.push(Failure {
                        what: format!(
                            "case {} of {cases} failed (seed {}); the smallest failing case shrinking found ({} steps), as a scenario to keep:",
                            f.case + 1,
                            opts.seed,
                            f.shrink_steps
                        ),
                        detail: f.concrete,
                    });
                    match saved {
                        Some(Ok(path)) => failures
                            .push(Failure { what: format!("saved as {}", path.display()), detail: String::new() }),
                        Some(Err(why)) => {
                            failures.push(Failure { what: format!("--save-failures: {why}"), detail: String::new() })
                        }
                        None => {}
                    }
                }
                ScenarioResult {
                    name: s.name.clone(),
                    file: file.display().to_string(),
                    elapsed: run.elapsed,
                    failures,
                    cases: run.cases,
                    schedules: None,
                }
            }
        };
    }
    let trace = simulate(s, Rc::clone(&program));
    if let Some(c) = covering {
        c.record(&s.workflow, &source, &program);
    }
    let mut failures = check(s, &trace, &source);
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
    ScenarioResult {
        name: s.name.clone(),
        file: file.display().to_string(),
        elapsed: Some(trace.elapsed),
        failures,
        cases: 0,
        schedules: None,
    }
}

/// A `schedules: all` scenario: every interleaving of its parallel branches.
fn explore_schedules(
    s: &Scenario,
    file: &Path,
    text: &str,
    program: &Rc<Program>,
    source: &SourceFile,
    covering: Option<&Collector>,
) -> ScenarioResult {
    let run = schedules::explore(s, file, text, program, source);
    if let Some(c) = covering {
        c.record(&s.workflow, source, program);
    }
    let mut failures = Vec::new();
    if let Some(f) = run.failed {
        failures = f.failures;
        let choices: Vec<String> = f.choices.iter().map(u32::to_string).collect();
        failures.push(Failure { what: format!("its steps in order: {}", f.steps.join(", ")), detail: String::new() });
        failures.push(Failure {
            what: format!(
                "schedule {} failed (the choices between ready branches: [{}]); as a scenario to keep:",
                f.index,
                choices.join(", ")
            ),
            detail: f.concrete,
        });
    }
    ScenarioResult {
        name: s.name.clone(),
        file: file.display().to_string(),
        elapsed: Some(run.elapsed),
        failures,
        cases: 0,
        schedules: Some((run.schedules, run.exhaustive)),
    }
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
    compile_workflow_with(source, wf_vm::CompileOptions::default())
}

/// [`compile_workflow`] with compile options (coverage points).
pub fn compile_workflow_with(
    source: &SourceFile,
    options: wf_vm::CompileOptions,
) -> Result<wf_vm::Program, NotRunnable> {
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
    wf_vm::compile_with(&workflow, options)
        .map_err(|e| NotRunnable { what: format!("{}: {}", at(e.span.start), e.message), detail: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenarios(names: &[&str]) -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
        names.iter().map(|n| root.join(n)).collect()
    }

    /// Runs the real scenarios, except that `logs_and_errors` panics half way.
    fn panicking(s: &Scenario, file: &Path, opts: &Options) -> ScenarioResult {
        if file.ends_with("logs_and_errors.scenario.yaml") {
            let depth = 3 * 5;
            panic!("a bug {depth} levels down");
        }
        execute(s, file, opts)
    }

    #[test]
    fn a_panicking_scenario_fails_alone_and_keeps_the_other_results() {
        let files = scenarios(&[
            "fail/wrong_result.scenario.yaml",
            "pass/logs_and_errors.scenario.yaml",
            "fail/wrong_logs.scenario.yaml",
            "pass/args_set_the_method.scenario.yaml",
        ]);
        for jobs in [1, 2] {
            let opts = Options { jobs, ..Options::default() };
            let (results, skipped) = run_each(&files, &opts, &panicking);
            assert_eq!(skipped, 0);
            let verdicts: Vec<(String, bool)> =
                results.iter().map(|r| (scenario::default_name(Path::new(&r.file)), r.passed())).collect();
            let expected = [
                ("wrong_result", false),
                ("logs_and_errors", false),
                ("wrong_logs", false),
                ("args_set_the_method", true),
            ];
            assert_eq!(verdicts, expected.map(|(n, p)| (n.to_string(), p)), "jobs {jobs}");
            assert_eq!(
                results[1].name, "every log entry in order, and a subset of the error",
                "the scenario's own name"
            );
            let failure = &results[1].failures;
            assert_eq!(failure.len(), 1);
            assert_eq!(failure[0].what, "wfkit panicked while running this scenario: a bug 15 levels down");
            assert!(failure[0].detail.starts_with("at ") && failure[0].detail.contains("runner.rs"), "{failure:?}");
            let report = crate::report::human(&results, skipped);
            assert!(report.ends_with("1 passed, 3 failed\n"), "{report}");
        }
    }

    #[test]
    fn the_filter_still_applies_to_guarded_scenarios() {
        let files = scenarios(&["pass/logs_and_errors.scenario.yaml", "fail/wrong_logs.scenario.yaml"]);
        let opts = Options { jobs: 1, filter: Some("wrong".into()), ..Options::default() };
        let (results, skipped) = run_each(&files, &opts, &panicking);
        assert_eq!((results.len(), skipped), (1, 1));
        assert!(results[0].file.ends_with("wrong_logs.scenario.yaml"));
    }
}
