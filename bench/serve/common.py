"""Shared helpers of the `wf serve` benchmarks: start and kill the server, HTTP on loopback."""

import http.client
import json
import os
import socket
import subprocess
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API = "/v1/projects/p/locations/us-central1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `wf serve` process on 127.0.0.1:PORT with database DB."""

    def __init__(self, wf, db, port, token="tok"):
        self.wf, self.db, self.port, self.token = wf, db, port, token
        self.proc = None

    def start(self):
        log = open(self.db + ".log", "ab")
        self.proc = subprocess.Popen(
            [self.wf, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.db, "--callback-token", self.token],
            stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.01)
        raise SystemExit("wf serve did not start")

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.kill()


def request(port, method, path, body=None, headers=None, timeout=10):
    """One request on a fresh connection: (status, parsed JSON or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        headers = dict(headers or {})
        if data is not None:
            headers.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read().decode()
        try:
            return r.status, json.loads(text) if text else None
        except ValueError:
            return r.status, text
    finally:
        conn.close()


def deploy(port, wid, path):
    with open(os.path.join(ROOT, path)) as f:
        source = f.read()
    status, body = request(port, "POST", f"{API}/workflows?workflowId={wid}", {"sourceContents": source})
    if status != 200:
        raise SystemExit(f"deploy {wid}: {status} {body}")


def callback_path(port, execution):
    """The path of the (first) callback endpoint of `execution`, from its callbacks list."""
    status, body = request(port, "GET", f"/v1/{execution}/callbacks")
    if status != 200 or not body.get("callbacks"):
        return None
    cid = body["callbacks"][0]["name"].rsplit("/", 1)[1]
    return f"/v1/{execution}/callbacks/{cid}"


def path_of(url):
    return urllib.parse.urlsplit(url).path
