//! `wf check --format sarif` checked by Microsoft's SARIF validator (`sarif-multitool
//! validate`, installed by `scripts/install-test-deps.sh`): no error and no warning, for
//! files named by relative and by absolute paths.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

#[test]
fn sarif_output_passes_the_official_validator() {
    let tool = root().join("target/test-tools/node_modules/.bin/sarif-multitool");
    if !tool.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "sarif-multitool is missing on CI: run scripts/install-test-deps.sh"
        );
        println!("SKIPPED: sarif-multitool is not installed (bash scripts/install-test-deps.sh)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("wf-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = "tests/check/err/wf207-undefined-variable.yaml";
    let absolute = root().join(fixture);
    for (name, path) in [("relative", PathBuf::from(fixture)), ("absolute", absolute)] {
        let o = Command::new(env!("CARGO_BIN_EXE_wf"))
            .args(["check", "--format", "sarif"])
            .arg(&path)
            .current_dir(root())
            .output()
            .expect("wf runs");
        assert_eq!(o.status.code(), Some(1), "the fixture has an error");
        let log = dir.join(format!("{name}.sarif"));
        std::fs::write(&log, &o.stdout).unwrap();
        let v = Command::new(&tool).arg("validate").arg(&log).output().expect("sarif-multitool runs");
        let text = format!("{}{}", String::from_utf8_lossy(&v.stdout), String::from_utf8_lossy(&v.stderr));
        assert!(v.status.success(), "{name}: {text}");
        let findings: Vec<&str> = text.lines().filter(|l| l.contains(": error ") || l.contains(": warning ")).collect();
        assert!(findings.is_empty(), "{name}: {findings:#?}");
        assert!(text.contains("1 files scanned") || text.contains("files scanned"), "{name}: {text}");
    }
}
