#!/usr/bin/env bash
# Runs the component-model tests ({validation,values,resources,linking,binary}/
# of the component suite; async/ is out of scope) through `wippy-run wast`.
# A missing suite is a failure, never a skip. Skips (async ABI, Wasm 3.0
# features) are reported by the runner and do not fail the run; any failed
# assertion does (the runner's exit status).
set -u
runner=$1
suite=$2
files=()
shopt -s nullglob
for d in validation values resources linking binary; do
  if [ ! -d "$suite/$d" ]; then
    echo "component suite folder not found: $suite/$d (set -Dcomponent_suite=PATH)" >&2
    exit 1
  fi
  files+=("$suite/$d"/*.wast)
done
if [ ${#files[@]} -eq 0 ]; then
  echo "no .wast files in $suite" >&2
  exit 1
fi
exec "$runner" wast "${files[@]}"
