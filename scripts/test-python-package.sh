#!/usr/bin/env bash
# The Python package end to end, as a user gets it:
# 1. builds the wheel once with maturin (pinned, python/requirements-dev.txt) into
#    target/wheels, from the release profile (the binaries `wf` and `wf-test`), or from the
#    profile WHEEL_PROFILE names (CI uses `dev`, which reuses what `cargo test` compiled;
#    the wheel is the same but for the binaries' optimisation);
# 2. installs it into a fresh virtual environment with a PATH that has no cargo or rustc
#    (checked), so nothing is compiled at install time;
# 3. runs, from that environment and still without Rust on PATH: `wf check examples/`,
#    `wf-test examples/`, pytest with the plugin over examples/, and the package's tests
#    (python/tests: the plugin on passing and failing scenarios, the `wf serve` fixture on
#    the seeds' callback flow);
# 4. runs the pre-commit hooks from this checkout, with `pre-commit try-repo` and with a
#    `.pre-commit-config.yaml` (python/tests/test_pre_commit.py; pre-commit installs the
#    hooks with `pip install .`, which builds with cargo: three builds, dev profile).
# Prints the time of each step. Usage: test-python-package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

step_start=$SECONDS
step() {
  echo "-- $1 (after $((SECONDS - step_start)) s)"
}

step "pinned tools (maturin, pre-commit, pytest)"
tools="$(bash scripts/python-tools-venv.sh)"
"$tools/maturin" --version

profile="${WHEEL_PROFILE:-release}"
step "maturin build --profile $profile"
rm -rf target/wheels
build_start=$SECONDS
"$tools/maturin" build --profile "$profile" --locked --out target/wheels
echo "wheel built in $((SECONDS - build_start)) s"
wheels=(target/wheels/wfkit-*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "error: expected one wheel in target/wheels, found: ${wheels[*]}" >&2
  exit 1
fi
wheel="${wheels[0]}"
echo "wheel: $wheel"
# Both binaries and the Python package are in it.
"$tools/python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for wanted in ("/scripts/wf", "/scripts/wf-test", "wfkit/__init__.py", "wfkit/pytest_plugin.py", "wfkit/serve.py", "/entry_points.txt"):
    assert any(n.endswith(wanted) for n in names), f"{wanted} is not in the wheel: {names}"
print("the wheel has wf, wf-test, the wfkit package and its pytest11 entry point")
PY

# PATH without any folder that holds cargo or rustc (~/.cargo/bin, a system toolchain).
no_rust_path=""
IFS=: read -r -a entries <<<"$PATH"
for d in "${entries[@]}"; do
  if [ -n "$d" ] && [ ! -x "$d/cargo" ] && [ ! -x "$d/rustc" ]; then
    no_rust_path="$no_rust_path${no_rust_path:+:}$d"
  fi
done
if PATH="$no_rust_path" command -v cargo >/dev/null 2>&1 || PATH="$no_rust_path" command -v rustc >/dev/null 2>&1; then
  echo "error: cargo or rustc is still on the PATH meant to be without Rust" >&2
  exit 1
fi

step "install the wheel into a fresh venv, without Rust on PATH"
venv="$root/target/py-wheel-venv"
rm -rf "$venv"
python3 -m venv "$venv"
PATH="$no_rust_path" bash -c '
  set -euo pipefail
  if command -v cargo; then echo "error: cargo found" >&2; exit 1; fi
  echo "cargo: not found on this PATH"
  "$1/bin/pip" install --quiet --disable-pip-version-check --no-index "$2"
  "$1/bin/pip" install --quiet --disable-pip-version-check "$(grep "^pytest==" python/requirements-dev.txt)"
' _ "$venv" "$wheel"
run_path="$venv/bin:$no_rust_path"

step "wf check examples/ and wf-test examples/ from the wheel"
PATH="$run_path" bash -c '
  set -euo pipefail
  test "$(command -v wf)" = "$1/bin/wf"
  wf --version
  wf check examples/
  wf-test examples/
' _ "$venv"

step "pytest with the plugin over examples/"
PATH="$run_path" WFKIT_BIN_DIR="" "$venv/bin/python" -m pytest -p no:cacheprovider examples/

step "the package's tests: the plugin on passing and failing scenarios, the wf serve fixture"
PATH="$run_path" WFKIT_BIN_DIR="" "$venv/bin/python" -m pytest -p no:cacheprovider -v \
  python/tests/test_plugin.py python/tests/test_serve_fixture.py

step "pre-commit try-repo: the wf-check and wf-test hooks"
WFKIT_PRE_COMMIT="$tools/pre-commit" "$venv/bin/python" -m pytest -p no:cacheprovider -v --durations=0 \
  python/tests/test_pre_commit.py

step "done"
