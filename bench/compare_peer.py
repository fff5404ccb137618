"""Side-by-side benchmark of wfkit and the peer (PyPI workflows-emulator).

Run through `bench/compare`, which installs the peer into bench/.venv, builds wfkit and
starts this file with the venv's Python. For every workload of bench/workloads it

  * runs the peer in this process (`workflows_emulator.main.execute_workflow`; every run
    gets a fresh deep copy of the loaded workflow because the peer mutates it; loading
    and copying are not timed, like wfkit's parse and compile),
  * runs wfkit in process (the `run_workload` example of wf-vm) and as a whole process
    (`target/release/wf run FILE --args ... --no-limits --virtual-time`, wall time),
  * checks both results, and wfkit's executed step count, against the workload's header,
  * picks N per system from the ladder 1, 2, 5, 10, 20, 50, ... (fib: N, N+1, ...): the
    smallest N whose run takes at least half the target time (1 s by default),

then prints a markdown table and writes it, with the machine, to bench/RESULTS.md.
strings_maps and list_ops also run in wfkit at 10*N to show how it scales.
"""

import argparse
import copy
import datetime
import json
import logging
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS_DIR = os.path.join(ROOT, "bench", "workloads")
WF = os.path.join(ROOT, "target", "release", "wf")
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "run_workload")
PEER = "workflows-emulator 1.10.0"


class Failure(Exception):
    """A run that did not give the documented result: the benchmark fails loudly."""


# ----------------------------------------------------------------------------------------
# Workloads: documented result and step count (see each file's header comment).


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def strings_maps_result(n):
    total = sum(len("v" + str(i) + "_" + str(2 * i)) for i in range(1, n + 1))
    return {"count": n, "total_len": total, "first": "v1_2", "last": "v%d_%d" % (n, 2 * n)}


