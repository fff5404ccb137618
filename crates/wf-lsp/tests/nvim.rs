//! A headless Neovim session (editors/nvim) attaches the real `wf-lsp` binary and reads its
//! diagnostics and a hover. Skipped, saying so, when `nvim` is not installed
//! (`scripts/install-test-deps.sh` installs it), except on CI, where that fails.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn neovim_attaches_the_server_and_reads_a_diagnostic() {
    if Command::new("nvim").arg("--version").output().is_err() {
        return common::skip("nvim is not installed (scripts/install-test-deps.sh installs it)");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/nvim/test/run.sh");
    let output =
        Command::new("bash").arg(&script).arg(env!("CARGO_BIN_EXE_wf-lsp")).output().expect("the test script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = format!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{report}");
    assert!(stdout.contains("attached: true"), "{report}");
    assert!(stdout.contains("diagnostic 7:19 WF207 `greting` is not defined"), "{report}");
    assert!(stdout.contains("hover: variable greeting: string"), "{report}");
}

#[test]
fn without_nvim_the_session_skips_but_fails_on_ci() {
    common::assert_skips_but_not_on_ci(
        "neovim_attaches_the_server_and_reads_a_diagnostic",
        &[("PATH", "/nonexistent-wfkit-test-path")],
    );
}
