//! Running a property scenario: a scenario with generators runs as many cases (case k is a
//! pure function of the file, the run's seed and k); the first failing case is shrunk to a
//! smaller one that still fails (earlier and rounder times, first choices, smaller seeds),
//! and printed as a complete, concrete scenario to save as a regression test.

use std::path::Path;
use std::rc::Rc;

use wf_syntax::SourceFile;
use wf_vm::Program;

use crate::cases::{Choices, apply_edits, case_seed, smaller};
use crate::expect::{Failure, check};
use crate::scenario::{Scenario, parse_case};
use crate::world::simulate;

/// Cases a property scenario runs when neither the file nor the command line says.
pub const DEFAULT_CASES: u64 = 100;
/// The most cases one property scenario may ask for (`cases:` or `--cases`), as schedule
/// exploration stops at [`crate::schedules::MAX_SCHEDULES`]: a typo such as an extra three
/// zeros would otherwise run for hours.
pub const MAX_CASES: u64 = 1_000_000;
/// How often a long property run says how far it got (on stderr).
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Why `n` is not a case count (at least 1, at most [`MAX_CASES`]), or `None` if it is one.
pub fn bad_case_count(n: u64) -> Option<String> {
    match n {
        0 => Some("a property needs at least 1 case (0 would pass without testing anything)".into()),
        n if n > MAX_CASES => Some(format!("at most {MAX_CASES} cases, found {n}")),
        _ => None,
    }
}
/// The most cases shrinking tries.
const MAX_SHRINK_RUNS: usize = 2_000;

/// What a property run found.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyRun {
    /// Cases run.
    pub cases: u64,
    /// The virtual time of the last case run.
    pub elapsed: Option<f64>,
    /// The first failing case (0-based), its shrunk failures and its concrete scenario.
    pub failed: Option<FailedCase>,
}

/// A failing case after shrinking.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedCase {
    /// Which case failed first (0-based).
    pub case: u64,
    /// How many smaller cases that still fail shrinking found on the way.
    pub shrink_steps: usize,
    /// What the shrunk case broke.
    pub failures: Vec<Failure>,
    /// The shrunk case as a scenario file without generators.
    pub concrete: String,
    /// The edits that make `concrete` from the scenario's text.
    pub edits: Vec<(wf_syntax::Span, String)>,
    /// The choices the failing case drew, and those of the shrunk case (never larger:
    /// shrinking keeps a candidate only when its choices compare smaller).
    pub drawn: Vec<u64>,
    /// See `drawn`.
    pub shrunk: Vec<u64>,
}

/// One case: its scenario and choices, and its failures.
fn run_case(
    file: &Path,
    text: &str,
    choices: Choices,
    program: &Rc<Program>,
    workflow: &SourceFile,
) -> Result<(Choices, Vec<Failure>, f64), String> {
    let (s, made) = parse_case(file, text, choices).map_err(|e| e.message)?;
    let trace = simulate(&s, Rc::clone(program));
    Ok((made, check(&s, &trace, workflow), trace.elapsed))
}

/// Runs `cases` cases of the scenario in `text` (read from `file`) with the run's `seed`;
/// a run that takes long says on stderr how far it got, every 10 seconds.
pub fn run_property(
    file: &Path,
    text: &str,
    cases: u64,
    seed: u64,
    program: &Rc<Program>,
    workflow: &SourceFile,
) -> Result<PropertyRun, String> {
    let mut say = |line: &str| eprintln!("{line}");
    run_property_telling(file, text, cases, seed, program, workflow, PROGRESS_EVERY, &mut say)
}

