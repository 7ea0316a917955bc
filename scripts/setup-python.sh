#!/usr/bin/env bash
# Creates the project-local Python environments with pinned tools. Python 3 is the only
# prerequisite. Safe to run again: an environment is only (re)installed when its requirements
# file changed since its last install.
#
#   .venv       local/requirements.txt       the local cloud's AWS API emulator (moto)
#   .venv/scan  local/requirements-scan.txt  the template scanners (cfn-lint, checkov)
#
# The scanners get their own environment because checkov pins boto3/botocore 1.35 while moto
# runs on current ones; it sits inside .venv so git, eslint and prettier ignore it like the rest.
#
# Usage: setup-python.sh [local|scan]... (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "error: python3 is required (https://www.python.org/downloads/)" >&2; exit 1; }

# install VENV_DIR REQUIREMENTS_FILE
install() {
  local venv=$1 requirements=$2
  local stamp=$venv/.requirements.sha256 want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return 0
  fi
  echo "setting up $venv (pinned tools from $requirements)…" >&2
  [[ -x $venv/bin/python ]] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" >"$stamp"
}

targets=("$@")
((${#targets[@]})) || targets=(local scan)
for name in "${targets[@]}"; do
  case $name in
    local) install .venv local/requirements.txt ;;
    scan) install .venv/scan local/requirements-scan.txt ;;
    *) echo "error: unknown environment '$name' (expected local or scan)" >&2; exit 2 ;;
  esac
done
