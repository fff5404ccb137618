//! `wf`: check, run and edit Google Cloud Workflows definitions on your machine.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use wf_cli::check::{CheckOptions, Format, TemplateMode, run_check};
use wf_cli::explain::{run_explain, run_explain_list};
use wf_cli::run::{Emit, RunArgs, run_compile, run_workflow};

const USAGE: &str = "\
wf: a toolkit for Google Cloud Workflows

Usage:
  wf check [--format human|json|sarif|github|gitlab] [--color auto|always|never] [--allow CODE]...
           [--template terraform|none|auto] [--var NAME=JSON]... PATH...
      Parse and check workflow files, or every *.yaml, *.yml and *.json under folders.
      Terraform templatefile sources (`*.tftpl`, or any file with `--template terraform`)
      are rendered first, every `%{ if }` branch at least once; `$${` is the workflow's `${`,
      and `${var.x}`-style references become strings unless `--var x=JSON` gives a value.
      `--allow CODE` leaves out a code (by number or name; repeat or separate with commas).
      Silence one place with a comment `# wf-ignore: CODE` on the line or the line above,
      a whole file with `# wf-ignore-file: CODE`.
      Formats: human (the default), json (docs/json-output.md), sarif (SARIF 2.1.0, for code
      scanning), github (GitHub Actions annotations: `::error file=F,line=L,col=C,title=WF110::
      message`, warnings as `::warning`, then the summary line), gitlab (GitLab code quality).
      Exit status: 0 no errors, 1 errors found, 2 bad usage or unreadable input.
  wf run FILE [--args JSON|@FILE] [--env K=V]... [--mocks FILE] [--virtual-time] [--seed N]
         [--listen ADDR] [--callback-token T | --no-auth] [--linger SECONDS] [--no-limits] [--trace]
      Check, compile and run a workflow: the result as JSON on stdout, `sys.log` lines on
      stderr; on failure the error and where it was raised, exit 1; Ctrl-C cancels (exit 130).
      Waits really wait unless `--virtual-time` is given. `http.*` calls go out for real;
      `--mocks` answers calls (connectors too) from a file in the scenario `mocks:` format.
      Callback endpoints are served on `--listen` (default 127.0.0.1:0, printed on stderr);
      requests need `Authorization: Bearer TOKEN` (printed at start, or `--callback-token`).
      See docs/run.md.
  wf serve [--dir DIR] [--listen ADDR] [--db FILE] [--project P] [--location L] [--mocks FILE]
           [--callback-token T | --no-auth] [--max-active-executions N] [--allow-host H]...
      A local GCW service: GCW's REST API (workflows, executions, callbacks), so gcloud and
      Google's REST clients work against it; executions are kept in SQLite (default
      .wfkit/serve.db) and survive a crash. Default address 127.0.0.1:8080. At most N
      executions (default 5000, GCW's quota) are active at once. Requests must name the
      server as `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` in `Host` (add names with
      `--allow-host`, `*` for any), come from no foreign `Origin`, and API writes must be
      `application/json`. See docs/serve.md.
  wf compile FILE --emit ast|bytecode
      Show the syntax tree or the bytecode listing of a workflow.
  wf lsp
      Run the language server on stdin and stdout, for editors (editors/vscode, editors/nvim).
  wf explain CODE | --list
      Explain a diagnostic code (`wf explain WF120`), or list them all.
  wf --version | --help
";

/// The usage lines of one command (`wf run --help`), taken from [`USAGE`].
fn command_usage(command: &str) -> Option<String> {
    let head = format!("  wf {command}");
    let is_head = |l: &&str| *l == head || l.strip_prefix(&head).is_some_and(|rest| rest.starts_with(' '));
    let mut lines = USAGE.lines().skip_while(|l| !is_head(l));
    let first = lines.next()?;
    let mut out = format!("Usage:\n{first}\n");
    for line in lines.take_while(|l| !l.starts_with("  wf ")) {
        out.push_str(line);
        out.push('\n');
    }
    Some(out)
}

/// Why `wf` stopped early.
enum Failure {
    /// The command line is wrong: say why and show the usage.
    Usage(String),
    /// Writing the output failed (a closed pipe ends quietly).
    Io(std::io::Error),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Usage(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::Usage(message.to_string())
    }
}

fn main() -> ExitCode {
    // `wf lsp` owns stdin and stdout (the protocol stream): it must start before anything
    // locks stdout. Arguments after `lsp` (such as an editor's `--stdio`) are ignored.
    let asks_help = std::env::args().skip(2).any(|a| a == "--help" || a == "-h");
    if std::env::args_os().nth(1).is_some_and(|a| a == "lsp") && !asks_help {
        return match wf_lsp::run_stdio() {
            Ok(ending) => ExitCode::from(ending.exit_code()),
            Err(e) => {
                eprintln!("wf lsp: {e}");
                ExitCode::from(2)
            }
        };
    }
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let code = match run(&mut out, &mut err).and_then(|code| out.flush().map(|()| code).map_err(Failure::Io)) {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            let _ = writeln!(err, "error: {message}\n\n{USAGE}");
            2
        }
        Err(Failure::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 141,
        Err(Failure::Io(e)) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

fn run(out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, Failure> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next().map_err(|e| e.to_string())? {
        Some(Value(cmd)) => cmd.string().map_err(|e| e.to_string())?,
        Some(Long("help") | Short('h')) | None => {
            write!(out, "{USAGE}").map_err(Failure::Io)?;
            return Ok(0);
        }
        Some(Long("version") | Short('V')) => {
            writeln!(out, "wf {}", env!("CARGO_PKG_VERSION")).map_err(Failure::Io)?;
            return Ok(0);
        }
        Some(other) => return Err(other.unexpected().to_string().into()),
    };
    let io = |r: std::io::Result<i32>| r.map_err(Failure::Io);
    if std::env::args().skip(2).any(|a| a == "--help" || a == "-h") {
        return match command_usage(&command) {
            Some(usage) => {
                write!(out, "{usage}").map_err(Failure::Io)?;
                Ok(0)
            }
            None => Err(format!("unknown command `{command}`").into()),
        };
    }
    match command.as_str() {
        "check" => io(run_check(&check_options(&mut parser)?, out, err)),
        "explain" => {
            let mut code = None;
            while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
                match arg {
                    Long("list") => return io(run_explain_list(out)),
                    Value(v) if code.is_none() => code = Some(v.string().map_err(|e| e.to_string())?),
                    other => return Err(other.unexpected().to_string().into()),
                }
            }
            let code = code.ok_or("`wf explain` needs a code, e.g. `wf explain WF120`")?;
            io(run_explain(&code, out, err))
        }
        "run" => io(run_workflow(&run_options(&mut parser)?, out, err)),
        "serve" => io(wf_cli::serve::run_serve(&serve_options(&mut parser)?, err)),
        "compile" => {
            let mut path = None;
            let mut emit = None;
            while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
                match arg {
                    Long("emit") => {
                        emit = Some(
                            match parser
                                .value()
                                .map_err(|e| e.to_string())?
                                .string()
                                .map_err(|e| e.to_string())?
                                .as_str()
                            {
                                "ast" => Emit::Ast,
                                "bytecode" => Emit::Bytecode,
                                other => {
                                    return Err(format!("unknown `--emit {other}` (expected ast or bytecode)").into());
                                }
                            },
                        )
                    }
                    Value(v) if path.is_none() => path = Some(PathBuf::from(v)),
                    other => return Err(other.unexpected().to_string().into()),
                }
            }
            let path = path.ok_or("`wf compile` needs a file")?;
            io(run_compile(&path, emit.unwrap_or(Emit::Bytecode), out, err))
        }
        "help" => {
            write!(out, "{USAGE}").map_err(Failure::Io)?;
            Ok(0)
        }
        other => Err(format!("unknown command `{other}`").into()),
    }
}

fn run_options(parser: &mut lexopt::Parser) -> Result<RunArgs, Failure> {
    use lexopt::prelude::*;
    let mut a = RunArgs::default();
    let mut path = None;
    let text = |p: &mut lexopt::Parser| -> Result<String, Failure> {
        Ok(p.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?)
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("args") => a.args = Some(text(parser)?),
            Long("env") => {
                let kv = text(parser)?;
                let (k, v) = kv.split_once('=').ok_or_else(|| format!("`--env {kv}`: expected K=V"))?;
                a.env.push((k.to_string(), v.to_string()));
            }
            Long("virtual-time") => a.virtual_time = true,
            Long("mocks") => a.mocks = Some(PathBuf::from(text(parser)?)),
            Long("listen") => a.listen = Some(text(parser)?),
            Long("callback-token") => a.callback_token = Some(text(parser)?),
            Long("no-auth") => a.no_auth = true,
            Long("linger") => {
                let s = text(parser)?;
                a.linger = wf_runtime::duration::parse(&s)
                    .ok()
                    .filter(|l| l.is_finite() && *l >= 0.0)
                    .ok_or_else(|| format!("`--linger {s}`: expected seconds or a duration such as `30s`"))?;
            }
            Long("no-limits") => a.no_limits = true,
            Long("trace") => a.trace = true,
            Long("seed") => {
                let s = text(parser)?;
                a.seed = s.parse().map_err(|_| format!("`--seed {s}`: expected a whole number"))?;
            }
            Value(v) if path.is_none() => path = Some(PathBuf::from(v)),
            other => return Err(other.unexpected().to_string().into()),
        }
    }
    a.path = path.ok_or("`wf run` needs a workflow file")?;
    if a.no_auth && a.callback_token.is_some() {
        return Err("`--no-auth` and `--callback-token` exclude each other".into());
    }
    Ok(a)
}