/// [`run_property`], passing a progress line to `say` whenever `every` has passed since
/// the last one.
#[allow(clippy::too_many_arguments)]
fn run_property_telling(
    file: &Path,
    text: &str,
    cases: u64,
    seed: u64,
    program: &Rc<Program>,
    workflow: &SourceFile,
    every: std::time::Duration,
    say: &mut dyn FnMut(&str),
) -> Result<PropertyRun, String> {
    let mut elapsed = None;
    let started = std::time::Instant::now();
    let mut said = started;
    for k in 0..cases {
        if said.elapsed() >= every {
            said = std::time::Instant::now();
            let secs = started.elapsed().as_secs();
            say(&format!("wf-test: {}: {k} of {cases} cases run ({secs} s), no failure yet", file.display()));
        }
        let (made, failures, e) = run_case(file, text, Choices::random(case_seed(text, seed, k)), program, workflow)?;
        elapsed = Some(e);
        if failures.is_empty() {
            continue;
        }
        let drawn = made.values();
        let (best, failures, steps) = shrink(file, text, made, failures, program, workflow)?;
        let shrunk = best.values();
        let mut edits = best.edits.clone();
        if let Some(span) = cases_span(file, text) {
            edits.push((span, "1".into()));
        }
        let concrete = apply_edits(text, &edits);
        return Ok(PropertyRun {
            cases: k + 1,
            elapsed,
            failed: Some(FailedCase { case: k, shrink_steps: steps, failures, concrete, edits, drawn, shrunk }),
        });
    }
    Ok(PropertyRun { cases, elapsed, failed: None })
}

/// The smallest failing choices found from `made`, with their failures and how many
/// improvements it took.
fn shrink(
    file: &Path,
    text: &str,
    made: Choices,
    failures: Vec<Failure>,
    program: &Rc<Program>,
    workflow: &SourceFile,
) -> Result<(Choices, Vec<Failure>, usize), String> {
    let (mut best, mut best_failures, mut steps, mut runs) = (made, failures, 0, 0);
    'improve: loop {
        for candidate in smaller(&best.values()) {
            runs += 1;
            if runs > MAX_SHRINK_RUNS {
                break 'improve;
            }
            let (made, failures, _) = run_case(file, text, Choices::replay(candidate), program, workflow)?;
            if !failures.is_empty() && made.values() < best.values() {
                best = made;
                best_failures = failures;
                steps += 1;
                continue 'improve;
            }
        }
        break;
    }
    Ok((best, best_failures, steps))
}

/// Where the `cases:` value is written, to print the concrete scenario with `cases: 1`.
fn cases_span(file: &Path, text: &str) -> Option<wf_syntax::Span> {
    top_value_span(file, text, "cases")
}

/// Where the value of the top-level `key` is written.
fn top_value_span(file: &Path, text: &str, key: &str) -> Option<wf_syntax::Span> {
    let source = SourceFile::new(file.display().to_string(), text);
    let (root, _) = wf_syntax::yaml::load(&source);
    let root = root?;
    let entries = root.as_map()?;
    entries.iter().find(|(k, _)| k.key_text() == Some(key)).map(|(_, v)| v.span)
}

/// Writes the concrete scenario of `failed` (case `failed.case` of the scenario in `text`,
/// read from `file`, whose workflow is `workflow`) into `dir` as `STEM-case-K.scenario.yaml`,
/// with its `workflow:` path rewritten to reach the same workflow from `dir`; returns the
/// path written.
pub fn save_failure(
    dir: &Path,
    file: &Path,
    text: &str,
    workflow: &Path,
    failed: &FailedCase,
) -> Result<std::path::PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let mut edits = failed.edits.clone();
    if let Some(span) = top_value_span(file, text, "workflow") {
        let absolute =
            |p: &Path| std::fs::canonicalize(p).map_err(|e| format!("cannot resolve `{}`: {e}", p.display()));
        let to = relative_path(&absolute(dir)?, &absolute(workflow)?);
        let quoted = serde_json::to_string(&to.to_string_lossy()).map_err(|e| e.to_string())?;
        edits.push((span, quoted));
    }
    let stem = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let stem = stem.trim_end_matches(".yaml").trim_end_matches(".yml").trim_end_matches(".scenario");
    let path = dir.join(format!("{stem}-case-{}.scenario.yaml", failed.case + 1));
    std::fs::write(&path, apply_edits(text, &edits)).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(path)
}

/// The path that leads from the folder `from` to `to` (both absolute).
fn relative_path(from: &Path, to: &Path) -> std::path::PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut path: std::path::PathBuf = std::iter::repeat_n("..", a.len() - common).collect();
    path.extend(&b[common..]);
    path
}

