#!/usr/bin/env bash
# `npm run scan`: synthesizes the stack and scans its templates with cfn-lint and checkov, both
# pinned in .venv/scan (local/requirements-scan.lock, installed by scripts/setup-python.sh).
#
# Four configurations are synthesized: the defaults (sandbox: no NAT, removal policy destroy), a
# production-like one (three AZs, a NAT gateway per AZ, alarm e-mail, reserved dispatcher
# concurrency, removal policy retain), and each of them dual stack (context ipv6). It fails on
#   - any cfn-lint match, informational included (.cfnlintrc lists the ignored rules and why);
#   - any failed checkov check: a check that does not apply is acknowledged on its resource with
#     a reason (Metadata checkov.skip, added by lib/constructs/scanners.ts);
#   - an acknowledgement without a reason, or whose check passes without it (stale).
#
# Usage: scan.sh           synthesize with `cdk synth` into cdk.out/scan/<configuration>, then scan
#        scan.sh DIR...    scan the *.template.json already in each DIR (test/infra does this)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-python.sh scan
bin=.venv/scan/bin
started=$SECONDS

if (($#)); then
  dirs=("$@")
else
  echo "== synth (cdk.out/scan)"
  mkdir -p cdk.out/scan
  # synth NAME CONTEXT...
  synth() {
    local name=$1 out=cdk.out/scan/$1
    shift
    rm -rf "$out"
    if ! npx cdk synth --quiet -o "$out" "$@" >"$out.log" 2>&1; then
      cat "$out.log" >&2
      echo "error: cdk synth ($name) failed" >&2
      exit 1
    fi
    dirs+=("$out")
  }
  dirs=()
  synth default
  synth production -c envName=prod -c azCount=3 -c natMode=perAz -c alarmEmail=ops@example.com \
    -c dispatcherReservedConcurrency=50
  # Distinct envNames: the scan refuses two templates with one file name.
  synth dualstack -c envName=dualstack -c ipv6=true
  synth production-dualstack -c envName=prod-dualstack -c azCount=3 -c natMode=perAz -c ipv6=true \
    -c alarmEmail=ops@example.com -c dispatcherReservedConcurrency=50
fi

shopt -s nullglob
templates=()
for dir in "${dirs[@]}"; do templates+=("$dir"/*.template.json); done
shopt -u nullglob
((${#templates[@]})) || { echo "error: no *.template.json in ${dirs[*]}" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== cfn-lint $("$bin/cfn-lint" --version | cut -d' ' -f2) (${#templates[@]} templates)"
# Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); anything
# else is cfn-lint failing to run. The JSON output is what counts.
lint() {
  local rc=0
  "$bin/cfn-lint" --format json "$@" -- "${templates[@]}" || rc=$?
  ((rc == 0 || (rc & 1) == 0 && rc < 16)) || { echo "error: cfn-lint exited $rc" >&2; exit 1; }
}
lint >"$work/cfn-lint.json"
# The same run with nothing ignored, only to count what .cfnlintrc ignores.
lint --ignore-checks NONE >"$work/cfn-lint-all.json"

echo "== checkov $("$bin/checkov" --version) (${#templates[@]} templates)"
checkov() {
  local out=$1 rc=0
  shift
  "$bin/checkov" --framework cloudformation --skip-download --compact \
    -o json --output-file-path "$out" "$@" >"$out.log" 2>&1 || rc=$?
  # 0: nothing failed, 1: checks failed; anything else (or no report) is checkov failing to run.
  if ((rc > 1)) || [[ ! -s $out/results_json.json ]]; then
    cat "$out.log" >&2
    echo "error: checkov exited $rc" >&2
    exit 1
  fi
}
file_args=()
for template in "${templates[@]}"; do file_args+=(-f "$template"); done
checkov "$work/checkov" "${file_args[@]}"
# The same templates without their acknowledgements, to find acknowledgements nothing needs.
"$bin/python" - "$work/bare" "${templates[@]}" <<'PY'
import json, os, sys
out = sys.argv[1]
os.makedirs(out)
for i, path in enumerate(sys.argv[2:]):
    with open(path) as f:
        template = json.load(f)
    for resource in template.get("Resources", {}).values():
        resource.get("Metadata", {}).pop("checkov", None)
    with open(os.path.join(out, f"{i}-{os.path.basename(path)}"), "w") as f:
        json.dump(template, f, indent=1)
PY
bare_args=()
for template in "$work"/bare/*.template.json; do bare_args+=(-f "$template"); done
checkov "$work/checkov-bare" "${bare_args[@]}"

echo "== results"
"$bin/python" - "$work" "${templates[@]}" <<'PY'
import json, os, sys

work, templates = sys.argv[1], sys.argv[2:]
problems = []
names = [os.path.basename(t) for t in templates]
if len(set(names)) != len(names):
    sys.exit(f"error: two templates share a file name: {templates}")

def load(path):
    with open(path) as f:
        return json.load(f)

# cfn-lint
matches, everything = load(f"{work}/cfn-lint.json"), load(f"{work}/cfn-lint-all.json")
levels = {"Error": 0, "Warning": 0, "Informational": 0}
for m in matches:
    levels[m["Level"]] = levels.get(m["Level"], 0) + 1
    start = m["Location"]["Start"]
    problems.append(f"cfn-lint {m['Rule']['Id']} {m['Filename']}:{start['LineNumber']} {m['Message']}")
ignored = {}
reported = {(m["Filename"], m["Rule"]["Id"], json.dumps(m["Location"])) for m in matches}
for m in everything:
    if (m["Filename"], m["Rule"]["Id"], json.dumps(m["Location"])) not in reported:
        ignored[m["Rule"]["Id"]] = ignored.get(m["Rule"]["Id"], 0) + 1
print(
    f"cfn-lint: {len(templates)} templates, {levels['Error']} errors, {levels['Warning']} warnings, "
    f"{levels['Informational']} informational; skipped (.cfnlintrc): "
    + (", ".join(f"{rule} x{n}" for rule, n in sorted(ignored.items())) or "none")
)

# checkov
report = load(f"{work}/checkov/results_json.json")
summary, results = report["summary"], report["results"]
if summary.get("parsing_errors"):
    problems.append(f"checkov could not parse {summary['parsing_errors']} template(s)")
for c in results.get("failed_checks", []):
    problems.append(f"checkov {c['check_id']} {c['resource']} ({c['check_name']}) {c['file_abs_path']}")
for c in results.get("skipped_checks", []):
    comment = (c.get("check_result") or {}).get("suppress_comment") or ""
    if len(comment.strip()) < 40 or comment == "No comment provided":
        problems.append(f"checkov acknowledgement of {c['check_id']} on {c['resource']} has no reason")

# An acknowledgement must have its finding: the check fails on the bare template.
def key(c):
    return (os.path.basename(c["file_path"]).split("-", 1)[-1], c["resource"], c["check_id"])
bare = load(f"{work}/checkov-bare/results_json.json")["results"]
needed = {key(c) for c in bare.get("failed_checks", [])}
for c in results.get("skipped_checks", []):
    file = os.path.basename(c["file_path"])
    if (file, c["resource"], c["check_id"]) not in needed:
        problems.append(f"checkov acknowledgement of {c['check_id']} on {c['resource']} ({file}) is stale: the check passes without it")
print(
    f"checkov: {summary['resource_count']} resources, {summary['passed']} passed, "
    f"{summary['failed']} failed, {summary['skipped']} skipped (acknowledged on the resource)"
)

for p in problems:
    print(f"  {p}")
if problems:
    print(f"scan: {len(problems)} problem(s)")
    sys.exit(1)
PY
echo "scan: clean ($((SECONDS - started)) s)"
