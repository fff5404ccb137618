"""The pytest plugin of wfkit (entry point `pytest11`, so installing the wheel enables it).

- Every `*.scenario.yaml` (or `.yml`) file pytest meets is one test item. The items pytest
  selected are run by one `wf-test --format json` call, on the first of them; each item then
  passes or fails as its scenario did, and a failure shows what `wf-test` prints: the
  broken expectation, the diff, and for a property scenario the shrunk case.
- The `wf_serve` fixture runs `wf serve` on a free port with a database in a temporary
  folder and yields a `wfkit.serve.Server` (`url`, `token`, `api()`); options come from a
  `@pytest.mark.wf_serve(dir=..., mocks=..., args=[...])` marker (relative paths from
  pytest's root folder).

Options: `--wf-test-arg ARG` passes ARG to wf-test (e.g. `--wf-test-arg=--cases=500`); the
ini setting `wfkit_scenarios = false` stops the collection; `-p no:wfkit` disables all of it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from wfkit._binaries import binary
from wfkit.serve import Server, serve

SUFFIXES = (".scenario.yaml", ".scenario.yml")
_RESULTS = pytest.StashKey[Dict[Path, dict]]()
# Files per wf-test call, to keep command lines short.
_BATCH = 200


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wfkit", "wfkit scenario tests")
    group.addoption(
        "--wf-test-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="pass ARG to wf-test (repeatable), e.g. --wf-test-arg=--cases=500",
    )
    parser.addini("wfkit_scenarios", type="bool", default=True, help="collect *.scenario.yaml files as tests")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wf_serve(dir=None, mocks=None, args=()): how the wf_serve fixture starts wf serve"
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional["ScenarioFile"]:
    if file_path.name.endswith(SUFFIXES) and parent.config.getini("wfkit_scenarios"):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A scenario file: one scenario, so one item, named after the file."""

    def collect(self) -> Iterator["ScenarioItem"]:
        name = self.path.name
        for suffix in SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        yield ScenarioItem.from_parent(self, name=name)


class ScenarioFailed(Exception):
    """A scenario that `wf-test` reported as failed; carries its JSON result."""

    def __init__(self, result: dict) -> None:
        super().__init__(result.get("name", "scenario"))
        self.result = result


class ScenarioItem(pytest.Item):
    """One scenario, run by `wf-test`."""

    def runtest(self) -> None:
        results = self.session.stash.get(_RESULTS, None)
        if results is None or self.path not in results:
            results = _run_wf_test(self.config, _selected_files(self.session, self.path))
            self.session.stash[_RESULTS] = results
        result = results.get(self.path)
        if result is None:
            raise RuntimeError(f"wf-test reported nothing for {self.path}")
        self.user_properties.append(("scenario", result.get("name", "")))
        if result.get("status") != "passed":
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):  # type: ignore[override]
        if isinstance(excinfo.value, ScenarioFailed):
            return _failure_text(excinfo.value.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):  # type: ignore[override]
        return self.path, None, f"scenario {self.name}"


def _selected_files(session: pytest.Session, first: Path) -> List[Path]:
    """The scenario files of the items this session runs, `first` among them."""
    files = [item.path for item in session.items if isinstance(item, ScenarioItem)]
    return files if first in files else [first, *files]


def _run_wf_test(config: pytest.Config, files: List[Path]) -> Dict[Path, dict]:
    """Runs `wf-test --format json` on `files` (paths relative to the current folder, as
    its messages name them); the results by absolute path."""
    cwd = Path.cwd()
    results: Dict[Path, dict] = {}
    extra = config.getoption("wf_test_arg")
    for start in range(0, len(files), _BATCH):
        names = [os.path.relpath(f, cwd) for f in files[start : start + _BATCH]]
        command = [binary("wf-test"), "--format", "json", *extra, "--", *names]
        done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"wf-test exited with status {done.returncode}:\n{done.stderr}")
        for scenario in json.loads(done.stdout)["scenarios"]:
            results[(cwd / scenario["file"]).resolve()] = scenario
    return {f: results[f.resolve()] for f in files if f.resolve() in results}


def _failure_text(result: dict) -> str:
    """A failed scenario as `wf-test` prints it: each broken expectation, then its detail
    (the diff, the shrunk case) indented."""
    lines = [f"scenario `{result.get('name')}` failed ({result.get('file')})"]
    for failure in result.get("failures", []):
        lines.append(failure.get("what", ""))
        lines.extend("    " + line for line in failure.get("detail", "").splitlines())
    return "\n".join(lines)


@pytest.fixture
def wf_serve(request: pytest.FixtureRequest) -> Iterator[Server]:
    """`wf serve` on 127.0.0.1 and a free port, with a new database, for one test."""
    marker = request.node.get_closest_marker("wf_serve")
    options = dict(marker.kwargs) if marker else {}
    root = request.config.rootpath
    for key in ("dir", "mocks"):
        if options.get(key) is not None:
            options[key] = root / options[key]
    with serve(**options) as server:
        yield server
