"""Tests of the wfkit Python package, run against the installed wheel
(scripts/test-python-package.sh)."""

import importlib.util
import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]

MISSING = "the wfkit package is not installed (scripts/test-python-package.sh builds and installs the wheel)"


def pytest_configure(config):
    """Without the installed package the tests say SKIPPED (each module: `importorskip`),
    and on CI, which must have it, the run fails instead."""
    if importlib.util.find_spec("wfkit") is None:
        print(f"SKIPPED: {MISSING}")
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(f"SKIPPED on CI, which must have everything: {MISSING}")


@pytest.fixture
def repo() -> Path:
    """The repository's root folder."""
    return REPO
