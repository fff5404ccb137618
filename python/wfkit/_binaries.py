"""Where the `wf` and `wf-test` executables are."""

import os
import shutil
import sysconfig
from importlib import metadata
from typing import Optional


def version() -> str:
    """The installed wfkit's version (the Cargo workspace's)."""
    return metadata.version("wfkit")


def binary(name: str) -> str:
    """The path of executable `name` (`wf` or `wf-test`).

    In order: the folder `WFKIT_BIN_DIR` names (for a build from source, such as
    `target/release`), the scripts folder of this Python environment (where the wheel put
    them), then `PATH`. Raises `FileNotFoundError` when none has it.
    """
    candidates = []
    override = os.environ.get("WFKIT_BIN_DIR")
    if override:
        candidates.append(os.path.join(override, name))
    scripts = sysconfig.get_path("scripts")
    if scripts:
        candidates.append(os.path.join(scripts, name))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    found: Optional[str] = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"`{name}` not found (install the wfkit wheel, or set WFKIT_BIN_DIR)")
