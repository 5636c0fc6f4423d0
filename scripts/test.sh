#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (doctest)
# and the WebAssembly 2.0 spec suite through `wippy-run wast`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
status=0
meson test -C build --print-errorlogs --no-rebuild || status=$?
# Show the runners' own closing lines.
grep -hE '^\[doctest\] (test cases|assertions)|^[0-9]+ passed, [0-9]+ failed' build/meson-logs/testlog.txt || true
exit $status
