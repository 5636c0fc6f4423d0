#!/usr/bin/env bash
# Runs the WebAssembly 2.0 spec suite (the files of wasm-2.0/ and of its
# simd/ folder) through `wippy-run wast`; any failure fails the run. A missing suite is a failure, never a skip.
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
simd=("$dir"/simd/*.wast)
if [ ${#files[@]} -eq 0 ] || [ ${#simd[@]} -eq 0 ]; then
  echo "no .wast files in $dir or $dir/simd" >&2
  exit 1
fi
files+=("${simd[@]}")
exec "$runner" wast "${files[@]}"
