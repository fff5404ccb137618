#!/usr/bin/env bash
# Installs what the editor tests use beyond the Rust toolchain: Neovim, for the headless
# language-server test (`cargo test -p wf-lsp --test nvim`, which is skipped without it).
# Debian's package is Neovim 0.7.2; the test and editors/nvim work with it.
set -euo pipefail

if command -v nvim >/dev/null 2>&1; then
  echo "nvim already installed: $(nvim --version | head -n 1)"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update
$sudo apt-get install -y neovim
nvim --version | head -n 1
