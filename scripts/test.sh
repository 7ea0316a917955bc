#!/usr/bin/env bash
# `npm test`: installs what the tests need (npm packages, the pinned Python tools in .venv,
# LocalStack with the cloud's Node.js and, when run as root on Debian, the reference tools seqkit,
# miller and the AWS CLI), then runs the type check, the linters and every test suite, the
# end-to-end suite on both Docker-less targets. E2E_TARGET picks a single end-to-end target.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh local scan localstack
bash scripts/setup-tools.sh

echo "== type check and lint"
npx tsc --noEmit -p tsconfig.json
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

echo "== LocalStack plugin (Python unit tests)"
.venv/localstack/bin/python -m unittest discover -s local/localstack/plugin/tests -t local/localstack/plugin

echo "== tests (unit, integration, infra, e2e:${E2E_TARGET:-local})"
npx vitest run "$@"

# With no target or arguments given, the end-to-end suite runs on LocalStack too: the stack
# deployed from its template, as `cdk deploy` sends it.
if [[ -z ${E2E_TARGET:-} && $# -eq 0 ]]; then
  echo "== end-to-end on LocalStack (host mode, stack deployed by cdklocal)"
  E2E_TARGET=localstack npx vitest run --project e2e
fi
