#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into OUT/TARGET/ (scripts/fuzz.sh calls it).

Seeds are built at run time from the repository's tests/ and examples/ and from the corpus of
real workflows in ../shared/corpus when it is there; nothing of the corpus is copied into the
repository. One file per seed, named by its SHA-1, so that running it twice changes nothing.

Usage: fuzz/seeds.py REPO_ROOT OUT_DIR
"""

import hashlib
import json
import re
import sys
from pathlib import Path

WORKFLOW_SUFFIXES = (".yaml", ".yml", ".json")


def workflow_files(root):
    """Every YAML/JSON file under tests/, examples/ and ../shared/corpus (sorted)."""
    dirs = [root / "tests", root / "examples", root.parent / "shared" / "corpus"]
    files = []
    for d in dirs:
        if d.is_dir():
            files += [p for p in d.rglob("*") if p.is_file() and p.suffix in WORKFLOW_SUFFIXES]
    return sorted(files)


def read(path):
    try:
        return path.read_bytes()
    except OSError:
        return None


def expressions(text):
    """The bodies of the `${...}` in `text`, matching braces outside string literals."""
    out = []
    i = 0
    while True:
        i = text.find("${", i)
        if i < 0:
            return out
        depth, j, quote = 1, i + 2, None
        while j < len(text) and depth:
            c = text[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            j += 1
        if depth == 0:
            out.append(text[i + 2 : j - 1])
        i = j


def frame(message):
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def lsp_session(text, line, character, mode):
    """The bytes of an `lsp` input: the mode byte, then a session on one document."""
    uri = "file:///fuzz/w.workflows.yaml"
    doc = {"uri": uri}
    pos = {"line": line, "character": character}
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": line + 1, "character": 0}}
    msgs = [
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        },
    ]
    requests = [
        ("textDocument/hover", {"textDocument": doc, "position": pos}),
        ("textDocument/completion", {"textDocument": doc, "position": pos}),
        ("textDocument/definition", {"textDocument": doc, "position": pos}),
        ("textDocument/references", {"textDocument": doc, "position": pos, "context": {"includeDeclaration": True}}),
        ("textDocument/prepareRename", {"textDocument": doc, "position": pos}),
        ("textDocument/rename", {"textDocument": doc, "position": pos, "newName": "renamed"}),
        ("textDocument/signatureHelp", {"textDocument": doc, "position": pos}),
        ("textDocument/documentSymbol", {"textDocument": doc}),
        ("textDocument/semanticTokens/full", {"textDocument": doc}),
        ("textDocument/codeAction", {"textDocument": doc, "range": whole, "context": {"diagnostics": []}}),
        ("textDocument/inlayHint", {"textDocument": doc, "range": whole}),
        ("workspace/symbol", {"query": "a"}),
    ]
    for n, (method, params) in enumerate(requests, 1):
        msgs.append({"jsonrpc": "2.0", "id": n, "method": method, "params": params})
    change = {"range": {"start": pos, "end": pos}, "text": "x"}
    msgs.append(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
        }
    )
    msgs.append({"jsonrpc": "2.0", "id": 99, "method": "textDocument/completion", "params": {"textDocument": doc, "position": pos}})
    return bytes([mode]) + b"".join(frame(m) for m in msgs)


def cursor(text):
    """Where to ask: the `$0` marker of an LSP fixture (removed), else inside the first `${`."""
    at = text.find("$0")
    if at >= 0:
        text = text[:at] + text[at + 2 :]
    else:
        at = text.find("${")
        at = at + 2 if at >= 0 else 0
    before = text[:at]
    line = before.count("\n")
    character = len(before) - (before.rfind("\n") + 1)
    return text, line, character


def main():
    root, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    seeds = {
        t: set()
        for t in ["yaml_load", "expr_roundtrip", "check_compile", "run_vm", "scenario", "lsp", "serve_http", "serve_wire", "stdlib"]
    }
    files = workflow_files(root)
    for path in files:
        data = read(path)
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        if path.name.endswith(".scenario.yaml"):
            seeds["scenario"].add(data)
            m = re.search(r"^workflow:\s*(\S+)", text, re.M)
            wf = read((path.parent / m.group(1).strip("'\""))) if m else None
            if wf is not None:
                seeds["scenario"].add(data + b"\n%%%%\n" + wf)
            continue
        for t in ["yaml_load", "check_compile", "run_vm"]:
            seeds[t].add(data)
        for e in expressions(text):
            seeds["expr_roundtrip"].add(e.encode())
        if len(data) <= 8192 and (len(seeds["lsp"]) < 120 or "/lsp/" in str(path)):
            body, line, character = cursor(text)
            seeds["lsp"].add(lsp_session(body, line, character, len(seeds["lsp"]) % 4))
    json_values = [d for d in seeds["yaml_load"] if d.lstrip()[:1] in (b"{", b"[")][:40]
    for path in [
        "/v1/projects/p/locations/l/workflows",
        "/v1/projects/p/locations/l/workflows/w",
        "/v1/projects/p/locations/l/operations/op",
        "/v1/projects/p/locations/l/workflows/w/executions",
        "/v1/projects/p/locations/l/workflows/w/executions/e",
        "/v1/projects/p/locations/l/workflows/w/executions/e:cancel",
        "/v1/projects/p/locations/l/workflows/w/executions/e/callbacks",
        "/v1/projects/p/locations/l/workflows/w/executions/e/callbacks/c1_c2",
        "/v1/projects/p/locations/l/workflows/w/executions/e/logs",
        "/v1/projects/p/locations/l/workflows/w/executions/e/stepEntries/1",
    ]:
        for query in ["", "a=1&b=%20c+d&a=2", "k|v\nx%zz=%41%4", "=&&x="]:
            seeds["serve_http"].add(f"{path}\n{query}\n".encode())
    seeds["serve_http"].add(b'e\n\n{"$bytes":"AAE=","x":[1,1.0,-0.0,1e300,{"$map":{"$a":null}}]}')
    seeds["serve_http"].update(b"x\n\n" + d for d in json_values)
    # stdlib: a function index, then per argument a presence byte and a kind (see the target):
    # long texts of one unit (kind 5, size byte 255 = 256 KiB), short texts, patterns, layouts.
    for f in range(64):
        long_a = bytes([1, 5, 1]) + b"a" + bytes([255])
        pattern = bytes([1, 11, 3])
        layout = bytes([1, 10, 255, 2])
        seeds["stdlib"].add(bytes([f]) + long_a + bytes([1, 4, 1]) + b"a" + long_a)
        seeds["stdlib"].add(bytes([f]) + long_a + pattern + long_a)
        seeds["stdlib"].add(bytes([f]) + bytes([1, 8, 3, 9, 4, 2]) + layout)
    # serve_wire: raw requests with the headers and bodies the guard and hyper judge.
    api = "/v1/projects/p/locations/l/workflows"
    for host in ["127.0.0.1:PORT", "localhost:PORT", "evil.example:PORT", "[::1]:PORT", ""]:
        for extra in ["", "Origin: http://localhost:PORT\r\n", "Origin: https://evil.example\r\n", "Origin: null\r\n"]:
            for body, ctype in [("", ""), ('{"sourceContents": "main: {}"}', "application/json"), ("a=b", "text/plain")]:
                head = f"POST {api}?workflowId=w HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host else "") + extra
                if ctype:
                    head += f"Content-Type: {ctype}\r\n"
                seeds["serve_wire"].add((head + f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
    for chunked in ["4\r\n{}{}\r\n0\r\n\r\n", "zz\r\n{}\r\n0\r\n\r\n", "ffffffffffffffff\r\n"]:
        seeds["serve_wire"].add(
            f"POST {api}?workflowId=w HTTP/1.1\r\nHost: localhost:PORT\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}".encode()
        )
    seeds["serve_wire"].add(
        f"GET {api} HTTP/1.1\r\nHost: localhost:PORT\r\n\r\nGET {api} HTTP/1.1\r\nHost: evil:1\r\n\r\n".encode()
    )
    for target, items in seeds.items():
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        for item in items:
            (d / hashlib.sha1(item).hexdigest()).write_bytes(item)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
