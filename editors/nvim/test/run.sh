#!/usr/bin/env bash
# Runs Neovim headless with editors/nvim, on a copy of test/workflow.yaml, against the
# language server given as arguments (e.g. `target/debug/wf-lsp`, or `wf lsp`); prints
# what Neovim saw. Exit status 0 when a diagnostic arrived.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$#" -eq 0 ]; then
  echo "usage: $0 SERVER [ARGS...]" >&2
  exit 2
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$here/workflow.yaml" "$tmp/flow.workflows.yaml"
status=0
WFKIT_SERVER="$*" WFKIT_FILE="$tmp/flow.workflows.yaml" WFKIT_RESULT="$tmp/result.txt" \
  timeout 60 nvim --headless -u NONE -i NONE -n \
    --cmd "set runtimepath^=$here/.." \
    -c "luafile $here/diagnostic.lua" || status=$?
cat "$tmp/result.txt" 2>/dev/null || echo "no result written"
exit "$status"
