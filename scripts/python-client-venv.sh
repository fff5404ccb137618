#!/usr/bin/env bash
# Makes (once) a virtual environment with Google's REST client for Python, for the
# `wf serve` client test; prints its python. Usage: python-client-venv.sh DIR
set -euo pipefail
dir="$1"
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c 'import googleapiclient' 2>/dev/null; then
  python3 -m venv "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check 'google-api-python-client>=2.100' >&2
fi
echo "$dir/bin/python"
