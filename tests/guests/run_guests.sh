#!/usr/bin/env bash
# run_guests.sh — runs each guest in tests/guests/ under a WASI host and
# compares what it printed and its exit status with NAME.expected/NAME.spec.
#   run_guests.sh wippy PATH/TO/wippy-run SRC_DIR BUILD_DIR [NAME...]
#   run_guests.sh jco   PATH/TO/jco       SRC_DIR BUILD_DIR [NAME...]
#   run_guests.sh p1    PATH/TO/wippy-run SRC_DIR BUILD_DIR [NAME...]
# SRC_DIR holds NAME.spec, NAME.expected, optional NAME.setup.sh and
# jco.differences; BUILD_DIR holds NAME.component.wasm (built by meson).
# Without NAMEs every NAME.spec runs. The spec format is described in
# README.md. Each guest gets a fresh scratch directory
# BUILD_DIR/scratch/HOST/NAME: NAME.setup.sh runs there first, `dir` hosts
# and `stdin` files are relative to it, and the captured stdout/stderr are
# left there for inspection. The guest runs with BUILD_DIR as the working
# directory and its component path given as NAME.component.wasm, which is
# therefore argv[0].
# Under `jco`, jco.differences is applied first (see that file): its lines
# for a guest replace the spec's lines with the same key.
# Under `p1`, wippy-run runs NAME.core.wasm (the preview1 core module,
# before `jco new`) directly as a preview1 command, with argv[0] still
# NAME.component.wasm (--argv0), and p1.differences applies.
# Exit status: 0 when every guest passed (skips listed in jco.differences
# do not fail), 1 otherwise.
set -uo pipefail

