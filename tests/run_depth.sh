#!/usr/bin/env bash
# run_depth.sh — deep nesting and huge names end to end (issue 16 parts 2
# and 6): every case must end with exit status 1, a one-line error naming
# the problem, bounded stderr — never a signal, exit 86 ("fiber stack
# overflow") or 134.
#   run_depth.sh WIPPY_RUN WIPPY_FUZZ GUEST_DIR
# The inputs are generated here (wippy-fuzz --emit-deep, printf), not
# committed; GUEST_DIR holds tests/registry's typed.component.wasm.
set -uo pipefail
W=$(realpath "$1")
F=$(realpath "$2")
G=$(cd "$3" && pwd)
S=$(mktemp -d "${TMPDIR:-/tmp}/wippy-depth.XXXXXX")
trap 'rm -rf "$S"' EXIT

pass=0 fail=0
# check NAME WANT_RC WANT_STDERR_SUBSTRING -- ARGS...   (run in $S)
check() {
  local name=$1 want_rc=$2 want_err=$3
  shift 4
  (cd "$S" && "$W" "$@" >"$S/.out" 2>"$S/.err")
  local rc=$? ok=1
  local errbytes
  errbytes=$(wc -c <"$S/.err")
  [ "$rc" = "$want_rc" ] || ok=0
  grep -qF -- "$want_err" "$S/.err" || ok=0
  [ "$errbytes" -lt 4096 ] || ok=0
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL %s\n  want rc=%s stderr containing [%s] (< 4096 bytes)\n  got  rc=%s stderr (%s bytes): %s\n' \
      "$name" "$want_rc" "$want_err" "$rc" "$errbytes" "$(head -c 600 "$S/.err")"
  fi
}

# Component types 100,000 deep (and at the limit + 1), through inspect and run.
"$F" --emit-deep types 100000 "$S/deep_types.wasm" || exit 1
"$F" --emit-deep types 100 "$S/limit_types.wasm" || exit 1
"$F" --emit-deep func 100000 "$S/deep_func.wasm" || exit 1
"$F" --emit-deep func 600 "$S/func600.wasm" || exit 1
check "inspect: types 100,000 deep" 1 'type nesting is too deep' -- inspect deep_types.wasm
check "inspect: types at the limit + 1" 1 'type nesting is too deep' -- inspect limit_types.wasm
check "inspect: function over types 100,000 deep" 1 'type nesting is too deep' -- inspect deep_func.wasm
check "run: function over types 100,000 deep" 1 'type nesting is too deep' -- run deep_func.wasm
check "run: types 100,000 deep" 1 'type nesting is too deep' -- run deep_types.wasm

# Through a registry entry: an export over 600 nested options, and a JSON
# argument 100,000 deep (the issue's 417 bytes of '[' too).
cp "$G/typed.component.wasm" "$S/"
"$F" --emit-deep json 129 "$S/deep.json" || exit 1
TH=$(sha256sum "$S/typed.component.wasm" | cut -d' ' -f1)
FH=$(sha256sum "$S/func600.wasm" | cut -d' ' -f1)
{
  printf 'version: "1.0"\nnamespace: deep\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n'
  printf '  - name: centroid\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n'
  printf '    hash: sha256:%s\n    method: "guests:c-exports/geometry#centroid"\n' "$TH"
  printf '    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random]\n'
} >"$S/typed.yaml"
{
  printf 'version: "1.0"\nnamespace: deep\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n'
  printf '  - name: deep\n    kind: function.wasm\n    fs: files\n    path: /func600.wasm\n'
  printf '    hash: sha256:%s\n    method: f\n' "$FH"
} >"$S/deep.yaml"
# (100,000 '[' with no closers: one argv string may not exceed 128 KiB.)
check "registry: JSON argument 100,000 deep" 1 'nesting deeper than 128' -- typed.yaml centroid "$(printf '%*s' 100000 '' | tr ' ' '[')"
check "registry: 417 bytes of [" 1 'nesting deeper than 128' -- typed.yaml centroid "$(printf '%*s' 417 '' | tr ' ' '[')"
check "registry: JSON at the limit + 1 (closed)" 1 'nesting deeper than 128' -- typed.yaml centroid "$(cat "$S/deep.json")"
check "registry: export over 600 nested options" 1 'type nesting is too deep' -- deep.yaml deep null

# Part 6: a 50 MB import name is cut to ~200 bytes in the error.
NAME=$(head -c 50000000 /dev/zero | tr '\0' 'a')
printf '(module (import "m" "%s" (func)) (func (export "f")))' "$NAME" >"$S/huge_import.wat"
unset NAME
check "run: 50 MB import name" 1 '(50000000 bytes)' -- run huge_import.wat --invoke f

echo "depth: $pass passed, $fail failed"
[ "$fail" = 0 ]
