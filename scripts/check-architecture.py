#!/usr/bin/env python3
"""Checks the mechanical invariants of ARCHITECTURE.md, for CI:

1. Crate dependencies go one way: syntax <- check <- vm <- runtime <- {test, server} <- cli,
   and check <- lsp <- cli (from `cargo metadata`).
2. tokio, hyper and SQLite never reach wf-syntax, wf-check, wf-vm or wf-runtime (their whole
   dependency trees).
3. LSP types (`lsp_types`) appear only in crates/wf-lsp/src/proto.rs; the YAML library
   (saphyr) only under crates/wf-syntax/src/yaml/; the lexer library (logos) only in
   crates/wf-syntax/src/expr/lexer.rs.

Usage: scripts/check-architecture.py [--extra-edge FROM:TO]   (the option pretends FROM
depends on TO, to show that a wrong edge fails). Exit 1 on any violation."""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What each crate may depend on (directly), following the direction above.
ALLOWED = {
    "wf-syntax": set(),
    "wf-check": {"wf-syntax"},
    "wf-vm": {"wf-syntax", "wf-check"},
    "wf-runtime": {"wf-syntax", "wf-check", "wf-vm"},
    "wf-test": {"wf-syntax", "wf-check", "wf-vm", "wf-runtime"},
    "wf-server": {"wf-syntax", "wf-check", "wf-vm", "wf-runtime"},
    "wf-lsp": {"wf-syntax", "wf-check"},
    "wf-cli": {"wf-syntax", "wf-check", "wf-vm", "wf-runtime", "wf-test", "wf-server", "wf-lsp"},
}
NO_IO_STACK = ["wf-syntax", "wf-check", "wf-vm", "wf-runtime"]
IO_STACK = {"tokio", "hyper", "rusqlite", "libsqlite3-sys", "axum", "mio"}
CONFINED = [
    (re.compile(r"\blsp_types\b"), "crates/wf-lsp/src/proto.rs", "LSP types"),
    (re.compile(r"\bsaphyr(_parser)?\b"), "crates/wf-syntax/src/yaml/", "the YAML library"),
    (re.compile(r"\blogos\b"), "crates/wf-syntax/src/expr/lexer.rs", "the lexer library"),
]


def check_edges(edges):
    """Violations among `edges` (crate -> set of workspace crates it depends on)."""
    problems = []
    for crate, deps in sorted(edges.items()):
        allowed = ALLOWED.get(crate)
        if allowed is None:
            problems.append(f"{crate}: not in ARCHITECTURE.md's crate table (add it to scripts/check-architecture.py)")
            continue
        for dep in sorted(deps - allowed):
            problems.append(f"{crate} depends on {dep}: against the dependency direction")
    return problems


def main():
    extra = []
    args = sys.argv[1:]
    while args:
        if args[0] == "--extra-edge" and len(args) > 1:
            extra.append(tuple(args[1].split(":", 1)))
            args = args[2:]
        else:
            sys.exit(f"usage: {sys.argv[0]} [--extra-edge FROM:TO]")
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1"],
                                     cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    members = {p["id"]: p for p in meta["packages"] if p["id"] in meta["workspace_members"]}
    names = {p["name"] for p in members.values()}
    edges = {}
    for p in members.values():
        edges[p["name"]] = {d["name"] for d in p["dependencies"] if d["name"] in names and d["kind"] is None}
    for a, b in extra:
        if b in names:
            edges.setdefault(a, set()).add(b)
    problems = check_edges(edges)

    # Whole trees (normal dependencies only) of the crates that must stay free of IO stacks.
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    by_id = {p["id"]: p["name"] for p in meta["packages"]}
    by_name = {p["name"]: p["id"] for p in members.values()}
    for crate in NO_IO_STACK:
        seen, todo = set(), [by_name[crate]]
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            for dep in nodes[pid]["deps"]:
                if any(k["kind"] is None for k in dep["dep_kinds"]):
                    todo.append(dep["pkg"])
        reached = sorted({by_id[i] for i in seen} & IO_STACK)
        if reached:
            problems.append(f"{crate} pulls in {', '.join(reached)}: servers and databases stay out of it")
        for a, b in extra:
            if a == crate and b in IO_STACK:
                problems.append(f"{crate} pulls in {b}: servers and databases stay out of it")

    for pattern, allowed, what in CONFINED:
        for base, _, files in os.walk(os.path.join(ROOT, "crates")):
            for f in files:
                if not f.endswith(".rs"):
                    continue
                path = os.path.relpath(os.path.join(base, f), ROOT)
                if path.startswith(allowed) or "/tests/" in path or "/benches/" in path:
                    continue
                with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
                    for n, line in enumerate(fh, 1):
                        if pattern.search(line) and not line.lstrip().startswith("//"):
                            problems.append(f"{path}:{n}: uses {what}, which stays in {allowed}")

    for p in problems:
        print("architecture: " + p)
    print(f"architecture: {len(problems)} problems ({len(edges)} crates checked)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
