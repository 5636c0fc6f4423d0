#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (doctest),
# the WebAssembly 2.0 spec suite and the component-model tests through
# `wippy-run wast`, the WASI guests of tests/guests/ under `wippy-run run`
# and `jco run`, the registry end-to-end tests, the embedding example (from
# the build tree and from a `meson install --destdir` tree) and a fuzz smoke
# pass (`meson test -C build` lists them); then the unit tests and a fuzz
# smoke pass again, built with AddressSanitizer and UBSan in build-asan/
# (scripts/test-sanitizers.sh); then a configure without Node or clang on
# PATH (scripts/check-minimal-configure.sh). Tests, examples and benchmarks
# are all enabled: a missing tool fails the configure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -Dtests=enabled -Dexamples=enabled -Dbench=enabled
status=0
meson test -C build --print-errorlogs --no-rebuild || status=$?
# Show the runners' own closing lines.
grep -hE '^\[doctest\] (test cases|assertions)|^[0-9]+ passed, [0-9]+ failed|^guests \((wippy|jco)\):' \
  build/meson-logs/testlog.txt || true
bash scripts/test-sanitizers.sh || status=$?
echo "== configure with the C++ dependencies only"
bash scripts/check-minimal-configure.sh || status=$?
exit $status
