//! `wf check`: parse and check files, print diagnostics, and decide the exit code.

use std::io::Write;
use std::path::PathBuf;

use wf_syntax::terraform::{self, Vars};
use wf_syntax::{Diagnostic, Severity, SourceFile, codes};

use crate::files::{Input, collect_inputs};
use crate::render::{
    JsonReport, JsonSkipped, JsonSummary, github_annotation, github_unreadable, gitlab_issues, render_human, sarif_log,
    to_json_diagnostic,
};

/// Output format of `wf check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ariadne reports and a summary line.
    Human,
    /// One JSON document (see `docs/json-output.md`).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations), then the summary line.
    Github,
    /// GitLab's code-quality report (a JSON array).
    Gitlab,
}

/// Options of `wf check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Files and folders to check.
    pub paths: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Colour in human output.
    pub color: bool,
    /// Codes to leave out (by number or name), as `--allow` gives them.
    pub allow: Vec<String>,
    /// Which files are Terraform templates.
    pub template: TemplateMode,
    /// Values for template references (`--var NAME=JSON`).
    pub vars: Vars,
}

/// Which files `wf check` renders as Terraform `templatefile` sources first (`--template`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TemplateMode {
    /// Files named `*.tftpl` (`*.yaml.tftpl`, `*.json.tftpl`).
    #[default]
    Auto,
    /// Every file.
    Terraform,
    /// None.
    None,
}

/// What happened to one file.
#[derive(Debug)]
pub enum FileOutcome {
    /// Checked; these are its diagnostics.
    Checked(SourceFile, Vec<Diagnostic>),
    /// Found by walking a folder but not a workflow.
    Skipped(String, String),
    /// Could not be read.
    Unreadable(String, String),
}

/// Checks one already-loaded file: syntax, structure, names, flow, types and lints.
pub fn check_source(source: &SourceFile) -> Vec<Diagnostic> {
    wf_check::check(source).diagnostics
}

/// Checks a Terraform template: every rendering `terraform::expand` makes, with the
/// diagnostics at the template's own lines and columns.
pub fn check_template(source: &SourceFile, vars: &Vars) -> Vec<Diagnostic> {
    terraform::merge(&terraform::expand(source, vars), |rendered| wf_check::check(rendered).diagnostics)
}

fn check_input(input: &Input, opts: &CheckOptions) -> FileOutcome {
    let name = input.path.display().to_string();
    let bytes = match std::fs::read(&input.path) {
        Ok(b) => b,
        Err(e) => return FileOutcome::Unreadable(name, e.to_string()),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return FileOutcome::Unreadable(name, format!("not UTF-8 text (invalid byte at offset {at})"));
        }
    };
    let source = SourceFile::new(name.clone(), text);
    let template = match opts.template {
        TemplateMode::Auto => terraform::is_template_name(&name),
        TemplateMode::Terraform => true,
        TemplateMode::None => false,
    };
    let mut diags = if template { check_template(&source, &opts.vars) } else { check_source(&source) };
    diags.retain(|d| !is_allowed(&opts.allow, d.code));
    if !input.explicit && diags.iter().any(|d| d.code == codes::NOT_A_WORKFLOW) {
        return FileOutcome::Skipped(name, "not a workflow".into());
    }
    FileOutcome::Checked(source, diags)
}

/// Whether `--allow` names `code` (by number or by name).
fn is_allowed(allow: &[String], code: &str) -> bool {
    allow.iter().any(|a| a.eq_ignore_ascii_case(code) || wf_check::codes::lookup(a).is_some_and(|c| c.code == code))
}

/// Runs `wf check` and writes its output; returns the process exit code.
pub fn run_check(opts: &CheckOptions, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let inputs = match collect_inputs(&opts.paths) {
        Ok(i) => i,
        Err(message) => {
            writeln!(err, "error: {message}")?;
            return Ok(2);
        }
    };
    if let Some(bad) = opts.allow.iter().find(|a| wf_check::codes::lookup(a).is_none()) {
        writeln!(err, "error: `--allow {bad}`: no such diagnostic code (see `wf explain --list`)")?;
        return Ok(2);
    }
    let outcomes: Vec<FileOutcome> = inputs.iter().map(|i| check_input(i, opts)).collect();
    let mut summary = JsonSummary::default();
    let mut unreadable = false;
    for o in &outcomes {
        match o {
            FileOutcome::Checked(_, diags) => {
                summary.files += 1;
                summary.errors += diags.iter().filter(|d| d.severity == Severity::Error).count();
                summary.warnings += diags.iter().filter(|d| d.severity == Severity::Warning).count();
            }
            FileOutcome::Skipped(..) => summary.skipped += 1,
            FileOutcome::Unreadable(..) => unreadable = true,
        }
    }
    match opts.format {
        Format::Human => write_human(&outcomes, &summary, opts.color, out, err)?,
        Format::Json => write_json(&outcomes, summary_copy(&summary), out, err)?,
        Format::Sarif => write_sarif(&outcomes, out, err)?,
        Format::Github => write_github(&outcomes, &summary, out, err)?,
        Format::Gitlab => write_gitlab(&outcomes, out, err)?,
    }
    Ok(if unreadable {
        2
    } else if summary.errors > 0 {
        1
    } else {
        0
    })
}

