#!/usr/bin/env bash
# Installs what is missing, builds, and runs the bundled examples: the
# hello component's typed export and its wasi:cli/run command through their
# Wippy registry (examples/hello/, built from C by the build), then a core
# module from WAT.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -Dexamples=enabled >/dev/null
run() { printf '$'; printf ' %q' "$@"; echo; "$@"; }
reg=build/examples/hello/hello.yaml
run build/cli/wippy-run "$reg" greet '{"text": "world", "shout": false}'
run build/cli/wippy-run "$reg" hello:greet '{"text": "wippy", "shout": true}'
run build/cli/wippy-run "$reg" main Alice Bob
run build/cli/wippy-run run examples/hello.wat --invoke fib 30
