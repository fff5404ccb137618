"""Differential test: every program of bench/diff in wfkit and in the peer, compared.

Run through `bench/diff/run` (which installs the peer and builds wfkit). Usage:

    diff.py [--wf PATH] [--python PATH] [PROGRAM...]

A program is a workflow file `bench/diff/NAME.yaml`. Its header comment may hold a line
`# args: JSON`, the execution argument given to both systems.

Each system's outcome is one of: a result, an error (the raised value), `rejected` (wfkit's
checker refused the file, or the peer's schema did), `crash` (the peer failed with a Python
exception that no `except` could catch) or `timeout`. Two outcomes are the same when

  * both are results and equal as JSON (an integer is not a double; map key order is
    ignored, list order is not), or
  * both are errors and equal, except that when every tag of an error map is one of
    GCW's built-in tags the `message` may differ (GCW documents no message texts; the
    line then says `same (messages differ)`).

Prints one line per program, `same` or `DIFFERENT`, then the details of every
divergence, then `N same, N different`. Exits 0 even when programs differ; 2 when a
program could not be run at all.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from compare_peer import same  # noqa: E402  (strict JSON equality, shared with bench/compare)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 20

BUILTIN_TAGS = {
    "AuthError",
    "ConnectionError",
    "ConnectionFailedError",
    "HttpError",
    "IndexError",
    "KeyError",
    "OperationError",
    "ParallelNestingError",
    "RecursionError",
    "ResourceLimitError",
    "ResponseTypeError",
    "SystemError",
    "TimeoutError",
    "TypeError",
    "UnhandledBranchError",
    "ValueError",
    "ZeroDivisionError",
}


class CannotRun(Exception):
    pass


def program_args(path):
    """The `# args: JSON` line of the header comment, or None."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith("# args:"):
                return json.loads(line[len("# args:") :])
    return None


def run_wfkit(wf, path, args):
    cmd = [wf, "run", path, "--virtual-time"]
    if args is not None:
        cmd += ["--args", json.dumps(args)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return ("timeout", "no answer in %d s" % TIMEOUT)
    except OSError as err:
        raise CannotRun("cannot start %s: %s" % (wf, err))
    if out.returncode == 0:
        return ("result", json.loads(out.stdout))
    lines = out.stderr.splitlines()
    # A run-time failure: `error: the workflow failed at FILE:L:C`, then the error as JSON
    # (after any sys.log lines).
    for i, line in enumerate(lines):
        if line.startswith("error: the workflow failed"):
            try:
                return ("error", json.loads("\n".join(lines[i + 1 :])))
            except ValueError:
                break
    # The checker refused the file: keep the first diagnostic line.
    first = next((l for l in lines if l.strip()), "(no output; exit %d)" % out.returncode)
    if out.returncode == 2 and "Usage" in out.stderr:
        raise CannotRun("wf run refused its arguments: %s" % first)
    return ("rejected", first.strip())


def run_peer(python, path, args, cwd):
    cmd = [python, os.path.join(HERE, "peer_run.py"), path, json.dumps(args) if args is not None else ""]
    try:
        # The peer reads ./.env: run it in an empty folder.
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd
        )
    except subprocess.TimeoutExpired:
        return ("timeout", "no answer in %d s (the peer hangs)" % TIMEOUT)
    except OSError as err:
        raise CannotRun("cannot start %s: %s" % (python, err))
    if out.returncode != 0 or not out.stdout.strip():
        raise CannotRun("the peer runner failed on %s:\n%s" % (path, out.stderr.strip()))
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    (kind, value), = answer.items()
    return (kind, value)


def compare(w, p):
    """'same', 'same (messages differ)' or None (different)."""
    if w[0] != p[0]:
        return None
    kind, a, b = w[0], w[1], p[1]
    if kind == "result":
        return "same" if same(a, b) else None
    if kind == "error":
        if same(a, b):
            return "same"
        if isinstance(a, dict) and isinstance(b, dict):
            tags = a.get("tags")
            builtin = isinstance(tags, list) and tags and all(t in BUILTIN_TAGS for t in tags)
            rest_a = {k: v for k, v in a.items() if k != "message"}
            rest_b = {k: v for k, v in b.items() if k != "message"}
            if builtin and same(rest_a, rest_b) and "message" in a and "message" in b:
                return "same (messages differ)"
        return None
    return None


def show(outcome):
    kind, value = outcome
    if kind in ("result", "error"):
        return "%s %s" % (kind, json.dumps(value, ensure_ascii=False))
    return "%s: %s" % (kind, value)


def details(name, w, p):
    lines = ["--- %s" % name, "  wfkit: %s" % show(w), "  peer:  %s" % show(p)]
    if w[0] == p[0] == "result" and isinstance(w[1], dict) and isinstance(p[1], dict):
        for key in list(w[1]) + [k for k in p[1] if k not in w[1]]:
            if key not in p[1] or key not in w[1] or not same(w[1][key], p[1][key]):
                lines.append(
                    "    %s: wfkit %s, peer %s"
                    % (
                        key,
                        json.dumps(w[1][key], ensure_ascii=False) if key in w[1] else "(missing)",
                        json.dumps(p[1][key], ensure_ascii=False) if key in p[1] else "(missing)",
                    )
                )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="wfkit vs the peer on bench/diff/*.yaml")
    parser.add_argument("--wf", default=os.path.join(ROOT, "target", "release", "wf"))
    parser.add_argument("--python", default=sys.executable, help="the Python that has the peer installed")
    parser.add_argument("programs", nargs="*", help="program names (default: all)")
    args = parser.parse_args()
    args.wf, args.python = os.path.abspath(args.wf), os.path.abspath(args.python)

    paths = sorted(glob.glob(os.path.join(HERE, "*.yaml")))
    if args.programs:
        wanted = {p[:-5] if p.endswith(".yaml") else os.path.basename(p) for p in args.programs}
        paths = [p for p in paths if os.path.basename(p)[:-5] in wanted]
    if not paths:
        print("bench/diff: no programs", file=sys.stderr)
        return 2
    try:
        jobs = [(p, program_args(p)) for p in paths]
        with tempfile.TemporaryDirectory() as empty, ThreadPoolExecutor(max_workers=2) as pool:
            peer = list(pool.map(lambda j: run_peer(args.python, *j, empty), jobs))
        ours = [run_wfkit(args.wf, *j) for j in jobs]
    except (CannotRun, ValueError, OSError) as err:
        print("bench/diff: %s" % err, file=sys.stderr)
        return 2

    width = max(len(os.path.basename(p)) - 5 for p in paths)
    n_same, divergences = 0, []
    for (path, _), w, p in zip(jobs, ours, peer):
        name = os.path.basename(path)[:-5]
        verdict = compare(w, p)
        if verdict:
            n_same += 1
            print("%-*s  %s" % (width, name, verdict))
        else:
            print("%-*s  DIFFERENT" % (width, name))
            divergences.append(details(name, w, p))
    if divergences:
        print("\nDivergences:\n")
        print("\n\n".join(divergences))
    print("\n%d same, %d different" % (n_same, len(divergences)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
