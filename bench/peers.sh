#!/usr/bin/env bash
# peers.sh — the bench kernels (bench/kernels/*.c, built as
# <build>/bench/kernels/<name>.wasm) run by `wippy-run` and by peer
# interpreters given as options, whole process each time (run by hand;
# reported, not asserted except that every runtime prints the same result):
#   bash bench/peers.sh [--build DIR] [--wasm3 PATH] [--iwasm PATH]
#                       [--iwasm-classic PATH] [--runs N] [--filter SUBSTR]
#                       [--n N] [--p1]
# --build DIR        meson build dir holding cli/wippy-run and
#                    bench/kernels/*.wasm (default: build)
# --wasm3 PATH       wasm3 CLI: `wasm3 --func run N FILE.wasm`
# --iwasm PATH       WAMR iwasm (fast interpreter build): `iwasm -f run FILE.wasm N`
# --iwasm-classic PATH  a second iwasm, built with WAMR_BUILD_FAST_INTERP=0
# --runs N           timed runs per kernel and runtime (default 5); the
#                    median is reported
# --filter SUBSTR    only kernels whose name contains SUBSTR
# --n N              argument for every kernel instead of its default
# --p1               run the kernels as WASI preview1 commands instead:
#                    every runtime gets the same <name>.p1.wasm bytes
#                    (`FILE N`; `wippy-run run FILE -- N`) and prints the
#                    result line through its WASI layer; wippy also runs
#                    <name>.p1.component.wasm (the same module wrapped by
#                    the preview1 adapter) as the column wippy-component.
#                    Both are built with the guest toolchain (tools/).
# WASM3=PATH, IWASM=PATH, IWASM_CLASSIC=PATH in the environment add the
# same peers when PATH is executable (before any given as options).
# Kernel names and default arguments are read from bench/kernel_list.cpp
# (the list `wippy-bench kernels` uses). Per kernel, every runtime first
# runs once untimed (its result must be a single i32, equal to wippy's, or
# the script stops with status 1), then the runtimes take turns for N
# rounds so load from elsewhere on the machine spreads over all of them.
# Each timed run is the wall time of the whole process (fork, exec,
# load, compile, the call, exit) from bash's $EPOCHREALTIME, and its
# result is checked again. The table shows median ms per runtime and,
# per peer, `peer ms / wippy ms` (>1: wippy is faster); the last row is
# the geometric mean of each column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=build runs=5 filter='' n_override='' p1=0
names=(wippy) bins=('')
# Peers may also come from the environment (WASM3=, IWASM=, IWASM_CLASSIC=
# paths), each run when set and executable, as if given by its option.
for spec in WASM3:wasm3 IWASM:iwasm-fast IWASM_CLASSIC:iwasm-classic; do
  var=${spec%%:*} path=${!var:-}  # a peer variable's value
  if [ -n "$path" ] && [ -x "$path" ]; then names+=("${spec#*:}"); bins+=("$path"); fi
done
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --wasm3) names+=(wasm3); bins+=("$2"); shift 2 ;;
    --iwasm) names+=(iwasm-fast); bins+=("$2"); shift 2 ;;
    --iwasm-classic) names+=(iwasm-classic); bins+=("$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --n) n_override=$2; shift 2 ;;
    --p1) p1=1; shift ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
bins[0]=$build/cli/wippy-run
if [ $p1 = 1 ]; then  # the component column goes second, beside wippy
  names=("${names[0]}" wippy-component "${names[@]:1}")
  bins=("${bins[0]}" "${bins[0]}" "${bins[@]:1}")
fi
kdir=$build/bench/kernels
for b in "${bins[@]}"; do
  [ -x "$b" ] || { echo "peers.sh: $b is not an executable" >&2; exit 1; }
