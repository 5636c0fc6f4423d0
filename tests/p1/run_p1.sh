#!/usr/bin/env bash
# run_p1.sh — `wippy-run run` on preview1 core modules (tests/p1):
# proc_exit codes above 1 come back as the process status, a sleeping
# command sleeps, bad imports fail at load naming the import, and
# --invoke still runs an import-free module; a Rust wasm32-wasi program
# (rust_std.wasm) passes its own std::fs/env/time checks and exits with 7;
# a C server (sock_echo.core.wasm) on a --tcplisten socket echoes a line
# to a host client (sock_client.py), also as a registry entry whose
# wasi.tcp_listen opens the socket, and the grant refuses a listen.
#   run_p1.sh PATH/TO/wippy-run SRC_DIR BUILD_DIR
# BUILD_DIR holds exit_code.core.wasm, sock_echo.core.wasm and rust_std.wasm (built by meson). Exit status 0 when
# every check passed.
set -uo pipefail
tool=$1 src=$2 build=$3
passed=0 failed=0
check() {  # NAME WANT_STATUS WANT_TEXT(stdout+stderr substring) CMD...
  local name=$1 want=$2 text=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && [[ $out == *"$text"* ]]; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name: status $rc (want $want), output: $out (want \"$text\")"; failed=$((failed + 1))
  fi
}
exe="$build/exit_code.core.wasm"
check "exit 0" 0 "exiting with 0" "$tool" run "$exe" -- 0
check "exit 2" 2 "exiting with 2" "$tool" run "$exe" -- 2
check "exit 42" 42 "exiting with 42" "$tool" run "$exe" -- 42
check "exit 255" 255 "exiting with 255" "$tool" run "$exe" -- 255
check "sleep" 0 "slept >= 50 ms: yes" "$tool" run "$exe" -- sleep
check "unknown import" 1 \
  'module imports "wasi_snapshot_preview1" "fd_frobnicate" (func): wasi_snapshot_preview1 has no such function' \
  "$tool" run "$src/bad_import.wat"
check "wrong signature" 1 \
  'module imports "wasi_snapshot_preview1" "fd_write" (func): wrong signature (i32 i32 i32) -> (i32), expected (i32 i32 i32 i32) -> (i32)' \
  "$tool" run "$src/bad_signature.wat"
check "other import" 1 'module imports "env" "helper" (func): only wasi_snapshot_preview1 is provided' \
  "$tool" run "$src/mixed_import.wat"
check "no preview1 import" 1 "runs with --invoke NAME" "$tool" run "$src/add.wat"
check "--invoke" 0 "i32:5" "$tool" run "$src/add.wat" --invoke add 2 3
check "tcplisten echo" 0 "sock_echo: 0 failed" python3 "$src/sock_client.py" "$tool" "$build/sock_echo.core.wasm"
check "registry tcp_listen echo" 0 "sock_echo: 0 failed" python3 "$src/sock_client.py" --registry "$tool" "$build/sock_echo.core.wasm"
check "tcplisten refused by the grant" 1 "tcp listen on 127.0.0.1:1: access-denied" \
  "$tool" run --deny-net --tcplisten 127.0.0.1:1 "$build/sock_echo.core.wasm"
check "tcplisten bad address" 2 "--tcplisten nowhere: expected HOST:PORT" \
  "$tool" run --tcplisten nowhere "$build/sock_echo.core.wasm"
check "--cwd refused" 1 "--cwd does not apply to a preview1 module" "$tool" run --cwd /tmp "$exe" -- 0
scratch="$build/scratch-rust"
rm -rf "$scratch" && mkdir -p "$scratch"
check "rust std" 7 "rust_std: 0 failed" \
  "$tool" run "$build/rust_std.wasm" --dir "$scratch::/data" --env GREETING=hello -- one "two words"
echo "p1: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
