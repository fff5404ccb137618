"""Starting `wf serve` (a local GCW service) for a test: a free port, a fresh database, a
known callback token; stopped when the `with` block ends.

    with wfkit.serve.serve(dir="examples/callbacks") as server:
        server.url        # http://127.0.0.1:PORT, the base URL for gcloud or Google's clients
        server.token      # the Bearer token callback requests need
        server.api("workflows")  # http://127.0.0.1:PORT/v1/projects/P/locations/L/workflows

The pytest fixture `wf_serve` (wfkit.pytest_plugin) wraps this.
"""

import contextlib
import os
import re
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence, Union

from wfkit._binaries import binary

_LISTENING = re.compile(r"wf serve: listening on (http://\S+?)/ ")

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class Server:
    """A running `wf serve`."""

    url: str
    """The base URL, `http://127.0.0.1:PORT` (no trailing `/`)."""
    token: str
    """The Bearer token of callback requests."""
    project: str
    """The project `dir` workflows are deployed to."""
    location: str
    """Their location."""
    db: Path
    """The SQLite database."""
    log: Path
    """The server's stderr: the start line, and `[EXECUTION] [SEVERITY] text` per `sys.log`."""
    process: "subprocess.Popen[bytes]"
    """The server process."""

    def api(self, path: str = "") -> str:
        """The URL of `path` under `/v1/projects/PROJECT/locations/LOCATION/`."""
        return f"{self.url}/v1/projects/{self.project}/locations/{self.location}/{path.lstrip('/')}"

    def log_text(self) -> str:
        """What the server has written to its log so far."""
        return self.log.read_text(errors="replace")

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> "re.Match[str]":
        """Waits until the log has a match of the regular expression `pattern`; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.log_text())
            if match:
                return match
            if time.monotonic() > deadline:
                raise TimeoutError(f"no match of {pattern!r} in the wf serve log after {timeout} s:\n{self.log_text()}")
            time.sleep(0.02)


@contextlib.contextmanager
def serve(
    dir: Optional[PathLike] = None,
    mocks: Optional[PathLike] = None,
    db: Optional[PathLike] = None,
    token: Optional[str] = None,
    project: str = "local-project",
    location: str = "us-central1",
    args: Sequence[str] = (),
    timeout: float = 30.0,
) -> Iterator[Server]:
    """Runs `wf serve --listen 127.0.0.1:0` for the `with` block.

    `dir` deploys every workflow file in it (ids are the file names up to their first dot)
    to `project` and `location`; `mocks` answers outbound calls (the scenario `mocks:`
    format); `db` is the database (default: a new one in a temporary folder); `token` the
    callback token (default: a random one); `args` more options. Raises `RuntimeError` when
    the server exits or does not start within `timeout` seconds.
    """
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wf-serve-")))
        db_path = Path(db) if db is not None else folder / "serve.db"
        log_path = folder / "serve.log"
        token = token or secrets.token_hex(16)
        command = [binary("wf"), "serve", "--listen", "127.0.0.1:0", "--db", str(db_path)]
        command += ["--callback-token", token, "--project", project, "--location", location]
        if dir is not None:
            command += ["--dir", os.fspath(dir)]
        if mocks is not None:
            command += ["--mocks", os.fspath(mocks)]
        command += list(args)
        log = stack.enter_context(open(log_path, "wb"))
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(_stop, process)
        url = _wait_until_listening(process, log_path, timeout)
        yield Server(url, token, project, location, db_path, log_path, process)


def _wait_until_listening(process: "subprocess.Popen[bytes]", log: Path, timeout: float) -> str:
    """The base URL from the server's start line."""
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(errors="replace")
        match = _LISTENING.search(text)
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"wf serve exited with status {process.returncode}:\n{text}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"wf serve did not start within {timeout} s:\n{text}")
        time.sleep(0.02)


def _stop(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