fn serve_options(parser: &mut lexopt::Parser) -> Result<wf_cli::serve::ServeArgs, Failure> {
    use lexopt::prelude::*;
    let mut a = wf_cli::serve::ServeArgs::default();
    let text = |p: &mut lexopt::Parser| -> Result<String, Failure> {
        Ok(p.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?)
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("dir") => a.dir = Some(PathBuf::from(text(parser)?)),
            Long("listen") => a.listen = Some(text(parser)?),
            Long("db") => a.db = Some(PathBuf::from(text(parser)?)),
            Long("project") => a.project = Some(text(parser)?),
            Long("location") => a.location = Some(text(parser)?),
            Long("mocks") => a.mocks = Some(PathBuf::from(text(parser)?)),
            Long("callback-token") => a.callback_token = Some(text(parser)?),
            Long("no-auth") => a.no_auth = true,
            Long("allow-host") => {
                a.allow_hosts.push(parser.value().map_err(|e| e.to_string())?.to_string_lossy().into_owned())
            }
            Long("max-active-executions") => {
                let n = text(parser)?;
                a.max_active =
                    Some(n.parse().ok().filter(|n: &usize| *n > 0).ok_or_else(|| {
                        format!("`--max-active-executions {n}`: expected a whole number of at least 1")
                    })?);
            }
            other => return Err(other.unexpected().to_string().into()),
        }
    }
    if a.no_auth && a.callback_token.is_some() {
        return Err("`--no-auth` and `--callback-token` exclude each other".into());
    }
    Ok(a)
}