WORKLOADS = [
    # name, expected result(N), steps(N), N ladder kind, also at 10*N
    ("loop_sum", lambda n: n * (n + 1) // 2, lambda n: n + 3, "geometric", False),
    ("loop_sum_jump", lambda n: n * (n + 1) // 2, lambda n: 2 * n + 3, "geometric", False),
    ("strings_maps", strings_maps_result, lambda n: 2 * n + 4, "geometric", True),
    ("fib_recursive", fib, lambda n: 5 * fib(n + 1) - 2, "linear", False),
    (
        "try_raise",
        lambda n: {"caught": n, "msgsum": n * (n + 1) // 2, "codesum": 42 * n, "tagged": n},
        lambda n: 3 * n + 3,
        "geometric",
        False,
    ),
    (
        "list_ops",
        lambda n: {"len": n + 1, "acc": 3 * n * (n + 1) // 2, "acc2": 3 * n * (n + 1) // 2, "last": 3 * n},
        lambda n: 3 * n + 7,
        "geometric",
        True,
    ),
    ("trivial", lambda n: n, lambda n: 1, "repeat", False),
]


def workload_path(name):
    return os.path.join(WORKLOADS_DIR, name + ".workflows.yaml")


def ladder(kind, start):
    """The N (or, for `repeat`, the repetition counts) tried in order."""
    if kind == "linear":
        n = start
        while True:
            yield n
            n += 1
    n, mantissas, i = start, (1, 2, 5), 0
    # start is a power of ten
    while True:
        yield n * mantissas[i % 3] // 1
        i += 1
        if i % 3 == 0:
            n *= 10


def same(a, b):
    """Strict JSON equality: an integer is not a double, a bool is not a number."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def short(v, limit=200):
    text = json.dumps(v)
    return text if len(text) <= limit else text[:limit] + "..."


# ----------------------------------------------------------------------------------------
# The three ways to run a workload. Each returns (seconds per run, result, steps or None).

_peer = None


def peer_module():
    global _peer
    if _peer is None:
        # The peer logs every step at INFO and every caught error at ERROR; its CLI is run
        # with --loglevel CRITICAL for timing, so keep only CRITICAL here too.
        logging.disable(logging.ERROR)
        sys.setrecursionlimit(100_000)
        from workflows_emulator import main as peer_main

        _peer = peer_main
    return _peer


def run_peer(name, n, repeat=1):
    peer = peer_module()
    pristine = peer.load_workflow(workload_path(name))
    params = {pristine["main"]["params"][0]: {"n": n}}
    total, result = 0.0, None
    for _ in range(repeat):
        # A fresh copy every run (execute_workflow mutates its config); a deep copy is what
        # reloading the file would give, without parsing and schema-checking it again.
        config, args = copy.deepcopy(pristine), copy.deepcopy(params)
        start = time.perf_counter()
        result = peer.execute_workflow(config, args)
        total += time.perf_counter() - start
    return total / repeat, json.loads(json.dumps(result)), None


def run_wfkit_inprocess(name, n, repeat=1, timeout=None):
    cmd = [EXAMPLE, workload_path(name), str(n), str(repeat)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        raise Failure("wfkit (in process) failed on %s N=%d:\n%s" % (name, n, out.stderr.strip()))
    line = json.loads(out.stdout)
    return line["seconds_per_run"], line["result"], line["steps"]


def run_wfkit_process(name, n, repeat=1):
    cmd = [WF, "run", workload_path(name), "--args", json.dumps({"n": n}), "--no-limits", "--virtual-time"]
    total, result = 0.0, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        total += time.perf_counter() - start
        if out.returncode != 0:
            raise Failure("`wf run` failed on %s N=%d:\n%s" % (name, n, out.stderr.strip()))
        result = json.loads(out.stdout)
    return total / repeat, result, None


def check(system, name, n, result, steps, expected_result, expected_steps):
    want = expected_result(n)
    if not same(result, want):
        raise Failure(
            "%s gave the wrong result for %s N=%d:\n  got      %s\n  expected %s"
            % (system, name, n, short(result), short(want))
        )
    if steps is not None and steps != expected_steps(n):
        raise Failure(
            "%s executed %d steps for %s N=%d; the workload documents %d"
            % (system, name, n, steps, expected_steps(n))
        )


# ----------------------------------------------------------------------------------------
# Choosing N and measuring.


def calibrate(run, kind, start, target):
    """Walks the ladder until one run takes at least target/2; returns (n, repeat, seconds)."""
    for value in ladder(kind, start):
        n, repeat = (1, value) if kind == "repeat" else (value, 1)
        seconds = run(n, repeat)
        if seconds * repeat >= target / 2:
            return n, repeat, seconds


def best_of(run, n, repeat, times):
    return min(run(n, repeat) for _ in range(times))


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def fmt_rate(steps, seconds):
    return fmt_int(steps / seconds) if seconds else "-"


def measure(args):
    rows, scaling, ratios = [], [], []
    for name, expected_result, expected_steps, kind, scale in WORKLOADS:
        if args.only and name not in args.only:
            continue
        print("bench: %s" % name, file=sys.stderr, flush=True)

        def peer(n, repeat):
            seconds, result, _ = run_peer(name, n, repeat)
            check("the peer", name, n, result, None, expected_result, expected_steps)
            return seconds

        def inproc(n, repeat):
            seconds, result, steps = run_wfkit_inprocess(name, n, repeat)
            check("wfkit (in process)", name, n, result, steps, expected_result, expected_steps)
            return seconds

        def whole(n, repeat):
            seconds, result, _ = run_wfkit_process(name, n, repeat)
            check("wfkit (`wf run`)", name, n, result, None, expected_result, expected_steps)
            return seconds

        peer_start = {"geometric": 10, "linear": 5, "repeat": 10}[kind]
        wf_start = {"geometric": 1000, "linear": 10, "repeat": 1000}[kind]

        pn, prep, _ = calibrate(peer, kind, peer_start, args.target)
        peer_s = best_of(peer, pn, prep, args.runs)
        wn, wrep, _ = calibrate(inproc, kind, wf_start, args.target)
        wf_s = best_of(inproc, wn, wrep, args.runs)
        proc_s = best_of(whole, wn, 1, args.runs)

        psteps, wsteps = expected_steps(pn), expected_steps(wn)
        peer_rate, wf_rate = psteps / peer_s, wsteps / wf_s
        ratio = wf_rate / peer_rate
        ratios.append(ratio)
        label_n = "%s / %s" % (fmt_int(pn), fmt_int(wn))
        if kind == "repeat":
            label_n += " (runs: %s / %s)" % (fmt_int(prep), fmt_int(wrep))
        rows.append(
            [
                name,
                label_n,
                "%s / %s" % (fmt_int(psteps), fmt_int(wsteps)),
                fmt_rate(psteps, peer_s),
                fmt_rate(wsteps, wf_s),
                fmt_rate(wsteps, proc_s),
                fmt_int(ratio),
            ]
        )

        if scale:
            n10 = 10 * wn
            print("bench: %s at 10*N = %d" % (name, n10), file=sys.stderr, flush=True)
            got = run_wfkit_inprocess(name, n10, 1, timeout=args.scale_timeout)
            if got is None:
                cell = "did not finish in %d s" % args.scale_timeout
                note = "%s: wfkit at 10*N = %s did not finish in %d s (%.2f s at N; linear would be about %.0f s)" % (
                    name,
                    fmt_int(n10),
                    args.scale_timeout,
                    wf_s,
                    10 * wf_s,
                )
            else:
                s10, result, steps = got
                check("wfkit (in process)", name, n10, result, steps, expected_result, expected_steps)
                cell = fmt_rate(expected_steps(n10), s10)
                note = "%s: wfkit at 10*N = %s took %.1fx the time of N = %s (linear: 10x)" % (
                    name,
                    fmt_int(n10),
                    s10 / wf_s,
                    fmt_int(wn),
                )
            rows.append(
                [name + " (wfkit at 10·N)", "- / " + fmt_int(n10), "- / " + fmt_int(expected_steps(n10)), "-", cell, "-", "-"]
            )
            scaling.append(note)
    return rows, scaling, ratios


HEADER = [
    "workload",
    "N (peer / wfkit)",
    "steps (peer / wfkit)",
    "peer steps/s",
    "wfkit steps/s (in process)",
    "wfkit steps/s (`wf run`)",
    "ratio (wfkit in process / peer)",
]


def table(rows):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "arch": platform.machine(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "commit": commit or "unknown",
    }


def main():
    parser = argparse.ArgumentParser(description="wfkit vs the peer, side by side")
    parser.add_argument("--target", type=float, default=1.0, help="seconds one run should take (default 1)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement; the best counts (default 3)")
    parser.add_argument("--scale-timeout", type=int, default=120, help="seconds allowed for a 10*N run (default 120)")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("only", nargs="*", help="workloads to run (default: all)")
    args = parser.parse_args()
    known = [w[0] for w in WORKLOADS]
    for name in args.only:
        if name not in known:
            parser.error("unknown workload %r (known: %s)" % (name, ", ".join(known)))

    try:
        rows, scaling, ratios = measure(args)
    except Failure as failure:
        print("\nbench/compare: FAILED\n%s" % failure, file=sys.stderr)
        return 1

    min_ratio = "min ratio: %s" % fmt_int(min(ratios))
    text = table(rows) + "\n"
    if scaling:
        text += "\n" + "\n".join(scaling) + "\n"
    text += "\n" + min_ratio + "\n"
    print()
    print(text, end="")

    if not args.no_write:
        m = machine()
        doc = [
            "# wfkit vs the peer: results",
            "",
            "Written by `bench/compare` (do not edit by hand; run it again).",
            "",
            "- date: %s" % m["date"],
            "- machine: `%s`, %s, %s cores" % (m["arch"], m["cpu"], m["cores"]),
            "- wfkit: commit `%s` (release build)" % m["commit"],
            "- peer: %s (Python %s), timed in process" % (PEER, platform.python_version()),
            "- each system gets its own N (the smallest of 1, 2, 5, 10, 20, 50, ... whose run takes at "
            "least %.2g s; fib_recursive: consecutive N; trivial: N = 1, repeated); the best of %d "
            "timed runs counts; steps/s is the comparable unit" % (args.target / 2, args.runs),
            "- wfkit in process: `run_workload` example (parse and compile not timed); `wf run`: the "
            "whole process, wall time, `--no-limits --virtual-time`",
            "- the peer: `execute_workflow` in process (loading the file, and the fresh copy each run "
            "needs, not timed)",
            "",
            text.rstrip("\n"),
            "",
        ]
        with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as f:
            f.write("\n".join(doc))
        print("\nwrote bench/RESULTS.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
