#!/usr/bin/env bash
# Shows that libwippy and wippy-run need only the C++ dependencies: in a
# scratch folder, with a PATH that has no node, npm, npx, jco, clang or
# wasm-ld (links to every other program on PATH), it configures the source
# tree twice:
#  1. -Dtests=disabled -Dexamples=disabled (what an embedder runs);
#  2. the defaults (tests, examples and bench `auto`), which must then leave
#     all three out.
# Each configure must succeed; `meson introspect` must list the wippy
# library and wippy-run and no guest, test, example or bench target; and
# `ninja -n` (a dry run) must plan only C/C++ compiles, links and archives.
# Prints what it checked; exits non-zero on the first failure.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/wippy-minimal.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# The PATH without the guest toolchain.
mkdir "$scratch/bin"
declare -A seen=()
links=()
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || continue
  for p in "$d"/*; do
    name=${p##*/}
    case $name in
      node | nodejs | npm | npx | corepack | jco | clang | clang-* | clang++* | wasm-ld*) continue ;;
    esac
    [ -x "$p" ] && [ -z "${seen[$name]:-}" ] || continue
    seen[$name]=1
    links+=("$p")
  done
done
printf '%s\0' "${links[@]}" | xargs -0 ln -s -t "$scratch/bin"
bare_path=$scratch/bin
if PATH=$bare_path command -v node >/dev/null || PATH=$bare_path command -v clang >/dev/null; then
  echo "minimal configure: FAIL: node or clang still on the scratch PATH"
  exit 1
fi
echo "minimal configure: PATH=$bare_path (no node, npm, jco, clang, wasm-ld)"

check() {  # NAME MESON-OPTIONS...
  local name=$1; shift
  local dir=$scratch/$name
  echo "\$ meson setup $dir $*"
  if ! PATH=$bare_path meson setup "$dir" "$src" "$@" >"$scratch/$name.log" 2>&1; then
    cat "$scratch/$name.log"
    echo "minimal configure ($name): FAIL: meson setup failed"
    return 1
  fi
  grep -E '^ *(User defined options|(tests|examples|bench) *:)|^Build targets|^Message:' "$scratch/$name.log" || true
  meson introspect --targets "$dir" | python3 -c '
import json, sys
names = [t["name"] for t in json.load(sys.stdin)]
missing = [n for n in ("wippy", "wippy-run") if n not in names]
extra = [n for n in names if n.endswith(".wasm") or n in
         ("unit-tests", "runtime-tests", "wippy-fuzz", "embed", "wippy-bench")]
shown = ", ".join(extra) or "none"
print(f"  targets: {len(names)}; wippy and wippy-run present: {not missing}; guest/test/example/bench targets: {shown}")
sys.exit(1 if missing or extra else 0)' || { echo "minimal configure ($name): FAIL: targets"; return 1; }
  # Every planned command is a compile, link or archive (no node, jco, clang).
  local odd
  odd=$(PATH=$bare_path ninja -C "$dir" -n -v 2>/dev/null | sed -n 's/^\[[0-9]*\/[0-9]*\] //p' |
        grep -vE '^(ccache )?(c\+\+|cc|g\+\+|gcc)( |$)|^rm -f |^(/usr/bin/)?(gcc-)?ar |^/usr/bin/meson |^meson ' || true)
  if [ -n "$odd" ]; then
    echo "$odd" | head -5
    echo "minimal configure ($name): FAIL: ninja would run other tools"
    return 1
  fi
  echo "  ninja -n: $(PATH=$bare_path ninja -C "$dir" -n 2>/dev/null | grep -c '^\[') steps, all C/C++ compiles, archives and links"
}

check no-tests-no-examples -Dtests=disabled -Dexamples=disabled
check defaults
echo "minimal configure: ok"