done
[ ${#names[@]} -gt 1 ] || echo "peers.sh: no peer given (--wasm3/--iwasm/--iwasm-classic); timing wippy alone" >&2

# `{"fib", "recursive Fibonacci (calls)", 37, fib_run, false},` -> "fib 37"
# (not the -msimd128 builds `*_simd`: wasm3 and the SIMD-less iwasm builds cannot run them)
mapfile -t kernels < <(sed -n 's/^ *{"\([a-z0-9_]*\)", "[^"]*", *\([0-9-]*\),.*/\1 \2/p' "$here/kernel_list.cpp" |
  grep -v '^[a-z0-9]*_simd ')
[ ${#kernels[@]} -gt 0 ] || { echo "peers.sh: no kernels found in $here/kernel_list.cpp" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_one RUNTIME_INDEX FILE N: runs it with stdout+stderr in $tmp/out, sets
# `elapsed_us` and `result` (the printed i32 as a signed decimal, or empty).
run_one() {
  local i=$1 file=$2 n=$3 t0 t1 status=0
  local -a cmd
  if [ $p1 = 1 ]; then
    case ${names[$i]} in
      wippy) cmd=("${bins[$i]}" run "$file" -- "$n") ;;
      wippy-component) cmd=("${bins[$i]}" run "${file%.wasm}.component.wasm" -- "$n") ;;
      *) cmd=("${bins[$i]}" "$file" "$n") ;;
    esac
  else
    case ${names[$i]} in
      wippy) cmd=("${bins[$i]}" run "$file" --invoke run "$n") ;;
      wasm3) cmd=("${bins[$i]}" --func run "$file" "$n") ;;
      iwasm-*) cmd=("${bins[$i]}" -f run "$file" "$n") ;;
    esac
  fi
  t0=$EPOCHREALTIME
  "${cmd[@]}" > "$tmp/out" 2>&1 || status=$?
  t1=$EPOCHREALTIME
  elapsed_us=$(( ${t1/./} - ${t0/./} ))
  result=''
  [ $status -eq 0 ] || return 0
  # wippy: "i32:-5"; wasm3: "Result: -5"; iwasm: "0xfffffffb:i32";
  # a preview1 command: "-5".
  local out
  out=$(tr -d '\r' < "$tmp/out")
  case $out in
    -[0-9]*|[0-9]*) result=$out ;;
    i32:*) result=${out#i32:} ;;
    Result:\ *) result=${out#Result: } ;;
    0x*:i32) result=$(( ${out%:i32} )); [ "$result" -lt 2147483648 ] || result=$(( result - 4294967296 )) ;;
  esac
  [[ $result =~ ^-?[0-9]+$ ]] || result=''
}

fail() {
  echo "peers.sh: $1: ${names[$2]} printed:" >&2
  sed 's/^/  /' "$tmp/out" >&2
  exit 1
}

median_of() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Header: kernel, n, result, then "<runtime> ms" per runtime and
# "<peer>/wippy" per peer.
header=$(printf '%-10s %4s %12s %10s' kernel n result 'wippy ms')
widths=(10)   # per runtime: column width (a peer's two columns share it)
for ((i = 1; i < ${#names[@]}; i++)); do
  widths+=($(( ${#names[$i]} + 6 )))
  header+=$(printf ' %*s %*s' "${widths[$i]}" "${names[$i]} ms" "${widths[$i]}" "${names[$i]}/wippy")
done
echo "$header"
rows=()   # per kernel: "ms0 ms1 ... msK" (medians, milliseconds)
for entry in "${kernels[@]}"; do
  kernel=${entry% *} n=${entry#* }
  [[ -z $filter || $kernel == *"$filter"* ]] || continue
  [ -z "$n_override" ] || n=$n_override
  file=$kdir/$kernel.wasm
  [ $p1 = 0 ] || file=$kdir/$kernel.p1.wasm
  [ -f "$file" ] || { echo "peers.sh: $file missing (ninja -C $build)" >&2; exit 1; }
  expected=''
  for ((i = 0; i < ${#names[@]}; i++)); do
    run_one "$i" "$file" "$n"
    [ -n "$result" ] || fail "$kernel($n) gave no i32 result" "$i"
    [ -n "$expected" ] || expected=$result
    [ "$result" = "$expected" ] || fail "$kernel($n) = $result, but wippy gave $expected" "$i"
  done
  declare -A times=()
  for ((r = 0; r < runs; r++)); do
    for ((i = 0; i < ${#names[@]}; i++)); do
      run_one "$i" "$file" "$n"
      [ "$result" = "$expected" ] || fail "$kernel($n) timed run gave '$result', expected $expected" "$i"
      times[$i]+="$elapsed_us "
    done
  done
  row='' line=$(printf '%-10s %4s %12s' "$kernel" "$n" "$expected")
  for ((i = 0; i < ${#names[@]}; i++)); do
    # shellcheck disable=SC2086
    ms=$(median_of ${times[$i]} | awk '{printf "%.1f", $1 / 1000}')
    row+="$ms "
    if [ "$i" -eq 0 ]; then
      line+=$(printf ' %10s' "$ms")
    else
      line+=$(awk -v p="$ms" -v w="${row%% *}" -v cw="${widths[$i]}" 'BEGIN {printf " %*s %*.2f", cw, p, cw, p / w}')
    fi
  done
  unset times
  rows+=("$row")
  echo "$line"
done
[ ${#rows[@]} -gt 0 ] || { echo "peers.sh: no kernel matches '$filter'" >&2; exit 1; }
# Geometric means: of each runtime's ms column and of each peer/wippy ratio.
printf '%s\n' "${rows[@]}" | awk -v k="${#names[@]}" -v cws="${widths[*]}" '
  { for (i = 1; i <= k; i++) s[i] += log($i); if (k > 1) for (i = 2; i <= k; i++) r[i] += log($i / $1) }
  END {
    split(cws, cw, " ")
    printf "%-10s %4s %12s %10.1f", "geomean", "", "", exp(s[1] / NR)
    for (i = 2; i <= k; i++) printf " %*.1f %*.2f", cw[i], exp(s[i] / NR), cw[i], exp(r[i] / NR)
    printf "\n"
  }'
echo "(median of $runs whole-process runs each, ms; peer/wippy > 1 means wippy is faster)"
