//! Terraform template fixtures (`tests/templates`): each `*.tftpl` is checked as `wf check`
//! checks it (every rendering, diagnostics at the template's lines and columns) and
//! snapshotted with its source in both the human and the JSON rendering; `clean_*` ones
//! must give nothing. `wf check --var` choosing a branch and `--template` are tested too.

mod common;

use std::process::Command;

use common::{assert_fixture_snapshot, fixtures, load, repo, snapshot_text};
use wf_cli::check::check_template;
use wf_cli::render::render_human;
use wf_syntax::terraform::Vars;

#[test]
fn template_fixtures_match_their_snapshots() {
    for path in fixtures("templates") {
        let file = load(&path);
        let diags = check_template(&file, &Vars::new());
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("clean_") {
            assert!(diags.is_empty(), "{name} should be clean:\n{}", render_human(&file, &diags, false));
        } else {
            assert!(!diags.is_empty(), "{name} should give diagnostics");
        }
        assert_fixture_snapshot("templates", &path, &snapshot_text(&file, &diags));
    }
}

fn wf(args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_wf")).args(args).current_dir(repo()).output().expect("wf runs");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn vars_choose_a_branch_and_give_values() {
    let file = "tests/templates/directives.yaml.tftpl";
    let (code, out) = wf(&["check", file]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("{file}:18:23")), "the `totl` typo in the else branch:\n{out}");
    // With `use_batch` true only the batch branch is rendered: no typo, and `reply` is set.
    let (code, out) = wf(&["check", file, "--var", "use_batch=true", "--var", "steps=[1, 2]"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("checked 1 file: 0 errors, 0 warnings\n"), "{out}");
    // A value of the wrong shape for a step is an error at the reference.
    let (code, out) = wf(&["check", file, "--var", "use_batch=true", "--var", "steps=[[1]]"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("WF109") && out.contains(&format!("{file}:23:31")), "{out}");
}

#[test]
fn the_template_option_overrides_the_file_name() {
    let dir = std::env::temp_dir().join(format!("wfkit-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("workflow.yaml");
    std::fs::write(&plain, "- a:\n    return: $${1 + ${var.n}}\n").unwrap();
    let plain = plain.to_string_lossy();
    let (_, out) = wf(&["check", &plain]);
    assert!(out.contains("WF113"), "read as YAML, the text is not an expression:\n{out}");
    let (code, out) = wf(&["check", "--template", "terraform", "--var", "n=2", &plain]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = wf(&["check", "--template", "none", "tests/templates/clean_deploy.yaml.tftpl"]);
    assert_eq!(code, 1, "without rendering, the template is not a valid workflow:\n{out}");
    let (code, _) = wf(&["check", "--template", "jinja", &plain]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_folder_walk_checks_workflow_templates_and_leaves_other_templates_alone() {
    let dir = std::env::temp_dir().join(format!("wf-templates-walk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("deploy.yaml.tftpl"), "- a:\n    return: $${1 + ${var.n}}\n- b:\n    return: $${nope}\n")
        .unwrap();
    // A shell template is no workflow: walking a folder does not read it.
    std::fs::write(dir.join("user_data.sh.tftpl"), "#!/bin/sh\necho ${name}: [\n").unwrap();
    let (code, out) = wf(&["check", &dir.to_string_lossy()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("deploy.yaml.tftpl:4:") && out.contains("WF207"), "{out}");
    assert!(!out.contains("user_data"), "{out}");
    assert!(out.contains("checked 1 file"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
