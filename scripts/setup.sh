#!/usr/bin/env bash
# Installs what the project's commands need, once: the npm packages (from the lock file) and the
# pinned Python tools in .venv. Every `npm run` entry point that needs them calls this first;
# arguments name the Python environments wanted (`local` for the emulator, `scan` for the
# scanners, `report` for MultiQC, `localstack` for LocalStack, which also brings the cloud's
# Node.js; default: local and scan).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
if [[ " $* " == *" localstack "* ]]; then
  # The Node.js the functions declare (nodejs24.x), pinned in its own lock so that it never
  # becomes the `node` of npm scripts.
  node24=local/node24
  if [[ ! -d $node24/node_modules || $node24/package-lock.json -nt $node24/node_modules/.package-lock.json ]]; then
    npm ci --prefix "$node24" --no-audit --no-fund --loglevel=error
  fi
fi
bash scripts/setup-python.sh "$@"
