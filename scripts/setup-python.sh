#!/usr/bin/env bash
# Creates the project-local Python environment (.venv) with the pinned tools the local cloud and
# the security checks use. Python 3 is the only prerequisite. Safe to run again: it only installs
# when local/requirements.txt changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "error: python3 is required (https://www.python.org/downloads/)" >&2; exit 1; }

stamp=.venv/.requirements.sha256
want=$(sha256sum local/requirements.txt | cut -d' ' -f1)
if [[ -x .venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  exit 0
fi

echo "setting up .venv (pinned tools from local/requirements.txt)…" >&2
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r local/requirements.txt
echo "$want" >"$stamp"
