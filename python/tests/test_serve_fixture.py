"""The `wf_serve` fixture: the seeds' callback flow (examples/callbacks/callback_basic)
against `wf serve`, as a client of GCW's REST API would run it."""

import json
import time
import urllib.error
import urllib.request

import pytest

from conftest import MISSING

pytest.importorskip("wfkit", reason=MISSING)


def call(method, url, body=None, headers=None):
    """One HTTP request: the status and the parsed JSON body (or the text)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def wait_for(what, check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.wf_serve(dir="examples/callbacks")
def test_the_seeds_callback_flow(wf_serve):
    assert wf_serve.url.startswith("http://127.0.0.1:") and not wf_serve.url.endswith(":0")
    status, workflow = call("GET", wf_serve.api("workflows/callback_basic"))
    assert status == 200, workflow

    status, execution = call("POST", wf_serve.api("workflows/callback_basic/executions"), {})
    assert status == 200 and execution["state"] == "ACTIVE", execution
    name = execution["name"]

    # The workflow logs its endpoint's URL; a client reads it from the logs route.
    def logged_url():
        status, body = call("GET", f"{wf_serve.url}/v1/{name}/logs")
        for entry in (body or {}).get("entries", []) if status == 200 else []:
            text = entry.get("textPayload", "")
            if text.startswith("Listening for callbacks on "):
                return text[len("Listening for callbacks on ") :]
        return None

    url = wait_for("the logged callback URL", logged_url)
    # GCW's endpoint URLs name the project by number.
    assert url.startswith(wf_serve.url + "/v1/projects/"), url
    assert "/locations/us-central1/workflows/callback_basic/executions/" in url and "/callbacks/" in url, url
    assert "Listening for callbacks on" in wf_serve.log_text()

    status, _ = call("GET", url + "?order=42")
    assert status == 401, "no token"
    status, _ = call("GET", url + "?order=42", headers={"Authorization": "Bearer wrong"})
    assert status == 403, "another token"
    status, _ = call("GET", url + "?order=42", headers={"Authorization": f"Bearer {wf_serve.token}"})
    assert status == 200

    def finished():
        status, body = call("GET", f"{wf_serve.url}/v1/{name}")
        return body if status == 200 and body.get("state") != "ACTIVE" else None

    done = wait_for("the execution to end", finished)
    assert done["state"] == "SUCCEEDED", done
    result = json.loads(done["result"])
    assert result["method"] == "GET"
    assert result["query"] == {"order": "42"}


def test_without_a_marker_the_service_starts_empty(wf_serve):
    status, body = call("GET", wf_serve.api("workflows"))
    assert status == 200
    assert not (body or {}).get("workflows")
    assert len(wf_serve.token) == 32
