#!/usr/bin/env bash
# Runs the WebAssembly 2.0 spec suite (top-level files of wasm-2.0/, not simd/)
# through `wippy-run wast`. A missing suite is a failure, never a skip.
set -u
runner=$1
suite=$2
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
exec "$runner" wast "${files[@]}"
