#!/usr/bin/env bash
# Installs what the tests use beyond the Rust toolchain:
# - Neovim, for the headless language-server test (`cargo test -p wf-lsp --test nvim`).
#   Debian's package is Neovim 0.7.2; the test and editors/nvim work with it.
# - Microsoft's SARIF validator (npm `@microsoft/sarif-multitool`) into target/test-tools,
#   for the test that validates `wf check --format sarif`.
# - PyYAML, in a virtual environment target/test-tools/pyyaml-venv (Debian's pip refuses
#   system installs), for the loader's agreement test (`cargo test -p wf-cli --test pyyaml`).
# Tests that need a missing tool say SKIPPED, and fail when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v nvim >/dev/null 2>&1; then
  echo "nvim already installed: $(nvim --version | head -n 1)"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update
  $sudo apt-get install -y neovim
  nvim --version | head -n 1
fi

tools=target/test-tools
if [ -x "$tools/node_modules/.bin/sarif-multitool" ]; then
  echo "sarif-multitool already installed"
else
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool@5)
  echo "sarif-multitool installed in $tools"
fi

venv="$tools/pyyaml-venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import yaml' 2>/dev/null; then
  echo "PyYAML already installed: $("$venv/bin/python" -c 'import yaml; print(yaml.__version__)')"
else
  mkdir -p "$tools"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv (ensurepip) separately from python3.
    rm -rf "$venv"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      sudo="sudo"
    fi
    $sudo apt-get update
    $sudo apt-get install -y python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'PyYAML>=6'
  echo "PyYAML $("$venv/bin/python" -c 'import yaml; print(yaml.__version__)') installed in $venv"
fi