fn check_options(parser: &mut lexopt::Parser) -> Result<CheckOptions, String> {
    use lexopt::prelude::*;
    let mut paths = Vec::new();
    let mut allow = Vec::new();
    let mut format = Format::Human;
    let mut color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut template = TemplateMode::Auto;
    let mut vars = wf_syntax::terraform::Vars::new();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("template") => {
                template =
                    match parser.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?.as_str() {
                        "terraform" => TemplateMode::Terraform,
                        "none" => TemplateMode::None,
                        "auto" => TemplateMode::Auto,
                        other => {
                            return Err(format!("unknown template kind `{other}` (expected terraform, none or auto)"));
                        }
                    }
            }
            Long("var") => {
                let given = parser.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?;
                let Some((name, value)) = given.split_once('=') else {
                    return Err(format!("`--var {given}`: expected NAME=VALUE (VALUE is JSON, or else a string)"));
                };
                let value =
                    serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
                vars.insert(name.trim().to_string(), value);
            }
            Long("format") => {
                format = match parser.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?.as_str()
                {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    "github" => Format::Github,
                    "gitlab" => Format::Gitlab,
                    other => {
                        return Err(format!(
                            "unknown format `{other}` (expected human, json, sarif, github or gitlab)"
                        ));
                    }
                }
            }
            Long("color") => {
                color = match parser.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?.as_str() {
                    "always" => true,
                    "never" => false,
                    "auto" => color,
                    other => return Err(format!("unknown color mode `{other}` (expected auto, always or never)")),
                }
            }
            Long("allow") => {
                let codes = parser.value().map_err(|e| e.to_string())?.string().map_err(|e| e.to_string())?;
                allow.extend(codes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()));
            }
            Value(path) => paths.push(PathBuf::from(path)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if paths.is_empty() {
        return Err("`wf check` needs at least one file or folder".into());
    }
    Ok(CheckOptions { paths, format, color, allow, template, vars })
}
