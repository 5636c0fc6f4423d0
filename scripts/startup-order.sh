#!/usr/bin/env bash
# startup-order.sh — writes cli/startup.order: the functions wippy-run
# executes when it starts, for lld to lay out together in the static
# wippy-run (cli/meson.build). Run by hand after changes that move much of
# the start-up path (not by the build or the tests; needs valgrind):
#   bash scripts/startup-order.sh [BUILD_DIR]     (default: build)
# BUILD_DIR must hold cli/wippy-run and examples/ (-Dexamples=enabled).
# Each run below goes through callgrind (mangled names, as the linker wants
# them); functions are listed in the order the runs first name them, warm
# runs (a filled code cache) before cold ones, as those are what a user
# starts most. A stale file costs only layout: names gone from the code are
# ignored, new functions are placed after the listed ones.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
wr=$build/cli/wippy-run
hello=$build/examples/hello
command -v valgrind >/dev/null || { echo "startup-order.sh: valgrind is needed" >&2; exit 1; }
for f in "$wr" "$hello/hello_cmd.component.wasm" "$hello/hello.yaml"; do
  [ -e "$f" ] || { echo "startup-order.sh: $f is missing (build with -Dexamples=enabled)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache
profile() {  # profile NAME ARGS...: one callgrind run of wippy-run ARGS
  local name=$1; shift
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$tmp/$name.out" "$wr" "$@" >/dev/null 2>"$tmp/$name.err" ||
    { echo "startup-order.sh: wippy-run $* failed:" >&2; tail -5 "$tmp/$name.err" >&2; exit 1; }
}
# Cold (the cache empty), then warm, for each kind of start.
for pass in cold warm; do
  profile "$pass-cmd" run "$hello/hello_cmd.component.wasm"
  profile "$pass-greet" "$hello/hello.yaml" greet '{"text": "world", "shout": false}'
  profile "$pass-main" "$hello/hello.yaml" main Alice
done
profile core run "$root/examples/hello.wat" --invoke fib 20
profile help --help
python3 - "$tmp" > "$root/cli/startup.order" <<'EOF'
import re, sys
d = sys.argv[1]
runs = ['warm-cmd', 'warm-main', 'warm-greet', 'core', 'help', 'cold-cmd', 'cold-main', 'cold-greet']
seen, order = set(), []
for run in runs:
    names = {}  # callgrind names a function once, then refers to it by id
    for line in open(f'{d}/{run}.out'):
        m = re.match(r'^c?fn=\((\d+)\)(?: (.+))?$', line.rstrip('\n'))
        if not m:
            continue
        if m.group(2):
            names[m.group(1)] = m.group(2).split("'")[0]  # 'N: a recursion level
        name = names.get(m.group(1))
        if name and name not in seen:
            seen.add(name)
            order.append(name)
print('\n'.join(order))
EOF
echo "cli/startup.order: $(wc -l < "$root/cli/startup.order") functions"
