#!/usr/bin/env bash
# Makes (once) the virtual environment target/py-tools with the pinned tools of the Python
# package: maturin (builds the wheel), pre-commit (the hook test) and pytest (the plugin
# tests), from python/requirements-dev.txt. Prints the folder of its executables.
# Usage: python-tools-venv.sh [DIR]   (default target/py-tools)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/py-tools}"
pins=python/requirements-dev.txt
stamp="$dir/.pins"
if [ ! -x "$dir/bin/python" ] || ! cmp -s "$pins" "$stamp"; then
  rm -rf "$dir"
  python3 -m venv "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$pins" >&2
  cp "$pins" "$stamp"
fi
echo "$(cd "$dir/bin" && pwd)"
