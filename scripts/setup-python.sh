#!/usr/bin/env bash
# Creates the project-local Python environments with pinned tools. Python 3 is the only
# prerequisite (3.13 for LocalStack). Safe to run again: an environment is only (re)installed when
# its lock file changed since its last install.
#
#   .venv             local/requirements.lock             the local cloud's AWS API emulator (moto)
#   .venv/scan        local/requirements-scan.lock        the template scanners (cfn-lint, checkov)
#   .venv/report      local/requirements-report.lock      MultiQC, for the test that reads our
#                                                         seqkit-format tables with it
#   .venv/localstack  local/localstack/requirements.lock  LocalStack in host mode, on CPython 3.13,
#                     + local/localstack/plugin/          with the project's LocalStack plugin
#   .venv/uv          local/requirements-uv.lock          the installer of the others (uv)
#
# Each lock pins every package, transitive ones included, with the hashes of its files, and is
# installed with --require-hashes. It is made from the requirements file beside it (the
# top-level packages) by pip-compile, with the Python the environment runs on:
#   pip-compile --generate-hashes --allow-unsafe --strip-extras --no-emit-find-links \
#     --output-file local/requirements.lock local/requirements.txt
#
# The environments are installed by uv (.venv/uv, local/requirements-uv.lock, itself installed by
# pip): the four take 23-29 s where pip took five minutes, most of a CI run's set-up. Unlike pip,
# uv does not compile bytecode at install (that took 50 s more); Python writes what it
# imports at first use, and the scanners' start measured the same either way.
#
# The scanners get their own environment because checkov pins boto3/botocore 1.35 while moto
# runs on current ones; it sits inside .venv so git, eslint and prettier ignore it like the rest.
#
# Usage: setup-python.sh [local|scan|report|localstack]... (default: local and scan)
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "error: python3 is required (https://www.python.org/downloads/)" >&2; exit 1; }

# install VENV_DIR PYTHON LOCK_FILE: the locked packages into VENV_DIR, created with PYTHON, unless
# neither changed since the last install.
install() {
  local venv=$1 base=$2 lock=$3
  local stamp=$venv/.requirements.sha256 want
  want=$( (cat "$lock"; "$base" --version) | sha256sum | cut -d' ' -f1)
  if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return 0
  fi
  echo "setting up $venv (pinned tools from $lock)…" >&2
  [[ -x $venv/bin/python ]] || "$base" -m venv --without-pip "$venv"
  local uv
  uv=$(uv_bin)
  "$uv" pip install --quiet --python "$venv/bin/python" --require-hashes -r "$lock"
  echo "$want" >"$stamp"
}

# The pinned uv, installed by pip into .venv/uv the first time it is needed; prints its path.
uv_bin() {
  local venv=.venv/uv lock=local/requirements-uv.lock
  local stamp=$venv/.requirements.sha256 want
  want=$( (cat "$lock"; "$python" --version) | sha256sum | cut -d' ' -f1)
  if [[ ! -x $venv/bin/uv || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock" >&2
    echo "$want" >"$stamp"
  fi
  echo "$venv/bin/uv"
}

# A CPython 3.13 or later for LocalStack: $PYTHON313, python3.13 on PATH, or pyenv's newest 3.13.
python313() {
  local candidate
  for candidate in "${PYTHON313:-}" python3.13 "$(pyenv prefix "$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13\.[0-9]+$' | sort -V | tail -1)" 2>/dev/null)/bin/python3.13"; do
    [[ -n $candidate ]] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  cat >&2 <<'MSG'
error: LocalStack 4.14 needs CPython 3.13 or later, and none was found.
  Install one (pyenv install 3.13, or your system's python3.13 package, or python.org) and run
  again, or point PYTHON313 at its interpreter.
MSG
  return 1
}

# The project's LocalStack plugin (local/localstack/plugin), reinstalled whenever a file of it changes.
install_plugin() {
  local venv=$1 plugin=local/localstack/plugin
  local stamp=$venv/.plugin.sha256 want
  want=$(find "$plugin" -type f \( -name '*.py' -o -name '*.toml' \) -not -path '*/build/*' | sort | xargs cat | sha256sum | cut -d' ' -f1)
  [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return 0
  local uv
  uv=$(uv_bin)
  "$uv" pip install --quiet --python "$venv/bin/python" --no-deps --reinstall "./$plugin"
  rm -rf "$plugin/build" "$plugin"/*.egg-info
  echo "$want" >"$stamp"
}

targets=("$@")
((${#targets[@]})) || targets=(local scan)
for name in "${targets[@]}"; do
  case $name in
    local) install .venv "$python" local/requirements.lock ;;
    scan) install .venv/scan "$python" local/requirements-scan.lock ;;
    report) install .venv/report "$python" local/requirements-report.lock ;;
    localstack)
      install .venv/localstack "$(python313)" local/localstack/requirements.lock
      install_plugin .venv/localstack
      ;;
    *) echo "error: unknown environment '$name' (expected local, scan, report or localstack)" >&2; exit 2 ;;
  esac
done