fn summary_copy(s: &JsonSummary) -> JsonSummary {
    JsonSummary { files: s.files, skipped: s.skipped, errors: s.errors, warnings: s.warnings }
}

fn write_human(
    outcomes: &[FileOutcome],
    summary: &JsonSummary,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    for o in outcomes {
        match o {
            FileOutcome::Checked(source, diags) if !diags.is_empty() => {
                write!(out, "{}", render_human(source, diags, color))?;
            }
            FileOutcome::Checked(..) => {}
            FileOutcome::Skipped(name, reason) => writeln!(out, "skipped {name}: {reason}")?,
            FileOutcome::Unreadable(name, reason) => writeln!(err, "error: cannot read `{name}`: {reason}")?,
        }
    }
    writeln!(out, "{}", summary_line(summary))
}

/// The last line of human output, e.g. `checked 3 files: 1 error, 0 warnings`.
pub fn summary_line(s: &JsonSummary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "checked {}: {}, {}",
        plural(s.files, "file"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    );
    if s.skipped > 0 {
        line.push_str(&format!(" ({} skipped: not a workflow)", plural(s.skipped, "file")));
    }
    line
}

/// One annotation per diagnostic (and per unreadable file, also said on stderr), then the
/// summary line, which the Actions log shows as plain text.
fn write_github(
    outcomes: &[FileOutcome],
    summary: &JsonSummary,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    for o in outcomes {
        match o {
            FileOutcome::Checked(source, diags) => {
                for d in diags {
                    writeln!(out, "{}", github_annotation(source, d))?;
                }
            }
            FileOutcome::Skipped(..) => {}
            FileOutcome::Unreadable(name, reason) => {
                writeln!(out, "{}", github_unreadable(name, reason))?;
                writeln!(err, "error: cannot read `{name}`: {reason}")?;
            }
        }
    }
    writeln!(out, "{}", summary_line(summary))
}

fn write_gitlab(outcomes: &[FileOutcome], out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    let mut issues = Vec::new();
    for o in outcomes {
        match o {
            FileOutcome::Checked(source, diags) => issues.extend(gitlab_issues(source, diags)),
            FileOutcome::Skipped(..) => {}
            FileOutcome::Unreadable(name, reason) => writeln!(err, "error: cannot read `{name}`: {reason}")?,
        }
    }
    write_pretty(out, &issues)
}

fn write_sarif(outcomes: &[FileOutcome], out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    let mut files = Vec::new();
    for o in outcomes {
        match o {
            FileOutcome::Checked(source, diags) => files.push((source, diags.as_slice())),
            FileOutcome::Skipped(..) => {}
            FileOutcome::Unreadable(name, reason) => writeln!(err, "error: cannot read `{name}`: {reason}")?,
        }
    }
    write_pretty(out, &sarif_log(&files))
}

/// Writes pretty JSON; a closed pipe stays a `BrokenPipe` error.
fn write_pretty(out: &mut dyn Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind),
        None => std::io::Error::other(e),
    })?;
    writeln!(out)
}

fn write_json(
    outcomes: &[FileOutcome],
    summary: JsonSummary,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let mut report = JsonReport { version: 1, diagnostics: Vec::new(), skipped: Vec::new(), summary };
    for o in outcomes {
        match o {
            FileOutcome::Checked(source, diags) => {
                report.diagnostics.extend(diags.iter().map(|d| to_json_diagnostic(source, d)));
            }
            FileOutcome::Skipped(file, reason) => {
                report.skipped.push(JsonSkipped { file: file.clone(), reason: reason.clone() });
            }
            FileOutcome::Unreadable(name, reason) => writeln!(err, "error: cannot read `{name}`: {reason}")?,
        }
    }
    write_pretty(out, &report)
}
