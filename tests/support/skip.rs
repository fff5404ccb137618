//! Skipping a test that needs what lives outside the repository (the `../shared` folder, a
//! tool such as Neovim or genhtml) and the tests of that skipping, for every crate's
//! integration tests: each `tests/common/mod.rs` includes this file with `#[path]`.

use std::path::{Path, PathBuf};

/// `../shared` beside the repository: the corpus of real workflows and the references.
/// `WFKIT_SHARED` names another folder (the tests of skipping point it at a missing one).
pub fn shared() -> PathBuf {
    match std::env::var_os("WFKIT_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// Reports that a test, or part of one, did not run: prints `SKIPPED: reason`, and the
/// caller returns. On CI (`CI=true`), which has the corpus and every tool, a skip means a
/// broken setup, so this panics instead: a test never passes there without testing.
pub fn skip(reason: &str) {
    println!("SKIPPED: {reason}");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "SKIPPED on CI, which must have everything: {reason}");
}

/// Runs test `name` of this test binary again in a child process, with `CI` unset and then
/// `env` set: whether it passed, and what it printed.
pub fn rerun(name: &str, env: &[(&str, &str)]) -> (bool, String) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = std::process::Command::new(exe);
    command.args(["--exact", name, "--nocapture"]).env_remove("CI");
    for (k, v) in env {
        command.env(k, v);
    }
    let o = command.output().expect("the test binary runs");
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// Checks that test `name` skips, saying so, when `env` takes away what it needs, and that
/// the same skip fails on CI.
pub fn assert_skips_but_not_on_ci(name: &str, env: &[(&str, &str)]) {
    let (passed, out) = rerun(name, env);
    assert!(passed && out.contains("SKIPPED: "), "off CI, {name} must skip and pass:\n{out}");
    let on_ci: Vec<(&str, &str)> = env.iter().copied().chain([("CI", "true")]).collect();
    let (passed, out) = rerun(name, &on_ci);
    assert!(!passed && out.contains("SKIPPED on CI"), "on CI, {name} must fail instead of skipping:\n{out}");
}
