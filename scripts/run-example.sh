#!/usr/bin/env bash
# Installs what is missing, builds, and runs the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
echo "$ wippy-run run examples/hello.wat --invoke fib 30"
build/cli/wippy-run run examples/hello.wat --invoke fib 30
