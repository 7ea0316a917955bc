#!/usr/bin/env bash
# `npm test`: installs what the tests need (npm packages, the pinned Python tools in .venv and,
# when run as root on Debian, the reference tools seqkit, miller and the AWS CLI), then runs the
# type check, the linters and every test suite. E2E_TARGET picks the end-to-end target (default local).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/setup-tools.sh

echo "== type check and lint"
npx tsc --noEmit -p tsconfig.json
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

echo "== tests (unit, integration, infra, e2e:${E2E_TARGET:-local})"
npx vitest run "$@"
