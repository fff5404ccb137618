#!/usr/bin/env python3
"""Crash test of `wf serve`: EXECUTIONS executions each wait for a callback (after a timer);
a client sends each one callback while the server is killed with SIGKILL at random moments
(KILLS times) and restarted. At the end: every callback that got a 200 was processed exactly
once, no execution was lost or finished twice, and every timer fired on time.

Usage: bench/serve/crash.py [--wf target/release/wf] [--executions 100] [--kills 20] [--seed 1]
Exit 0 when every check holds; prints the counts either way."""

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import API, ROOT, Server, callback_path, deploy, free_port, request  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wf", default=os.path.join(ROOT, "target/release/wf"))
    ap.add_argument("--executions", type=int, default=100)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--nap", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="wf-serve-crash-")
    server = Server(a.wf, os.path.join(tmp, "serve.db"), free_port())
    server.start()
    deploy(server.port, "crash", "bench/serve/crash_flow.yaml")
    executions = []
    for i in range(a.executions):
        status, body = request(server.port, "POST", f"{API}/workflows/crash/executions",
                               {"argument": json.dumps({"nap": a.nap})})
        assert status == 200, (status, body)
        executions.append(body["name"])

    state = {"running": True, "kills": 0, "down": 0.0}
    outcome = {}          # execution -> the first definite answer: 200, 429 or 404
    unsure = {}           # execution -> connection errors before a definite answer

    def sender():
        order = list(executions)
        rng.shuffle(order)
        for e in order:
            while True:
                try:
                    path = callback_path(server.port, e)
                    if path is None:
                        time.sleep(0.02)
                        continue
                    status, _ = request(server.port, "POST", path, {"for": e},
                                        {"Authorization": "Bearer tok", "Content-Type": "application/json"}, timeout=5)
                    outcome[e] = status
                    break
                except OSError:
                    unsure[e] = unsure.get(e, 0) + 1
                    time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.02))

    def killer():
        while state["kills"] < a.kills:
            time.sleep(rng.uniform(0.05, 0.4))
            server.kill()
            state["kills"] += 1
            t0 = time.time()
            server.start()
            state["down"] += time.time() - t0

    threads = [threading.Thread(target=sender), threading.Thread(target=killer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Wait for every execution to end.
    deadline = time.time() + 60
    final = {}
    while time.time() < deadline and len(final) < len(executions):
        for e in executions:
            if e in final:
                continue
            try:
                status, body = request(server.port, "GET", f"/v1/{e}")
            except OSError:
                continue
            if status == 200 and body["state"] != "ACTIVE":
                final[e] = body
        time.sleep(0.05)

    problems = []
    ok_200 = [e for e, s in outcome.items() if s == 200]
    for e in executions:
        body = final.get(e)
        if body is None:
            problems.append(f"{e}: still ACTIVE (lost?)")
            continue
        if body["state"] != "SUCCEEDED":
            problems.append(f"{e}: {body['state']} {body.get('error')}")
            continue
        result = json.loads(body["result"])
        if result != {"for": e}:
            problems.append(f"{e}: processed someone else's callback: {result}")
        if outcome.get(e) not in (200, 429, 404):
            problems.append(f"{e}: the callback got {outcome.get(e)}")
        if outcome.get(e) != 200 and not unsure.get(e):
            problems.append(f"{e}: refused with {outcome.get(e)} without an earlier attempt that may have landed")
        _, logs = request(server.port, "GET", f"/v1/{e}/logs")
        texts = [x.get("textPayload", "") for x in logs["entries"]]
        if texts.count("woke") != 1:
            problems.append(f"{e}: woke {texts.count('woke')} times")
        times = {x.get("textPayload", "").split(" ")[0]: x["timestamp"] for x in logs["entries"]}
        start, woke = times.get("Listening"), times.get("woke")
        if start and woke:
            gap = to_seconds(woke) - to_seconds(start)
            if gap < a.nap - 0.01 or gap > a.nap + state["down"] + 2.0:
                problems.append(f"{e}: the {a.nap} s timer fired after {gap:.3f} s")
    server.stop()
    print(f"executions: {len(executions)}, kills: {state['kills']}, callbacks answered 200: {len(ok_200)}, "
          f"answered 429/404 after a lost answer: {len(outcome) - len(ok_200)}, "
          f"connection errors retried: {sum(unsure.values())}, succeeded: "
          f"{sum(1 for b in final.values() if b['state'] == 'SUCCEEDED')}, problems: {len(problems)}")
    for p in problems[:20]:
        print("  " + p)
    sys.exit(1 if problems else 0)


def to_seconds(rfc3339):
    from datetime import datetime
    date, frac = rfc3339.rstrip("Z").split(".") if "." in rfc3339 else (rfc3339.rstrip("Z"), "0")
    whole = datetime.fromisoformat(date + "+00:00").timestamp()
    return whole + float("0." + frac)


if __name__ == "__main__":
    main()
