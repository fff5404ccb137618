#!/usr/bin/env python3
"""Load benchmark of `wf serve` (durability on: every answer is committed and synced first).

1. EXECUTIONS executions of a callback workflow are created by CLIENTS concurrent clients, so
   that all of them wait at once; then each gets its callback, sent concurrently. Reported:
   executions per second end to end (create + callback + finish), and the callback -> resume
   latency (a callback is answered only once the execution has resumed and its batch is
   committed), p50 and p99. Checked: every execution SUCCEEDED with its own request, 0 lost,
   0 duplicated.
2. In the same run, the callback-free `trivial` workload created and run over HTTP, against
   wfkit and against the Python peer's `serve` (PyPI workflows-emulator, which has no
   callbacks), with the same clients.

Usage: bench/serve/load.py [--wf target/release/wf] [--executions 1000] [--clients 32]
       [--seconds 5] [--no-peer]"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import API, ROOT, Server, deploy, free_port  # noqa: E402


class Client:
    """A keep-alive HTTP connection."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        headers = dict(headers or {})
        if data is not None:
            headers.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                text = r.read()
                try:
                    return r.status, (json.loads(text) if text else None)
                except ValueError:
                    return r.status, text
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise


def callbacks(wf, n, nclients):
    """The callback flow, driven by the Rust client (`crates/wf-server/examples/load.rs`), so that
    the client is not what is measured."""
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "wf-server", "--example", "load"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="wf-serve-load-")
    server = Server(wf, os.path.join(tmp, "serve.db"), free_port())
    server.start()
    try:
        deploy(server.port, "cb", "examples/callbacks/callback_basic.workflows.yaml")
        out = subprocess.run([os.path.join(ROOT, "target/release/examples/load"), str(server.port), str(n),
                              str(nclients), server.token], check=True, capture_output=True, text=True).stdout
        return json.loads(out)
    finally:
        server.stop()


def run_rate(port, path, body, nclients, seconds, accept):
    clients = [Client(port) for _ in range(nclients)]
    count = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(c):
        while time.perf_counter() < stop:
            status, out = c.call("POST", path, body)
            assert accept(status, out), (status, out)
            with lock:
                count[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / (time.perf_counter() - start)


def trivial_wfkit(wf, nclients, seconds):
    tmp = tempfile.mkdtemp(prefix="wf-serve-trivial-")
    server = Server(wf, os.path.join(tmp, "serve.db"), free_port())
    server.start()
    try:
        deploy(server.port, "trivial", "bench/workloads/trivial.workflows.yaml")
        return run_rate(server.port, f"{API}/workflows/trivial/executions", {"argument": '{"n": 1}'}, nclients,
                        seconds, lambda s, o: s == 200 and o["state"] == "SUCCEEDED")
    finally:
        server.stop()


def trivial_peer(nclients, seconds):
    venv = os.path.join(ROOT, "bench/.venv/bin/workflows-emulator")
    if not os.path.exists(venv):
        subprocess.run(["bash", "-c", "source bench/peer_venv.sh && ensure_peer"], cwd=ROOT, check=True)
    port = free_port()
    work = tempfile.mkdtemp(prefix="peer-serve-")
    proc = subprocess.Popen([venv, "--loglevel", "CRITICAL", "--source",
                             os.path.join(ROOT, "bench/workloads/trivial.workflows.yaml"), "serve", "--port", str(port)],
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        # The peer's `serve` takes the parameters by name: `{"args": ...}` for `params: [args]`.
        body = {"argument": '{"args": {"n": 1}}'}
        while time.time() < deadline:
            try:
                Client(port).call("POST", f"{API}/workflows/trivial/executions", body)
                break
            except OSError:
                time.sleep(0.2)
        return run_rate(port, f"{API}/workflows/trivial/executions", body, nclients, seconds,
                        lambda s, o: s == 200 and o == 1)
    finally:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wf", default=os.path.join(ROOT, "target/release/wf"))
    ap.add_argument("--executions", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--no-peer", action="store_true")
    a = ap.parse_args()
    r = callbacks(a.wf, a.executions, a.clients)
    print(f"callback flow: {r['executions']} executions, {r['clients']} clients")
    print(f"  create {r['create_per_s']:.0f}/s, callbacks {r['callbacks_per_s']:.0f}/s, "
          f"end to end {r['end_to_end_per_s']:.0f} executions/s")
    print(f"  callback -> resume latency p50 {r['callback_p50_ms']:.2f} ms, p99 {r['callback_p99_ms']:.2f} ms")
    print(f"  answered 200: {r['answered_200']}, succeeded with their own request: "
          f"{r['succeeded_with_own_request']}, lost or wrong: {r['lost_or_wrong']}")
    wf_rate = trivial_wfkit(a.wf, a.clients, a.seconds)
    print(f"trivial workload over HTTP: wfkit {wf_rate:.0f} executions/s")
    if not a.no_peer:
        peer = trivial_peer(a.clients, a.seconds)
        print(f"trivial workload over HTTP: peer {peer:.0f} executions/s; wfkit / peer = {wf_rate / peer:.1f}")
    ok = r["lost_or_wrong"] == 0 and r["answered_200"] == r["executions"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
