//! `wf-lsp`: the wfkit language server on stdio, the same server as `wf lsp`.

use std::process::ExitCode;

const USAGE: &str = "\
wf-lsp: the wfkit language server for Google Cloud Workflows (the same as `wf lsp`)

Usage:
  wf-lsp [--stdio]    speak the Language Server Protocol on stdin and stdout
  wf-lsp --version | --help
";

fn main() -> ExitCode {
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            // Editors may say which transport they use; stdio is the only one.
            "--stdio" => {}
            "--version" | "-V" => {
                println!("wf-lsp {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unexpected argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match wf_lsp::run_stdio() {
        Ok(ending) => ExitCode::from(ending.exit_code()),
        Err(e) => {
            eprintln!("wf-lsp: {e}");
            ExitCode::FAILURE
        }
    }
}
