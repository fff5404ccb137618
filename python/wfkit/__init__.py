"""wfkit for Python: the `wf` and `wf-test` binaries of the wheel, found from Python.

The binaries do the work; this package only finds them (`binary`) and offers the pytest
plugin (`wfkit.pytest_plugin`: scenario files as test items) and the `wf serve` fixture
(`wfkit.serve`).
"""

from wfkit._binaries import binary, version

__all__ = ["binary", "version"]
