//! `wf-test`: run callback scenarios (`*.scenario.yaml`) on a virtual clock.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use wf_test::coverage::{self, Collector};
use wf_test::{Options, discover, lcov, report, run_all};

const USAGE: &str = "\
wf-test: scenario tests for Google Cloud Workflows on a virtual clock

Usage:
  wf-test [OPTIONS] [PATH...]
      Run every *.scenario.yaml under the given files or folders (default: the current
      folder). One line per scenario, then the failures, then `N passed, N failed`.

Options:
  --format human|json|junit|github
                              output format (default human); github: the verdict lines,
                              a GitHub Actions `::error file=F,line=L,col=C,title=NAME::...`
                              annotation per failed scenario (its failures and diffs), and
                              the last line
  --filter TEXT               run only scenarios whose name or path contains TEXT
  --snapshot                  compare each scenario's whole trace with NAME.scenario.snap
                              next to it (written on the first run)
  --update                    rewrite the snapshots
  --shard K/N                 run the K-th of N shards (for splitting CI jobs)
  --jobs N                    worker threads (default: one per core)
  --cases N                   cases of each property scenario (one with generators such as
                              `{between: [0s, 12h]}`; default its `cases:`, else 100)
  --seed S                    the seed property cases are drawn from (default 0): case k of
                              a file is a pure function of the file, S and k
  --save-failures DIR         write each failing property case, shrunk and without
                              generators, to DIR/NAME-case-K.scenario.yaml (a regression test)
  --coverage                  after the report, per workflow file: the steps run and never
                              run, switch conditions never taken or never skipped, retries
                              and except blocks never exercised (on stderr with --format
                              json or junit)
  --coverage-lcov FILE        write that coverage as an LCOV tracefile (for genhtml,
                              coverage services and editor plugins)

Exit status: 0 when nothing failed, 1 when a scenario failed, 2 on bad usage.
";

enum Format {
    Human,
    Json,
    Junit,
    Github,
}

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    match parse() {
        Ok(None) => {
            let _ = write!(out, "{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some((paths, format, opts, wanted))) => {
            let lcov_file = match wanted.lcov.as_ref().map(|p| std::fs::File::create(p).map_err(|e| (p, e))).transpose()
            {
                Ok(f) => f,
                Err((p, e)) => {
                    eprintln!("error: cannot write the LCOV file `{}`: {e}", p.display());
                    return ExitCode::from(2);
                }
            };
            let files = match discover(&paths) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            if files.is_empty() {
                eprintln!("note: no *.scenario.yaml files found");
            }
            let (results, skipped) = run_all(&files, &opts);
            let text = match format {
                Format::Human => report::human(&results, skipped),
                Format::Json => report::json(&results, skipped),
                Format::Junit => report::junit(&results, skipped),
                Format::Github => report::github(&results, skipped),
            };
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            if let Some(collector) = &opts.coverage
                && let Err(e) = write_coverage(collector, &wanted, lcov_file, &format, &mut out)
            {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            if results.iter().all(|r| r.passed()) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Prints the coverage report (after a human report, else on stderr) and writes the LCOV
/// file into `lcov_file`, opened before the run, as `wanted` says.
fn write_coverage(
    collector: &Collector,
    wanted: &CoverageWanted,
    lcov_file: Option<std::fs::File>,
    format: &Format,
    out: &mut impl Write,
) -> Result<(), String> {
    let covered = collector.files();
    if wanted.report {
        let text = coverage::human(&covered);
        let _ = match format {
            Format::Human | Format::Github => out.write_all(format!("\n{text}").as_bytes()),
            _ => std::io::stderr().write_all(text.as_bytes()),
        };
    }
    if let (Some(mut f), Some(path)) = (lcov_file, &wanted.lcov) {
        f.write_all(lcov::write(&covered).as_bytes())
            .and_then(|()| f.flush())
            .map_err(|e| format!("cannot write the LCOV file `{}`: {e}", path.display()))?;
    }
    Ok(())
}

/// What `--coverage` and `--coverage-lcov` ask for.
#[derive(Default)]
struct CoverageWanted {
    report: bool,
    lcov: Option<PathBuf>,
}

type Parsed = Option<(Vec<PathBuf>, Format, Options, CoverageWanted)>;

fn parse() -> Result<Parsed, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut paths = Vec::new();
    let mut format = Format::Human;
    let mut opts = Options::default();
    let mut coverage = CoverageWanted::default();
    let text = |p: &mut lexopt::Parser| -> Result<String, String> {
        p.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("help") | Short('h') => return Ok(None),
            Long("format") => {
                format = match text(&mut parser)?.as_str() {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    "junit" => Format::Junit,
                    "github" => Format::Github,
                    other => return Err(format!("unknown format `{other}` (expected human, json, junit or github)")),
                }
            }
            Long("filter") => opts.filter = Some(text(&mut parser)?),
            Long("snapshot") => opts.snapshot = true,
            Long("update") => opts.update = true,
            Long("coverage") => coverage.report = true,
            Long("coverage-lcov") => coverage.lcov = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?)),
            Long("cases") => {
                let n = text(&mut parser)?;
                let count: u64 = n.parse().map_err(|_| format!("`--cases {n}`: expected a whole number"))?;
                if let Some(why) = wf_test::property::bad_case_count(count) {
                    return Err(format!("`--cases {n}`: {why}"));
                }
                opts.cases = Some(count);
            }
            Long("save-failures") => opts.save_failures = Some(PathBuf::from(text(&mut parser)?)),
            Long("seed") => {
                let n = text(&mut parser)?;
                opts.seed = n.parse().map_err(|_| format!("`--seed {n}`: expected a whole number"))?;
            }
            Long("jobs") => {
                let n = text(&mut parser)?;
                opts.jobs = n.parse().map_err(|_| format!("`--jobs {n}`: expected a number"))?;
            }
            Long("shard") => {
                let s = text(&mut parser)?;
                let parsed =
                    s.split_once('/').and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
                match parsed {
                    Some((k, n)) if k >= 1 && k <= n => opts.shard = Some((k, n)),
                    _ => return Err(format!("`--shard {s}`: expected K/N with 1 <= K <= N")),
                }
            }
            Value(p) => paths.push(PathBuf::from(p)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    if coverage.report || coverage.lcov.is_some() {
        opts.coverage = Some(Arc::new(Collector::default()));
    }
    Ok(Some((paths, format, opts, coverage)))
}
