#!/usr/bin/env bash
# run_spec.sh RUNNER SUITE [relaxed] — runs spec scripts through
# `wippy-run wast`; any failure fails the run, and a missing suite or file
# set is a failure, never a skip. Default: the WebAssembly 2.0 suite (the
# files of wasm-2.0/ and of its simd/ folder). `relaxed`: the relaxed SIMD
# files of the 3.0 suite's top level.
set -u
runner=$1
suite=$2
dir="$suite/wasm-2.0"
if [ ! -d "$dir" ]; then
  echo "spec suite not found at $dir (set -Dspec_suite=PATH)" >&2
  exit 1
fi
shopt -s nullglob
if [ "${3:-}" = relaxed ]; then
  files=("$suite"/relaxed_*.wast "$suite"/i8x16_relaxed_swizzle.wast "$suite"/i16x8_relaxed_q15mulr_s.wast
         "$suite"/i32x4_relaxed_trunc.wast)
  for f in "${files[@]}"; do
    [ -f "$f" ] || { echo "missing $f" >&2; exit 1; }
  done
  if [ ${#files[@]} -lt 7 ]; then
    echo "relaxed SIMD files not found in $suite" >&2
    exit 1
  fi
  exec "$runner" wast "${files[@]}"
fi
files=("$dir"/*.wast)
simd=("$dir"/simd/*.wast)
if [ ${#files[@]} -eq 0 ] || [ ${#simd[@]} -eq 0 ]; then
  echo "no .wast files in $dir or $dir/simd" >&2
  exit 1
fi
files+=("${simd[@]}")
exec "$runner" wast "${files[@]}"
