#!/usr/bin/env bash
# The field's reference tools that some tests compare against: seqkit, miller and the AWS CLI v2,
# and nginx, the bench's stand-in for S3's serving side; from Debian's packages. Installed only
# when missing and when this is Debian run as root; anywhere else the tests that need them say
# they are skipped and why.
set -euo pipefail
missing=()
command -v seqkit >/dev/null || missing+=(seqkit)
command -v mlr >/dev/null || missing+=(miller)
[[ -x /usr/bin/aws ]] || missing+=(awscli)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
((${#missing[@]})) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} from Debian's packages…" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "note: ${missing[*]} not installed (apt-get install ${missing[*]}); the tests that compare against them will be skipped" >&2
fi
