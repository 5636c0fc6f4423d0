#!/usr/bin/env bash
# Runs the WebAssembly 2.0 spec suite (top-level files of wasm-2.0/, not simd/)
# through `wippy-run wast`. A missing suite is a failure, never a skip.
# Commands listed in tests/spec-2.0-superseded.txt test 2.0 rules that
# WebAssembly 3.0 replaced: exactly those must fail (each is printed as
# superseded); any other failure, or a listed command that passes, fails.
set -u
runner=$1
suite=$2
superseded=${3:-$(dirname "$0")/spec-2.0-superseded.txt}
dir="$suite/wasm-2.0"
if [ ! -d "$dir" ]; then
  echo "spec suite not found at $dir (set -Dspec_suite=PATH)" >&2
  exit 1
fi
shopt -s nullglob
files=("$dir"/*.wast)
if [ ${#files[@]} -eq 0 ]; then
  echo "no .wast files in $dir" >&2
  exit 1
fi
out=$("$runner" wast "${files[@]}")
status=$?
printf '%s\n' "$out"
expected=$(grep -v '^#' "$superseded" | awk 'NF {print $1}' | sort)
# failure lines look like "PATH/FILE.wast:LINE: ..."; per-file counts have no line number
failed=$(printf '%s\n' "$out" | grep -oE '[^/ ]+\.wast:[0-9]+:' | sed 's/:$//' | sort -u)
if [ "$failed" = "$expected" ]; then
  echo "superseded by WebAssembly 3.0 (expected to fail): $(echo $expected)"
  exit 0
fi
echo "failures differ from $superseded:" >&2
diff <(printf '%s\n' "$expected") <(printf '%s\n' "$failed") >&2
[ "$status" -ne 0 ] || status=1
exit "$status"
