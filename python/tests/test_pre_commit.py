"""The pre-commit hooks of .pre-commit-hooks.yaml on a scratch git repository: with
`pre-commit try-repo` from this checkout, a broken workflow fails the `wf-check` hook with
its diagnostic, and fixed, it passes; with a `.pre-commit-config.yaml` like the one in
docs/ci.md (this checkout's HEAD as `repo` and `rev`), a failing scenario fails the
`wf-test` hook with its diff, and fixed, it passes.

Each `try-repo` installs the hooks afresh (in a store of its own); `pre-commit run` installs
them once into `PRE_COMMIT_HOME`.

pre-commit installs the hooks' repository with `pip install .`, which builds the wheel
with cargo (maturin's PEP 517 backend): this test needs pre-commit (`WFKIT_PRE_COMMIT`, or
on PATH) and cargo. To reuse what `cargo test` compiled, it sets `CARGO_TARGET_DIR` to this
checkout's target/ and has maturin build with the dev profile (`MATURIN_PEP517_ARGS`): the
hooks are the same, only unoptimised. Without pre-commit or cargo it says SKIPPED, and
fails on CI.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

BROKEN = """main:
  steps:
    - total:
        assign:
          - n: ${len(x}
    - done:
        return: ${n}
"""

FIXED = BROKEN.replace("${len(x}", '${len("abc")}')

SCENARIO = """name: the total is three
workflow: order.workflows.yaml
expect:
  status: SUCCEEDED
  result: {result}
"""


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory, request):
    """The pre-commit executable and a scratch repository to run the hooks in."""
    tool = os.environ.get("WFKIT_PRE_COMMIT") or shutil.which("pre-commit")
    missing = [what for what, found in [("pre-commit", tool), ("cargo", shutil.which("cargo"))] if not found]
    if missing:
        reason = f"{' and '.join(missing)} not found (scripts/test-python-package.sh provides them)"
        print(f"SKIPPED: {reason}")
        if os.environ.get("CI") == "true":
            pytest.fail(f"SKIPPED on CI, which must have everything: {reason}")
        pytest.skip(reason)
    tool = os.path.abspath(tool)  # the hooks run in the scratch repository
    home = tmp_path_factory.mktemp("pre-commit-home")
    scratch = tmp_path_factory.mktemp("project")
    subprocess.run(["git", "init", "-q", str(scratch)], check=True)
    return tool, home, scratch


CONFIG = """repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: wf-check
      - id: wf-test
"""


def environment(home, repo):
    """pre-commit's store, and cargo's target folder and profile for the hooks' build."""
    return dict(
        os.environ,
        PRE_COMMIT_HOME=str(home),
        CARGO_TARGET_DIR=str(repo / "target"),
        MATURIN_PEP517_ARGS="--profile dev",
        NO_COLOR="1",
    )


def try_repo(pre_commit, repo, hook):
    """`pre-commit try-repo REPO HOOK --all-files` in the scratch repository."""
    tool, home, scratch = pre_commit
    subprocess.run(["git", "add", "-A"], cwd=scratch, check=True)
    command = [tool, "try-repo", str(repo), hook, "--all-files", "--color", "never", "--verbose"]
    return subprocess.run(command, cwd=scratch, env=environment(home, repo), capture_output=True, text=True)


def run_configured(pre_commit, repo, hook):
    """`pre-commit run HOOK --all-files` with a config naming this checkout's HEAD."""
    tool, home, scratch = pre_commit
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True)
    (scratch / ".pre-commit-config.yaml").write_text(CONFIG.format(repo=repo, rev=rev.stdout.strip()))
    subprocess.run(["git", "add", "-A"], cwd=scratch, check=True)
    command = [tool, "run", hook, "--all-files", "--color", "never", "--verbose"]
    return subprocess.run(command, cwd=scratch, env=environment(home, repo), capture_output=True, text=True)


def test_wf_check_hook_fails_on_a_broken_workflow_and_passes_once_fixed(pre_commit, repo):
    scratch = pre_commit[2]
    (scratch / "order.workflows.yaml").write_text(BROKEN)
    # Not named like workflows, or excluded: not checked.
    (scratch / "notes.yaml").write_text("not: a workflow\n")
    (scratch / ".github/workflows").mkdir(parents=True)
    (scratch / ".github/workflows/ci.yml").write_text("on: push\njobs: {}\n")
    (scratch / "workflows").mkdir()
    (scratch / "workflows/order.scenario.yaml").write_text("name: x\nworkflow: ../order.workflows.yaml\n")
    # In a workflows/ folder, a Terraform template: checked, and clean.
    (scratch / "workflows/hello.yaml.tftpl").write_text("main:\n  steps:\n    - done:\n        return: ${region}\n")
    run = try_repo(pre_commit, repo, "wf-check")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "wf check" in out and "Failed" in out, out
    assert "[WF110] Error: expected `,` or `)`" in out, out
    assert "order.workflows.yaml:5:" in out, out
    for unchecked in ("notes.yaml", "ci.yml", "order.scenario.yaml"):
        assert unchecked not in out, out
    assert "hello.yaml.tftpl" not in out, "the template is checked and has no diagnostic"

    (scratch / "order.workflows.yaml").write_text(FIXED)
    run = try_repo(pre_commit, repo, "wf-check")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "Passed" in out, out
    # Both files were checked (pre-commit may split them between processes).
    assert sum(int(n) for n in re.findall(r"checked (\d+) files?:", out)) == 2, out


def test_configured_wf_test_hook_fails_on_a_failing_scenario_and_passes_once_fixed(pre_commit, repo):
    scratch = pre_commit[2]
    (scratch / "workflows/order.scenario.yaml").unlink(missing_ok=True)
    (scratch / "order.workflows.yaml").write_text(FIXED)
    (scratch / "order.scenario.yaml").write_text(SCENARIO.format(result=4))
    run = run_configured(pre_commit, repo, "wf-test")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "FAILED the total is three" in out and "- 4" in out and "+ 3" in out, out

    (scratch / "order.scenario.yaml").write_text(SCENARIO.format(result=3))
    run = run_configured(pre_commit, repo, "wf-test")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "ok     the total is three" in out and "1 passed, 0 failed" in out, out