host=$1 tool="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" src=$(cd "$3" && pwd) build=$(cd "$4" && pwd)
shift 4
case $host in wippy|jco|p1) ;; *) echo "run_guests.sh: unknown host $host" >&2; exit 2 ;; esac
[ -x "$tool" ] || { echo "run_guests.sh: $tool is not executable" >&2; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$src"/*.spec; do names+=("$(basename "$f" .spec)"); done
fi

# shellcheck source=spec_lines.sh
source "$(dirname "$0")/spec_lines.sh"
if [ "$host" = jco ]; then
  # The preview2-shim copy jco's generated code imports (see jco_init.mjs).
  WIPPY_P2SHIM=$(jco_p2shim "$tool")
  export WIPPY_P2SHIM
fi
differences=""
[ "$host" = jco ] && differences="$src/jco.differences"
[ "$host" = p1 ] && differences="$src/p1.differences"

for name in "${names[@]}"; do
  [ -f "$src/$name.spec" ] || { name=$name fail "no spec $src/$name.spec"; continue; }
  scratch="$build/scratch/$host/$name"
  rm -rf "$scratch" && mkdir -p "$scratch"
  if [ -f "$src/$name.setup.sh" ]; then
    if ! (cd "$scratch" && bash "$src/$name.setup.sh" > setup.log 2>&1); then
      fail "$name.setup.sh failed: $(tail -n 3 "$scratch/setup.log")"; continue
    fi
  fi

  args=() envs=() dirs=() nets=() server="" cwd="" stdin=/dev/null exit_want=0 stdout_mode=raw
  stderr_want=() stderr_lines="" expected="$src/$name.expected" skip="" bad="" guest=$name
  while IFS=$'\t' read -r key value; do
    case $key in
      component) guest=$value ;;
      arg) args+=("$value") ;;
      env) envs+=("$value") ;;
      dir) dirs+=("$value") ;;
      net) nets+=("$value") ;;
      http-server) server=$value ;;
      cwd) cwd=$value ;;
      stdin) stdin="$scratch/$value" ;;
      exit) exit_want=$value ;;
      stdout) stdout_mode=$value ;;
      stderr) [ -n "$value" ] && stderr_want+=("$value") ;;
      stderr-lines) stderr_lines=$value ;;
      expected) expected="$src/$value" ;;
      skip) skip=$value ;;
      *) bad="unknown spec key '$key'" ;;
    esac
  done < <(spec_lines "$src/$name.spec" "$name" "$differences")
  [ -n "$bad" ] && { fail "$bad"; continue; }
  comp="$guest.component.wasm"
  [ "$host" = p1 ] && comp="$guest.core.wasm"
  if [ -n "$skip" ]; then
    echo "SKIP $name ($host): $skip"; skipped=$((skipped + 1)); continue
  fi
  [ -f "$build/$comp" ] || { fail "component $build/$comp was not built"; continue; }

  # http-server SCRIPT: a loopback server for this run (python3 SRC/SCRIPT
  # prints "PORT CLOSED_PORT" first); @HTTP_PORT@ and @CLOSED_PORT@ in arg
  # and env values become those ports. No server, no run: that fails.
  server_pid=""
  if [ -n "$server" ]; then
    python3 "$src/$server" > "$scratch/server.ports" 2> "$scratch/server.log" &
    server_pid=$!
    for _ in $(seq 100); do [ -s "$scratch/server.ports" ] && break; kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    http_port="" closed_port=""
    read -r http_port closed_port < "$scratch/server.ports" 2>/dev/null
    if [ -z "${closed_port:-}" ]; then
      kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
      fail "http-server $server gave no port: $(tail -n 3 "$scratch/server.log")"; continue
    fi
    for i in "${!args[@]}"; do args[$i]=${args[$i]//@HTTP_PORT@/$http_port}; args[$i]=${args[$i]//@CLOSED_PORT@/$closed_port}; done
    for i in "${!envs[@]}"; do envs[$i]=${envs[$i]//@HTTP_PORT@/$http_port}; envs[$i]=${envs[$i]//@CLOSED_PORT@/$closed_port}; done
  fi

  # dir HOST::GUEST[:ro], HOST relative to the scratch directory.
  host_dirs=() guest_dirs=() ro_flags=()
  for d in "${dirs[@]+"${dirs[@]}"}"; do
    h=${d%%::*} g=${d#*::} ro=""
    [[ $g == *:ro ]] && { g=${g%:ro}; ro=":ro"; }
    [[ $h == /* ]] || h="$scratch/$h"
    host_dirs+=("$h") guest_dirs+=("$g") ro_flags+=("$ro")
  done

  if [ "$host" = wippy ] || [ "$host" = p1 ]; then
    cmd=("$tool" run "$comp")
    [ "$host" = p1 ] && cmd+=(--argv0 "$guest.component.wasm")
    for i in "${!host_dirs[@]}"; do cmd+=(--dir "${host_dirs[$i]}::${guest_dirs[$i]}${ro_flags[$i]}"); done
    for e in "${envs[@]+"${envs[@]}"}"; do cmd+=(--env "$e"); done
    [ -n "$cwd" ] && cmd+=(--cwd "$cwd")
    for n in "${nets[@]+"${nets[@]}"}"; do
      if [ "$n" = deny ]; then cmd+=(--deny-net); else cmd+=(--allow-net "$n"); fi
    done
    cmd+=(-- "${args[@]+"${args[@]}"}")
    (cd "$build" && timeout 300 "${cmd[@]}" < "$stdin" > "$scratch/stdout" 2> "$scratch/stderr")
    rc=$?
  else
    inv="$scratch/invocation"
    {
      printf 'arg\t%s\n' "$comp"
      for a in "${args[@]+"${args[@]}"}"; do printf 'arg\t%s\n' "$a"; done
      for e in "${envs[@]+"${envs[@]}"}"; do printf 'env\t%s\n' "$e"; done
      for i in "${!host_dirs[@]}"; do printf 'dir\t%s\t%s\n' "${host_dirs[$i]}" "${guest_dirs[$i]}"; done
      [ -n "$cwd" ] && printf 'cwd\t%s\n' "$cwd"
    } > "$inv"
    (cd "$build" && WIPPY_GUEST_INVOCATION="$inv" timeout 300 "$tool" run --jco-import "$src/jco_init.mjs" "$comp" \
       < "$stdin" > "$scratch/stdout" 2> "$scratch/stderr")
    rc=$?
  fi

  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi

  actual="$scratch/stdout"
  if [ "$stdout_mode" = sha256 ]; then
    # Large outputs: compare "sha256 HEX bytes N" instead of the bytes.
    printf 'sha256 %s bytes %s\n' "$(sha256sum < "$scratch/stdout" | cut -d' ' -f1)" \
      "$(wc -c < "$scratch/stdout" | tr -d ' ')" > "$scratch/stdout.summary"
    actual="$scratch/stdout.summary"
  elif [ "$stdout_mode" != raw ]; then
    fail "unknown stdout mode '$stdout_mode'"; continue
  fi
  check_outcome "$rc" "$exit_want" "$expected" "$actual" 40
  for s in "${stderr_want[@]+"${stderr_want[@]}"}"; do
    grep -qF -- "$s" "$scratch/stderr" || problems+=("stderr lacks \"$s\"")
  done
  if [ -n "$stderr_lines" ]; then
    n=$(wc -l < "$scratch/stderr" | tr -d ' ')
    [ "$n" = "$stderr_lines" ] || problems+=("stderr has $n lines, expected $stderr_lines")
  fi
  report_case "$scratch/stderr" 600
done

summary "guests ($host)"
