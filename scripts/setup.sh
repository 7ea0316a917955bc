#!/usr/bin/env bash
# Installs what the project's commands need, once: the npm packages (from the lock file) and the
# pinned Python tools in .venv. Every `npm run` entry point that needs them calls this first;
# arguments name the Python environments wanted (`local` for the emulator; default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-python.sh "$@"
