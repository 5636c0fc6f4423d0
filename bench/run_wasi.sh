#!/usr/bin/env bash
# run_wasi.sh — WASI command benchmarks through `wippy-run run` (reported,
# not asserted; run by hand after building the tests/guests components):
#   bash bench/run_wasi.sh [BUILD_DIR] [RUNS]        (default: build, 20)
# startup   `wippy-run run hello.component.wasm > /dev/null`: median wall
#           time and median peak RSS over RUNS runs (RSS from /usr/bin/time)
# stdout    write_bytes.component.wasm writing 64 MiB in 64 KiB writes
#           (each one blocking-write-and-flush through the adapter) to
#           /dev/null and into a pipe: median MiB/s over 5 runs, whole
#           process time (startup included, a few ms)
# file      the same 64 MiB into a file under a --dir grant (checked for
#           its size afterwards): median MiB/s over 5 runs
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} runs=${2:-20}
wippy=$build/cli/wippy-run guests=$build/tests/guests
for f in "$wippy" "$guests/hello.component.wasm" "$guests/write_bytes.component.wasm"; do
  [ -e "$f" ] || { echo "run_wasi.sh: $f missing (ninja -C $build first)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "run_wasi.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

walls=() rss=()
for ((i = 0; i < runs; i++)); do
  t0=$(now_ns)
  /usr/bin/time -f %M -o "$tmp/rss" "$wippy" run "$guests/hello.component.wasm" > /dev/null
  t1=$(now_ns)
  walls+=($(( (t1 - t0) / 1000 )))
  rss+=("$(tail -n 1 "$tmp/rss")")
done
wall_us=$(printf '%s\n' "${walls[@]}" | median)
rss_kb=$(printf '%s\n' "${rss[@]}" | median)
awk -v us="$wall_us" -v kb="$rss_kb" -v n="$runs" 'BEGIN {
  printf "startup  hello.component.wasm: median %.2f ms wall, median peak RSS %.1f MiB (%d runs)\n", us / 1000, kb / 1024, n }'

mib=64
# Runs "$@" 5 times; prints the median MiB/s for $mib MiB.
rate() {
  local t=() t0 t1
  for ((i = 0; i < 5; i++)); do
    t0=$(now_ns); "$@"; t1=$(now_ns)
    t+=($(( (t1 - t0) / 1000 )))
  done
  local us; us=$(printf '%s\n' "${t[@]}" | median)
  awk -v mib="$mib" -v us="$us" 'BEGIN { print mib / (us / 1000000) }'
}
to_null() { "$wippy" run "$guests/write_bytes.component.wasm" -- stdout $mib > /dev/null 2> "$tmp/err"; }
to_pipe() { "$wippy" run "$guests/write_bytes.component.wasm" -- stdout $mib 2> "$tmp/err" | cat > /dev/null; }
printf 'stdout   %d MiB to /dev/null: %.0f MiB/s\n' $mib "$(rate to_null)"
printf 'stdout   %d MiB into a pipe:  %.0f MiB/s\n' $mib "$(rate to_pipe)"

mkdir -p "$tmp/out"
to_file() { "$wippy" run "$guests/write_bytes.component.wasm" --dir "$tmp/out::/out" -- /out/data.bin $mib 2> "$tmp/err"; }
if to_file && [ "$(stat -c %s "$tmp/out/data.bin")" = $((mib * 1048576)) ]; then
  printf 'file     %d MiB under --dir:   %.0f MiB/s\n' $mib "$(rate to_file)"
else
  echo "file     unavailable: $(head -n 1 "$tmp/err")"
fi
