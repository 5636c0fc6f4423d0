#!/usr/bin/env bash
# Runs the WebAssembly 3.0 spec files that pass fully (listed one a line in
# tests/spec-3.0-files.txt, relative to the suite's top level) through
# `wippy-run wast` (arguments after the list go to it, e.g. --gc-stress);
# any failure, or a missing file or suite, fails the run.
set -u
runner=$1
suite=$2
list=$3
if [ ! -d "$suite" ]; then
  echo "spec suite not found at $suite (set -Dspec_suite=PATH)" >&2
  exit 1
fi
files=()
while IFS= read -r name; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ ! -f "$suite/$name" ]; then
    echo "listed spec file missing: $suite/$name" >&2
    exit 1
  fi
  files+=("$suite/$name")
done < "$list"
if [ ${#files[@]} -eq 0 ]; then
  echo "no files listed in $list" >&2
  exit 1
fi
exec "$runner" wast "${@:4}" "${files[@]}"
