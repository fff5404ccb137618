//! `wf-test`: run callback scenarios (`*.scenario.yaml`) on a virtual clock.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use wf_test::{Options, discover, report, run_all};

const USAGE: &str = "\
wf-test: scenario tests for Google Cloud Workflows on a virtual clock

Usage:
  wf-test [OPTIONS] [PATH...]
      Run every *.scenario.yaml under the given files or folders (default: the current
      folder). One line per scenario, then the failures, then `N passed, N failed`.

Options:
  --format human|json|junit   output format (default human)
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

Exit status: 0 when nothing failed, 1 when a scenario failed, 2 on bad usage.
";

enum Format {
    Human,
    Json,
    Junit,
}

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    match parse() {
        Ok(None) => {
            let _ = write!(out, "{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some((paths, format, opts))) => {
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
            };
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            if results.iter().all(|r| r.passed()) { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

type Parsed = Option<(Vec<PathBuf>, Format, Options)>;

fn parse() -> Result<Parsed, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut paths = Vec::new();
    let mut format = Format::Human;
    let mut opts = Options::default();
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
                    other => return Err(format!("unknown format `{other}` (expected human, json or junit)")),
                }
            }
            Long("filter") => opts.filter = Some(text(&mut parser)?),
            Long("snapshot") => opts.snapshot = true,
            Long("update") => opts.update = true,
            Long("cases") => {
                let n = text(&mut parser)?;
                opts.cases = Some(n.parse().map_err(|_| format!("`--cases {n}`: expected a whole number"))?);
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
    Ok(Some((paths, format, opts)))
}
