#!/usr/bin/env bash
# run_cli.sh — wippy-run's command line (issue 17 part 5): every option of
# every subcommand, before and after the file, and every usage and error
# path, each checked for its exit status, its stdout and its stderr.
#   run_cli.sh WIPPY_RUN GUEST_DIR REGISTRY_GUEST_DIR
# GUEST_DIR holds tests/guests' components (args_env, fs_readonly, exit
# codes); REGISTRY_GUEST_DIR tests/registry's typed.component.wasm (an
# exported instance made by jco, for inspect). The other inputs are the
# .wat files next to this script and files written here.
set -uo pipefail
W=$(realpath "$1")
G=$(cd "$2" && pwd)
R=$(cd "$3" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
S=$(mktemp -d "${TMPDIR:-/tmp}/wippy-cli.XXXXXX")
trap 'rm -rf "$S"' EXIT
cp "$HERE"/*.wat "$S/"

pass=0 fail=0
# check NAME WANT_RC WANT_STDOUT WANT_STDERR -- ARGS...   (run in $S)
#   WANT_STDOUT: "=TEXT" exact, "+TEXT" a substring, "" anything.
#   WANT_STDERR: "" means stderr must be empty, else a substring.
check() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  shift 5
  (cd "$S" && "$W" "$@" >"$S/.out" 2>"$S/.err" </dev/null)
  local rc=$? ok=1 why=""
  [ "$rc" = "$want_rc" ] || { ok=0; why="status $rc, want $want_rc"; }
  case "$want_out" in
    =*) [ "$(cat "$S/.out")" = "${want_out#=}" ] || { ok=0; why="$why; stdout differs"; } ;;
    +*) grep -qF -- "${want_out#+}" "$S/.out" || { ok=0; why="$why; stdout lacks [${want_out#+}]"; } ;;
  esac
  if [ -z "$want_err" ]; then
    [ ! -s "$S/.err" ] || { ok=0; why="$why; stderr not empty"; }
  else
    grep -qF -- "$want_err" "$S/.err" || { ok=0; why="$why; stderr lacks [$want_err]"; }
  fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL %s: %s\n  stdout: %s\n  stderr: %s\n' "$name" "$why" "$(head -c 600 "$S/.out")" "$(head -c 600 "$S/.err")"
  fi
}
# Every error line has the one format.
check_format() {
  local name=$1
  if grep -v -e '^wippy-run: error: ' -e '^usage: see `wippy-run' "$S/.err" | grep -q .; then
    fail=$((fail + 1)); printf 'FAIL %s: stderr line not in the error format:\n%s\n' "$name" "$(cat "$S/.err")"
  else
    pass=$((pass + 1))
  fi
}

# ---- top level ----
check "no arguments" 2 "" "wippy-run: error: missing command" --
check_format "no arguments: format"
check "unknown command" 2 "" "wippy-run: error: unknown command frob" -- frob
check "unknown top-level option" 2 "" "wippy-run: error: unknown option --frob" -- --frob
check "--help lists every command" 0 "+wippy-run run [OPTIONS] COMPONENT.wasm" "" -- --help
for want in "wippy-run wast" "--invoke NAME" "wippy-run inspect" "FILE.yaml" "--list" "--strict" "--timeout DURATION" \
            "--env NAME=VALUE" "--dir HOST[::GUEST][:ro]" "--version | -V" "Exit status:" "2 for bad usage" "1 for a trap"; do
  check "--help mentions $want" 0 "+$want" "" -- --help
done
check "-h" 0 "+wippy-run inspect" "" -- -h
check "help run" 0 "+--invoke NAME" "" -- help run
check "help registry lists --list" 0 "+--list    print the function entries" "" -- help registry
check "help of an unknown command" 2 "" "wippy-run: error: help: unknown command nope" -- help nope
check "--version with arguments" 2 "" "wippy-run: error: --version takes no arguments" -- --version x

# Hostile words are echoed bounded (interp/quote.h).
BIG="--$(printf '%*s' 100000 '' | tr ' ' x)"
check "unknown option of 100,002 bytes" 2 "" "... (100002 bytes)" -- run add.wat "$BIG"
[ "$(wc -c <"$S/.err")" -lt 1024 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL unknown option of 100,002 bytes: stderr not bounded"; }
check "--timeout of 100,000 bytes" 2 "" "... (100000 bytes)" -- run add.wat --timeout "$(printf '%*s' 100000 '' | tr ' ' 9)"
[ "$(wc -c <"$S/.err")" -lt 1024 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL --timeout of 100,000 bytes: stderr not bounded"; }
unset BIG

# ---- per-command --help ----
check "run --help" 0 "+--allow-http-host PATTERN" "" -- run --help
check "run FILE --help (after the file)" 0 "+--invoke NAME" "" -- run add.wat --help
check "wast --help" 0 "+--no-fork" "" -- wast --help
check "inspect -h" 0 "+FILE.wasm|FILE.wat" "" -- inspect -h
check "FILE.yaml --help (after the file)" 0 "+--list" "" -- nothere.yaml --help
check "--help FILE.yaml" 0 "+--strict" "" -- --help nothere.yaml

# ---- run --invoke ----
check "invoke, options after the file" 0 "=i32:5" "" -- run add.wat --invoke add 2 3
check "invoke, options before the file" 0 "=i32:5" "" -- run --invoke add add.wat 2 3
check "invoke, --invoke=NAME" 0 "=i32:5" "" -- run add.wat --invoke=add 2 3
check "invoke, negative arguments are not options" 0 "=i32:-5" "" -- run add.wat --invoke add -2 -3
check "invoke, hex arguments" 0 "=i32:32" "" -- run add.wat --invoke add 0x10 0x10
# v128 arguments: one word, a lane shape and its lanes; results print as i32x4 words
check "invoke v128: i32x4 arguments and result" 0 "=v128:i32x4 0x0000000b 0x00000016 0x00000021 0x00000003" "" -- \
  run simd.wat --invoke add4 "i32x4 1 2 3 4" "i32x4 10 20 30 -1"
check "invoke v128: i8x16 lanes, signed, unsigned and hex" 0 "=v128:i32x4 0x03020100 0x07060504 0x0b0a0908 0xff0e0dff" "" -- \
  run simd.wat --invoke id "i8x16 0 1 2 3 4 5 6 7 8 9 10 11 -1 13 0xe 255"
check "invoke v128: i16x8 lanes" 0 "=v128:i32x4 0x0002ffff 0x80000003 0x00000000 0x7fff0001" "" -- \
  run simd.wat --invoke id "i16x8 -1 2 3 0x8000 0 0 1 32767"
check "invoke v128: i64x2 lanes" 0 "=v128:i32x4 0xffffffff 0xffffffff 0x00000001 0x80000000" "" -- \
  run simd.wat --invoke id "i64x2 -1 0x8000000000000001"
check "invoke v128: f32x4 nan payload, inf, -0" 0 "=v128:i32x4 0x7fa00000 0x7f800000 0xff800000 0x80000000" "" -- \
  run simd.wat --invoke id "f32x4 nan:0x200000 inf -inf -0"
check "invoke v128: mixed v128 and f64 arguments, two results" 0 "$(printf '=v128:i32x4 0x00000000 0x40080000 0x00000000 0xc0100000\ni32:7')" "" -- \
  run simd.wat --invoke fmul "f64x2 1.5 -0x1p1" 2
check "invoke v128: shuffle of two arguments" 0 "=v128:i32x4 0x11011000 0x13031202 0x15051404 0x17071606" "" -- \
  run simd.wat --invoke shuf "i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15" "i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31"
check "invoke v128: too few lanes" 1 "" 'argument 1 "i32x4 1 2 3" is not a valid v128 (a lane shape and its lanes' -- \
  run simd.wat --invoke id "i32x4 1 2 3"
check "invoke v128: too many lanes" 1 "" 'is not a valid v128' -- run simd.wat --invoke id "i64x2 1 2 3"
check "invoke v128: unknown shape" 1 "" 'argument 1 "i33x4 1 2 3 4" is not a valid v128' -- run simd.wat --invoke id "i33x4 1 2 3 4"
check "invoke v128: lane out of range" 1 "" 'is not a valid v128' -- run simd.wat --invoke id "i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
check "invoke v128: empty word" 1 "" 'argument 1 "" is not a valid v128' -- run simd.wat --invoke id ""
check "invoke v128: not a number lane" 1 "" 'is not a valid v128' -- run simd.wat --invoke id "f32x4 1 2 x 4"
check "run without FILE" 2 "" "wippy-run: error: run: missing FILE" -- run
check "--invoke without a value" 2 "" "wippy-run: error: run: --invoke needs a value" -- run add.wat --invoke
check "run: unknown option" 2 "" "wippy-run: error: run: unknown option --frob" -- run add.wat --frob --invoke add 1 2
check_format "run: unknown option: format"
check "run: flag given a value" 2 "" "wippy-run: error: run: --deny-net takes no value" -- run add.wat --deny-net=1
check "invoke: wrong number of arguments" 1 "" 'wippy-run: error: add.wat: "add" takes 2 argument(s)' -- run add.wat --invoke add 1
check "invoke: argument not a number" 1 "" 'wippy-run: error: add.wat: "add": argument 2 "x" is not a valid i32' -- run add.wat --invoke add 1 x
check "invoke: no such export" 1 "" 'wippy-run: error: add.wat: no exported function "nope"' -- run add.wat --invoke nope
check "invoke: trap" 1 "" 'wippy-run: error: add.wat: "boom": trap: unreachable' -- run add.wat --invoke boom
check_format "invoke: trap: format"
check "invoke: WASI options do not apply" 2 "" "wippy-run: error: run: --dir does not apply to --invoke" -- run add.wat --dir . --invoke add 1 2
check "invoke: a component" 1 "" "wippy-run: error: ok.component.wat: a component runs without --invoke" -- run ok.component.wat --invoke run
check "invoke: missing file" 1 "" "wippy-run: error: cannot read file missing.wasm" -- run missing.wasm --invoke f
printf '(module\n  (func (export "f")\n    (i32.frob)))\n' >"$S/bad.wat"
check "malformed text: FILE:LINE:" 1 "" "wippy-run: error: bad.wat:3:" -- run bad.wat --invoke f
check_format "malformed text: format"

# ---- run --timeout ----
start=$(date +%s%N)
check "invoke --timeout stops a tight loop" 1 "" 'wippy-run: error: add.wat: "spin": interrupted: deadline exceeded (--timeout 300ms)' -- \
  run add.wat --invoke spin --timeout 300ms
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$elapsed_ms" -ge 300 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL --timeout 300ms ended after ${elapsed_ms} ms"; fi
check "--timeout before the file" 1 "" "deadline exceeded (--timeout 200ms)" -- run --timeout 200ms add.wat --invoke spin
check "--timeout that is not reached" 0 "=i32:3" "" -- run add.wat --timeout 30s --invoke add 1 2
check "component --timeout" 1 "" "wippy-run: error: spin.component.wat: interrupted: deadline exceeded (--timeout 200ms)" -- \
  run --timeout 200ms spin.component.wat
check "preview1 --timeout" 1 "" "wippy-run: error: spin_p1.wat: interrupted: deadline exceeded (--timeout 200ms)" -- run spin_p1.wat --timeout=200ms
# A guest parked in a host wait (reading a stdin nobody writes) ends too.
cp "$G/stdio_copy.component.wasm" "$S/"
mkfifo "$S/stdin"
sleep 60 >"$S/stdin" &
writer=$!
(cd "$S" && "$W" run --timeout 300ms stdio_copy.component.wasm <"$S/stdin" >"$S/.out" 2>"$S/.err"); rc=$?
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
if [ "$rc" = 1 ] && grep -qF "wippy-run: error: stdio_copy.component.wasm: interrupted: deadline exceeded (--timeout 300ms)" "$S/.err"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); printf 'FAIL --timeout of a guest waiting on stdin: status %s, stderr %s\n' "$rc" "$(head -c 600 "$S/.err")"
fi
check "--timeout bare seconds" 0 "" "" -- run ok.component.wat --timeout 5
check "--timeout unknown unit" 2 "" "wippy-run: error: run: --timeout: duration 5q: unknown unit q" -- run add.wat --timeout 5q --invoke add 1 2
check "--timeout zero" 2 "" "must be above 0" -- run add.wat --timeout 0s --invoke add 1 2
check "--timeout not a number" 2 "" "expected a count and a unit" -- run add.wat --timeout soon --invoke add 1 2
check "--timeout past 30 days" 2 "" "at most 30 days" -- run add.wat --timeout 999999h --invoke add 1 2
check "--timeout without a value" 2 "" "wippy-run: error: run: --timeout needs a value" -- run --invoke add add.wat --timeout
check "words after the first ARG are ARGs" 1 "" '"add" takes 2 argument(s) (i32 i32) -> (i32), 3 given' -- run add.wat --invoke add 1 2 --timeout

# ---- run: commands and their grants ----
check "component text runs" 0 "" "" -- run ok.component.wat
# The code cache: run writes an entry per component (keyed by content and
# build), reads it on the next run, and rewrites an entry it cannot use.
count_entries() { find "$1" -name '*.wcc' 2>/dev/null | wc -l | tr -d ' '; }
expect_entries() {  # NAME DIR N
  if [ "$(count_entries "$2")" = "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); printf 'FAIL %s: %s cache entries in %s, want %s\n' "$1" "$(count_entries "$2")" "$2" "$3"; fi
}
check "run --cache-dir: a miss runs the component" 0 "" "" -- run --cache-dir "$S/cache" ok.component.wat
expect_entries "run --cache-dir: the miss wrote one entry" "$S/cache" 1
check "run --cache-dir: a hit runs it again" 0 "" "" -- run ok.component.wat --cache-dir "$S/cache"
expect_entries "run --cache-dir: the hit added none" "$S/cache" 1
for e in "$S"/cache/*.wcc; do : >"$e"; done
check "run --cache-dir: a truncated entry is a miss" 0 "" "" -- run --cache-dir "$S/cache" ok.component.wat
if [ -s "$(ls "$S"/cache/*.wcc | head -1)" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL run --cache-dir: the truncated entry was not rewritten"; fi
check "run --no-cache writes nothing" 0 "" "" -- run --no-cache --cache-dir "$S/cache2" ok.component.wat
expect_entries "run --no-cache: no entry" "$S/cache2" 0
check "run --cache-dir needs a directory" 2 "" "wippy-run: error: run: --cache-dir needs a directory" -- run --cache-dir "" ok.component.wat
check "preview1 exit status" 42 "" "" -- run exit42_p1.wat
check "core module without WASI or --invoke" 1 "" "wippy-run: error: add.wat: a core module that does not import wasi_snapshot_preview1 runs with --invoke NAME" -- run add.wat
cp "$G/args_env.component.wasm" "$S/"
check "--env before the file, args after --" 0 "+env match: yes" "" -- \
  run --env GREETING=hello --env EMPTY= args_env.component.wasm --env WITH_EQUALS=a=b -- one "two words" "" --flag=x
check "guest arguments start at the first word after the file" 0 "+args match: yes" "" -- \
  run --env GREETING=hello --env EMPTY= --env WITH_EQUALS=a=b args_env.component.wasm one "two words" "" --flag=x
export WIPPY_CLI_TEST_VAR="from the host"
# (args_env exits 1 when its arguments are not the ones of args_env.spec.)
check "--env NAME inherits the host's value" 1 '+env "WIPPY_CLI_TEST_VAR=from the host"' "" -- \
  run --env WIPPY_CLI_TEST_VAR args_env.component.wasm
unset WIPPY_CLI_TEST_UNSET
check "--env NAME unset on the host passes nothing" 1 "+argc 1" "" -- run args_env.component.wasm --env WIPPY_CLI_TEST_UNSET
if grep -q WIPPY_CLI_TEST_UNSET "$S/.out"; then fail=$((fail + 1)); echo "FAIL: an unset --env NAME reached the guest"; else pass=$((pass + 1)); fi
check "--env =VALUE" 2 "" "wippy-run: error: run: --env =x: expected NAME=VALUE or NAME" -- run args_env.component.wasm --env =x
check "--argv0" 1 '+argv[0] "renamed"' "" -- run --argv0 renamed args_env.component.wasm
mkdir -p "$S/ro/dir" && printf 'read only\n' >"$S/ro/file.txt" && printf 'inner\n' >"$S/ro/dir/inner.txt" && ln -s file.txt "$S/ro/link"
cp "$G/fs_readonly.component.wasm" "$S/"
check "--dir HOST::GUEST:ro before the file" 0 "+ok   read file.txt" "" -- run --dir ro::/ro:ro fs_readonly.component.wasm
check "--dir=HOST::GUEST:ro after the file" 0 "+ok   read file.txt" "" -- run fs_readonly.component.wasm --dir=ro::/ro:ro
check "--dir that is not a directory" 2 "" "wippy-run: error: run: --dir nowhere::/x: nowhere is not a directory" -- run ok.component.wat --dir nowhere::/x
check "--dir with an empty guest" 2 "" "wippy-run: error: run: --dir ro::: expected HOST[::GUEST][:ro]" -- run ok.component.wat --dir ro::
check "--deny-net with --allow-net" 2 "" "--deny-net and --allow-net exclude each other" -- run --deny-net ok.component.wat --allow-net tcp:*:443
check "--allow-net bad rule" 2 "" "wippy-run: error: run: --allow-net:" -- run ok.component.wat --allow-net nonsense
check "--http-connect-timeout-ms not a number" 2 "" "--http-connect-timeout-ms 5s: expected milliseconds" -- run ok.component.wat --http-connect-timeout-ms 5s
check "--cwd empty" 2 "" "--cwd needs a directory" -- run ok.component.wat --cwd=
cp "$G/exit_codes.component.wasm" "$S/"
check "the guest's exit code is ours" 3 "" "" -- run exit_codes.component.wasm code 3

# ---- inspect ----
check "inspect WAT (core)" 0 '+export "add": func (i32 i32) -> (i32)' "" -- inspect add.wat
check "inspect component WAT" 0 "+run: func() -> result;" "" -- inspect spin.component.wat
cp "$R/typed.component.wasm" "$S/"
check "inspect: an instantiated exported instance lists its functions" 0 "+centroid: func(" "" -- inspect typed.component.wasm
if grep -q "/\* unknown \*/" "$S/.out"; then fail=$((fail + 1)); echo "FAIL inspect typed: /* unknown */ in the output"; cat "$S/.out"; else pass=$((pass + 1)); fi
check "inspect: two files" 2 "" "wippy-run: error: inspect: expected one FILE" -- inspect add.wat add.wat
check "inspect: unknown option" 2 "" "wippy-run: error: inspect: unknown option --frob" -- inspect --frob add.wat
check "inspect: malformed text" 1 "" "wippy-run: error: bad.wat:3:" -- inspect bad.wat
check "inspect: missing file" 1 "" "wippy-run: error: cannot read file missing.wasm" -- inspect missing.wasm

# ---- wast ----
printf '(module (func (export "one") (result i32) (i32.const 1)))\n(assert_return (invoke "one") (i32.const 1))\n(assert_return (invoke "one") (i32.const 2))\n' >"$S/t.wast"
check "wast: failures on stderr" 1 "+t.wast: 2 passed, 1 failed" "t.wast:3: assert_return" -- wast --no-fork t.wast
if grep -q "t.wast:3" "$S/.out"; then fail=$((fail + 1)); echo "FAIL wast: a failure line on stdout"; else pass=$((pass + 1)); fi
check "wast: options after the files" 1 "+2 passed, 1 failed" "t.wast:3:" -- wast t.wast --timeout 60s
check "wast: without files" 2 "" "wippy-run: error: wast: missing FILE" -- wast --verbose
check "wast: unknown option" 2 "" "wippy-run: error: wast: unknown option --frob" -- wast --frob t.wast
check "wast: bad --timeout" 2 "" "wippy-run: error: wast: --timeout:" -- wast --timeout x t.wast

# ---- the registry mode ----
printf 'namespace: k\nentries:\n  - {name: neg, kind: function.wat, method: neg, wit: "func(x: s64) -> s64",\n     source: %s}\n' \
  "'(module (func (export \"neg\") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0))))'" >"$S/neg.yaml"
check "registry: call" 0 "=-4" "" -- neg.yaml neg 4
check "registry: FILE.yaml --list (after the file)" 0 "=k:neg" "" -- neg.yaml --list
check "registry: --list before the file" 0 "=k:neg" "" -- --list neg.yaml
check "registry: --strict after the file" 0 "=-4" "" -- neg.yaml --strict neg 4
check "registry: a negative ARG is not an option" 0 "=4" "" -- neg.yaml -4
check "registry: ARGs after ENTRY are verbatim" 1 "" "wippy-run: error: entry k:neg: argument 1:" -- neg.yaml neg --list
check "registry: unknown option" 2 "" "wippy-run: error: unknown option --frob" -- neg.yaml --frob
sed 's/name: neg,/name: neg2,/' "$S/neg.yaml" | tail -n +3 >>"$S/neg.yaml"
check "registry: no such entry" 1 "" "wippy-run: error: no function entry nope (entries: k:neg, k:neg2)" -- neg.yaml nope 1

# ---- a command's output at exit ----
# `run` and the registry mode end the process with std::exit once the WASI
# contexts are closed (Runtime::exit_process), leaving the modules'
# teardown to the kernel: 4 MiB written to a non-blocking pipe that is
# read slowly must still all arrive, in order, with the guest's status.
got=$(python3 "$HERE/slow_pipe.py" "$W" run "$G/write_bytes.component.wasm" stdout 4 2>&1)
if [ "$got" = "bytes 4194304 status 0" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL run: slow non-blocking stdout: $got"; fi
cp "$G/write_bytes.component.wasm" "$S/"
printf 'namespace: w\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n  - {name: wb, kind: function.wasm, fs: files, path: /write_bytes.component.wasm, hash: "sha256:%s", method: run, imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random]}\n' \
  "$(sha256sum "$S/write_bytes.component.wasm" | cut -d' ' -f1)" >"$S/wb.yaml"
got=$(cd "$S" && python3 "$HERE/slow_pipe.py" "$W" wb.yaml wb stdout 4 2>&1)
if [ "$got" = "bytes 4194304 status 0" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL registry: slow non-blocking stdout: $got"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
