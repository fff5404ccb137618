"""Runs one workflow in the peer (PyPI workflows-emulator) and prints one JSON line.

Usage: peer_run.py FILE [ARGS_JSON]

Output: {"result": VALUE} when the workflow returns, {"error": VALUE} when it fails with a
workflow error (the peer's WorkflowError payload: a raised string or a map), or
{"crash": "PythonError: message"} when the peer itself fails (an exception it does not
turn into a workflow error, so no `except` could have caught it), or {"rejected": ...}
when it refuses to load the file. Used by bench/diff/diff.py, one process per program
(a failing `assign` leaves the peer's global lock held, so programs must not share a
process).
"""

import json
import logging
import sys


def plain(value):
    """The peer's values as JSON-able Python: its maps are addict dicts; anything else
    that JSON has no word for is shown as {"__python__": repr}."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"__python__": repr(value)}


def main():
    logging.disable(logging.CRITICAL)
    sys.setrecursionlimit(10_000)
    path = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None

    from workflows_emulator.main import execute_workflow, load_workflow
    from workflows_emulator.utils import WorkflowError

    try:
        config = load_workflow(path)
    except Exception as err:  # the schema check or YAML loading
        print(json.dumps({"rejected": "%s: %s" % (type(err).__name__, str(err).splitlines()[0] if str(err) else "")}))
        return
    params = {}
    if args is not None and isinstance(config, dict):
        names = config.get("main", {}).get("params") or []
        if names:
            params = {names[0]: args}
    try:
        result = execute_workflow(config, params)
        out = {"result": plain(result)}
    except WorkflowError as err:
        out = {"error": plain(err.payload)}
    except BaseException as err:  # noqa: BLE001 - any other failure is the peer's own
        out = {"crash": "%s: %s" % (type(err).__name__, err)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
