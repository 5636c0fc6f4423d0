#!/usr/bin/env bash
# run_spec_superseded.sh LIST COMMAND... — runs a spec-suite command (e.g.
# run_spec.sh RUNNER SUITE) and checks its failures against LIST
# (tests/spec-2.0-superseded.txt): commands of the WebAssembly 2.0 suite
# that test a 2.0 rule WebAssembly 3.0 replaced. Exactly those must fail
# (they are printed as superseded); any other failure, or a listed command
# that passes, fails the run.
set -u
list=$1
shift
out=$("$@" 2>&1)  # the runner prints failures on stderr, counts on stdout
status=$?
printf '%s\n' "$out"
expected=$(grep -v '^#' "$list" | awk 'NF {print $1}' | sort)
# failure lines look like "PATH/FILE.wast:LINE: ..."; per-file counts have no line number
failed=$(printf '%s\n' "$out" | grep -oE '[^/ ]+\.wast:[0-9]+:' | sed 's/:$//' | sort -u)
if [ "$failed" = "$expected" ]; then
  echo "superseded by WebAssembly 3.0 (expected to fail): $(echo $expected)"
  exit 0
fi
echo "failures differ from $list:" >&2
diff <(printf '%s\n' "$expected") <(printf '%s\n' "$failed") >&2
[ "$status" -ne 0 ] || status=1
exit "$status"