/// Whether the scenario in `text` has generators.
pub fn is_property(file: &Path, text: &str) -> bool {
    parse_case(file, text, Choices::smallest()).is_ok_and(|(_, made)| made.any())
}

/// The number of cases to run: the command line's, else the file's, else the default.
pub fn case_count(s: &Scenario, from_command_line: Option<u64>) -> u64 {
    from_command_line.or(s.cases).unwrap_or(DEFAULT_CASES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn setup() -> (std::path::PathBuf, String, Rc<Program>, SourceFile) {
        let file = root().join("tests/scenarios/fail/property_finds_a_lost_approval.scenario.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let s = crate::scenario::parse(&file, &text).unwrap();
        let wf = SourceFile::new(s.workflow.display().to_string(), std::fs::read_to_string(&s.workflow).unwrap());
        let program = Rc::new(crate::compile_workflow(&wf).unwrap());
        (file, text, program, wf)
    }

    #[test]
    fn a_long_run_says_how_far_it_got() {
        let file = root().join("tests/scenarios/pass/mock_fails_before_it_answers.scenario.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let s = crate::scenario::parse(&file, &text).unwrap();
        let wf = SourceFile::new(s.workflow.display().to_string(), std::fs::read_to_string(&s.workflow).unwrap());
        let program = Rc::new(crate::compile_workflow(&wf).unwrap());
        let mut lines = Vec::new();
        let mut say = |line: &str| lines.push(line.to_string());
        let every = std::time::Duration::ZERO;
        let run = run_property_telling(&file, &text, 5, 0, &program, &wf, every, &mut say).unwrap();
        assert!(run.failed.is_none());
        assert_eq!(lines.len(), 5);
        assert!(lines[3].contains(": 3 of 5 cases run ("), "{}", lines[3]);
    }

    #[test]
    fn case_counts_are_bounded_both_ways() {
        assert!(bad_case_count(0).is_some_and(|why| why.contains("at least 1")));
        assert_eq!(bad_case_count(1), None);
        assert_eq!(bad_case_count(MAX_CASES), None);
        assert!(bad_case_count(MAX_CASES + 1).is_some_and(|why| why.contains("at most 1000000")));
    }

    #[test]
    fn the_same_file_and_seed_give_the_same_run() {
        let (file, text, program, wf) = setup();
        for seed in [0, 1, 99] {
            let a = run_property(&file, &text, 50, seed, &program, &wf).unwrap();
            let b = run_property(&file, &text, 50, seed, &program, &wf).unwrap();
            assert_eq!(a, b, "seed {seed}");
        }
    }

    #[test]
    fn a_shrunk_case_still_fails_and_is_no_larger_than_the_first_failure() {
        let (file, text, program, wf) = setup();
        let mut failing_runs = 0;
        for seed in 0..20 {
            let run = run_property(&file, &text, 200, seed, &program, &wf).unwrap();
            let Some(failed) = run.failed else { continue };
            failing_runs += 1;
            // The first failing case, unshrunk, and what shrinking makes of it.
            let first = Choices::random(case_seed(&text, seed, failed.case));
            let (original, original_failures, _) = run_case(&file, &text, first, &program, &wf).unwrap();
            assert!(!original_failures.is_empty());
            let (shrunk, _, _) = shrink(&file, &text, original.clone(), original_failures, &program, &wf).unwrap();
            assert!(shrunk.values() <= original.values(), "{:?} > {:?}", shrunk.values(), original.values());
            // The concrete scenario has no generators, and fails by itself.
            assert!(!is_property(&file, &failed.concrete), "{}", failed.concrete);
            let (_, failures, _) = run_case(&file, &failed.concrete, Choices::smallest(), &program, &wf).unwrap();
            assert!(!failures.is_empty(), "the shrunk case passes:\n{}", failed.concrete);
        }
        assert!(failing_runs >= 10, "the buggy workflow should fail for most seeds, failed for {failing_runs}");
    }
}
