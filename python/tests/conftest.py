"""Tests of the wfkit Python package, run against the installed wheel
(scripts/test-python-package.sh)."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo() -> Path:
    """The repository's root folder."""
    return REPO
