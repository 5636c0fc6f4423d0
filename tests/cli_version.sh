#!/usr/bin/env bash
# cli_version.sh WIPPY_RUN VERSION — `wippy-run --version` and `-V` print
# "wippy-run VERSION" then one "built with ..." line and exit 0; `--help`
# lists --version; `--version` with more arguments is a usage error (2).
set -uo pipefail
run=$1 version=$2
fail=0
for flag in --version -V; do
  out=$("$run" "$flag"); rc=$?
  first=$(head -1 <<<"$out"); second=$(sed -n 2p <<<"$out"); lines=$(wc -l <<<"$out")
  if [ $rc -eq 0 ] && [ "$first" = "wippy-run $version" ] && [[ $second == "built with "* ]] && [ "$lines" -eq 2 ]; then
    echo "ok: $flag: $first / $second"
  else
    echo "FAIL: $flag: status $rc, output [$out]"; fail=1
  fi
done
"$run" --help | grep -q -- '--version | -V' && echo "ok: --help lists --version" || { echo "FAIL: --help lacks --version"; fail=1; }
"$run" --version extra >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && echo "ok: --version extra: usage error" || { echo "FAIL: --version extra: status $rc"; fail=1; }
exit $fail
