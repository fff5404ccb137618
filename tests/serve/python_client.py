"""Drives `wf serve` with Google's REST client for Python (google-api-python-client, discovery)
as a test suite would: deploy with the Workflows API, run executions, list, get, cancel, and
read the callbacks of a waiting execution. Usage: python_client.py BASE_URL (http://127.0.0.1:PORT)."""

import json
import sys
import time
import urllib.request

from google.auth.credentials import AnonymousCredentials
from googleapiclient.discovery import build

base = sys.argv[1]
opts = {"api_endpoint": base}
workflows = build("workflows", "v1", credentials=AnonymousCredentials(), static_discovery=True, client_options=opts)
runs = build("workflowexecutions", "v1", credentials=AnonymousCredentials(), static_discovery=True, client_options=opts)
parent = "projects/p/locations/us-central1"

def deploy(wid, path):
    with open(path) as f:
        source = f.read()
    op = workflows.projects().locations().workflows().create(
        parent=parent, workflowId=wid, body={"sourceContents": source}).execute()
    assert op["done"] is True, op
    assert op["response"]["@type"].endswith("google.cloud.workflows.v1.Workflow"), op
    got = workflows.projects().locations().workflows().get(name=f"{parent}/workflows/{wid}").execute()
    assert got["revisionId"].startswith("000001-"), got

def wait(name):
    ex = runs.projects().locations().workflows().executions()
    for _ in range(400):
        e = ex.get(name=name).execute()
        if e["state"] != "ACTIVE":
            return e
        time.sleep(0.05)
    raise AssertionError("the execution did not end")

deploy("fizz", "examples/fizzbuzz.workflows.yaml")
ex = runs.projects().locations().workflows().executions()
e = ex.create(parent=f"{parent}/workflows/fizz", body={"argument": json.dumps({"n": 3})}).execute()
done = wait(e["name"])
assert done["state"] == "SUCCEEDED" and json.loads(done["result"]) == ["1", "2", "Fizz"], done

deploy("cb", "examples/callbacks/callback_basic.workflows.yaml")
waiting = ex.create(parent=f"{parent}/workflows/cb", body={}).execute()
cancelled = ex.create(parent=f"{parent}/workflows/cb", body={}).execute()
callbacks = ex.callbacks().list(parent=waiting["name"]).execute()["callbacks"]
assert callbacks and callbacks[0]["method"] == "GET", callbacks
page = ex.list(parent=f"{parent}/workflows/cb", pageSize=1).execute()
assert len(page["executions"]) == 1 and "nextPageToken" in page, page
ex.cancel(name=cancelled["name"], body={}).execute()
assert ex.get(name=cancelled["name"]).execute()["state"] == "CANCELLED"

logs = json.load(urllib.request.urlopen(f"{base}/v1/{waiting['name']}/logs"))
url = logs["entries"][0]["textPayload"].split("Listening for callbacks on ")[1]
req = urllib.request.Request(url + "?k=v", headers={"Authorization": "Bearer tok"})
assert urllib.request.urlopen(req).status == 200
done = wait(waiting["name"])
assert done["state"] == "SUCCEEDED" and json.loads(done["result"])["query"] == {"k": "v"}, done
print("python client: ok")
