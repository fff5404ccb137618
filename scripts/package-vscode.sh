#!/usr/bin/env bash
# Builds the VS Code extension and packages it as editors/vscode/wfkit.vsix, with the exact
# dependency versions of package-lock.json. Needs Node.js 20 or newer and the npm registry;
# VS Code itself is not needed.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"

node --version
npm ci --no-audit --no-fund
npm test
npm run package
ls -l wfkit.vsix
