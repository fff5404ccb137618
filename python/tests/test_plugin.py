"""The pytest plugin: scenario files are test items, run by wf-test."""

from pathlib import Path

import pytest

from conftest import MISSING

wfkit = pytest.importorskip("wfkit", reason=MISSING)


def scenarios(folder: Path) -> list:
    return sorted(folder.rglob("*.scenario.yaml"))


def test_the_binaries_come_with_the_package(repo):
    import subprocess

    out = subprocess.run([wfkit.binary("wf"), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"wf {wfkit.version()}"
    cargo = (repo / "Cargo.toml").read_text()
    assert f'version = "{wfkit.version()}"' in cargo, "the wheel's version is the Cargo workspace's"
    assert Path(wfkit.binary("wf-test")).is_file()


def test_every_example_scenario_is_one_passing_item(pytester, repo):
    expected = scenarios(repo / "examples")
    assert len(expected) >= 5
    result = pytester.runpytest_subprocess(str(repo / "examples"), "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(expected))
    for path in expected:
        name = path.name[: -len(".scenario.yaml")]
        result.stdout.fnmatch_lines([f"*{path.name}::{name} PASSED*"])


def test_a_failing_scenario_fails_with_its_diff(pytester, repo):
    failing = repo / "tests/scenarios/fail/wrong_result.scenario.yaml"
    result = pytester.runpytest_subprocess(str(failing), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*scenario `the result differs from the expected one (shows a diff)` failed*",
            "*result differs (- expected, + actual)*",
            '*-       "approved": false*',
            '*+       "approved": true*',
        ]
    )
    assert result.ret == 1


def test_a_failing_property_shows_the_shrunk_case(pytester, repo):
    failing = repo / "tests/scenarios/fail/property_finds_a_lost_approval.scenario.yaml"
    result = pytester.runpytest_subprocess(str(failing), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the smallest failing case shrinking found*",
            "*cases: 1*",
            "*- at: 55m0.001s*",
        ]
    )


def test_selection_runs_only_the_selected_scenarios(pytester, repo):
    total = len(scenarios(repo / "examples"))
    result = pytester.runpytest_subprocess(
        str(repo / "examples"), "-k", "approval_granted or approval_rejected", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2, deselected=total - 2)


def test_wf_test_args_are_passed_on(pytester, repo):
    # `--filter` that matches nothing: wf-test reports no result for the file.
    target = repo / "examples/scenarios/approval_granted.scenario.yaml"
    result = pytester.runpytest_subprocess(str(target), "--wf-test-arg=--filter=no such scenario", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*wf-test reported nothing for*"])


def test_collection_can_be_turned_off(pytester, repo):
    pytester.makeini("[pytest]\nwfkit_scenarios = false\n")
    result = pytester.runpytest_subprocess(str(repo / "examples/scenarios"), "-c", str(pytester.path / "tox.ini"), "-p", "no:cacheprovider")
    assert result.ret == 5, "no tests collected"
