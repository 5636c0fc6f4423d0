#!/usr/bin/env bash
# Builds the unit tests and wippy-fuzz with AddressSanitizer and UBSan in
# build-asan/ and runs them: every doctest case, and a fuzz smoke pass over
# every input kind. Any sanitizer report fails the run (halt_on_error). The
# unit tests use the guest components of the normal build (build/), so run
# scripts/build.sh first (scripts/test.sh does). ASan's frames are larger,
# so the main thread gets a 256 MiB stack here (the WAT parser's 5,000-level
# nesting limit is sized for a normal build's 8 MiB) and fiber stacks are
# mapped 16x larger (dispatcher/stack.h).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dtests=enabled >/dev/null
fi
ninja -C build-asan tests/unit-tests tests/fuzz/wippy-fuzz
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ulimit -s 262144 2>/dev/null || echo "test-sanitizers: could not raise the stack limit to 256 MiB"
status=0
echo "== unit tests (ASan+UBSan)"
WIPPY_SOURCE_DIR=$PWD WIPPY_GUEST_DIR=$PWD/build/tests/guests WIPPY_HTTP_GUEST_DIR=$PWD/build/tests/http \
  build-asan/tests/unit-tests --no-intro=true || status=$?
echo "== fuzz smoke (ASan+UBSan)"
build-asan/tests/fuzz/wippy-fuzz --seed 3 --iters 5000 --quiet --crash-dir build-asan \
  --core-suite ../shared/wasm-testsuite/wasm-2.0 --component-suite ../shared/component-model-tests \
  --files tests/component --files examples || status=$?
[ $status -eq 0 ] && echo "sanitizers: unit tests and fuzz smoke clean" || echo "sanitizers: FAILED ($status)"
exit $status
