#!/usr/bin/env bash
# run_registry.sh — `wippy-run FILE.yaml ...` end to end.
#   run_registry.sh WIPPY_RUN GUEST_DIR [core|mounts|sockets SOCKETS_GUEST_DIR]
# `mounts` runs only the wasi:filesystem mount checks (needs the host's
# preopens), `core` everything else; no third argument runs both.
# `sockets` runs only the wasi:sockets grant checks, with the sockets_tcp
# guest of tests/guests (in SOCKETS_GUEST_DIR) on loopback, and its
# sockets_js guest (componentize-js, every wasi:sockets interface).
# GUEST_DIR holds typed.component.wasm and wasi_cmd.component.wasm (built by
# meson). Registry files are written into a fresh scratch folder with the
# components' real sha256 hashes. Each check runs wippy-run and compares the
# exit status, the whole stdout and (for errors) one stderr line. Error
# cases use registries whose command guest prints as soon as it runs, so an
# empty stdout shows that nothing ran.
set -uo pipefail
W=$1
G=$(cd "$2" && pwd)
PART=${3:-all}
S=$(mktemp -d "${TMPDIR:-/tmp}/wippy-registry.XXXXXX")
trap 'rm -rf "$S"' EXIT
cp "$G/typed.component.wasm" "$G/wasi_cmd.component.wasm" "$G/cwd.component.wasm" "$S/"
mkdir -p "$S/data" "$S/scratch"
echo "hello from data" > "$S/data/in.txt"
TH=$(sha256sum "$S/typed.component.wasm" | cut -d' ' -f1)
CH=$(sha256sum "$S/wasi_cmd.component.wasm" | cut -d' ' -f1)
DH=$(sha256sum "$S/cwd.component.wasm" | cut -d' ' -f1)
WASI_ALL='[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random]'

pass=0 fail=0
# check NAME WANT_RC WANT_STDOUT WANT_STDERR_LINE -- ARGS...   (run in $S)
check() {
  [ "$PART" = mounts ] && return 0  # (the registry files are still written)
  local name=$1 want_rc=$2 want_out=$3 want_err=$4
  shift 5
  local out err rc
  out=$(cd "$S" && "$W" "$@" 2>"$S/.err")
  rc=$?
  err=$(cat "$S/.err")
  local ok=1
  [ "$rc" = "$want_rc" ] || ok=0
  [ "$out" = "$want_out" ] || ok=0
  if [ -n "$want_err" ]; then grep -qxF -- "$want_err" "$S/.err" || ok=0; else [ -z "$err" ] || ok=0; fi
  if [ $ok = 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL %s\n  want rc=%s stdout=[%s] stderr=[%s]\n  got  rc=%s stdout=[%s] stderr=[%s]\n' \
      "$name" "$want_rc" "$want_out" "$want_err" "$rc" "$out" "$err"
  fi
}

# sockets.yaml: sockets_tcp under an entry granting wasi:sockets prints the
# transcript it prints under `wippy-run run`; without the grant the entry
# is refused at load, naming the interface, and nothing runs.
if [ "$PART" = sockets ]; then
  cp "$4/sockets_tcp.component.wasm" "$4/sockets_js.component.wasm" "$S/"
  SC=sockets_tcp  # the component of the entries sock_fn writes
  sock_fn() {  # NAME IMPORTS [EXTRA YAML LINES]
    printf '  - {name: %s, kind: function.wasm, fs: files, path: /%s.component.wasm,\n' "$1" "$SC"
    printf '     hash: "sha256:%s", method: run, imports: %s%s}\n' \
      "$(sha256sum "$S/$SC.component.wasm" | cut -d' ' -f1)" "$2" "${3:-}"
  }
  sock_head='namespace: net\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n'
  { printf "$sock_head"; sock_fn nogrant "$WASI_ALL"; } > "$S/sockets_nogrant.yaml"
  {
    printf "$sock_head"
    sock_fn tcp '[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random, wasi:sockets]'
    sock_fn narrow '[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random, wasi:sockets]' \
      ', wasi: {network: {allow: ["tcp:127.0.0.1:1-1"]}}'
    sock_fn onesock '[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random, wasi:sockets]' \
      ', limits: {max_open_sockets: 1}'
  } > "$S/sockets.yaml"
  direct=$(cd "$S" && "$W" run sockets_tcp.component.wasm 2>&1); rc=$?
  if [ "$rc" = 0 ] && [ "$direct" = "$(cat "$(dirname "$0")/../guests/sockets_tcp.expected")" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); printf 'FAIL sockets: wippy-run run\n  got rc=%s out=[%s]\n' "$rc" "$direct"
  fi
  check "sockets: a registry entry granting wasi:sockets, same transcript as wippy-run run" 0 "$direct" '' -- \
    sockets.yaml tcp
  check "sockets: the entry without the grant is refused at load, naming the interface" 1 '' \
    "wippy-run: error: sockets_nogrant.yaml:4: component imports wasi:sockets/network@0.2.12, which entry net:nogrant does not grant (add wasi:sockets to imports)" -- \
    sockets_nogrant.yaml nogrant
  check "sockets: wasi.network narrows the grant: a connect outside it is access-denied" 0 \
    "$(printf '%s\n' 'connect 127.0.0.1:9: access-denied' 'bind 127.0.0.1:9: access-denied' done)" '' -- \
    sockets.yaml narrow deny 9
  check "sockets: limits.max_open_sockets reaches the host: the second socket is new-socket-limit" 1 \
    "$(printf '%s\n' 'ipv4 listener: listening yes, family ipv4' 'create: new-socket-limit')" '' -- sockets.yaml onesock
  # sockets_js imports every wasi:sockets interface, and wasi:http
  # (componentize-js adds it for fetch()).
  SC=sockets_js
  { printf "$sock_head"; sock_fn jsnogrant "[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random, wasi:http]"; } \
    > "$S/sockets_js_nogrant.yaml"
  {
    printf "$sock_head"
    sock_fn js '[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random, wasi:sockets, wasi:http]'
    sock_fn jstwo '[wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random, wasi:sockets, wasi:http]' \
      ', limits: {max_open_sockets: 2}'
  } > "$S/sockets_js.yaml"
  direct=$(cd "$S" && "$W" run sockets_js.component.wasm -- tcp udp many 3 network 2>&1); rc=$?
  if [ "$rc" = 0 ] && [ "$direct" = "$(cat "$(dirname "$0")/../guests/sockets_js.expected")" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); printf 'FAIL sockets: wippy-run run sockets_js\n  got rc=%s out=[%s]\n' "$rc" "$direct"
  fi
  check "sockets: JS importing all of wasi:sockets under an entry granting it, same transcript as wippy-run run" 0 \
    "$direct" '' -- sockets_js.yaml js tcp udp many 3 network
  check "sockets: the JS entry without the grant is refused at load, naming the interface" 1 '' \
    "wippy-run: error: sockets_js_nogrant.yaml:4: component imports wasi:sockets/network@0.2.12, which entry net:jsnogrant does not grant (add wasi:sockets to imports)" -- \
    sockets_js_nogrant.yaml jsnogrant
  check "sockets: limits.max_open_sockets reaches the JS guest: the third socket is new-socket-limit" 0 \
    "$(printf '%s\n' '== many 5' 'tcp sockets: 2 created, stopped by new-socket-limit' \
      'udp sockets: 0 created, stopped by new-socket-limit' done)" '' -- sockets_js.yaml jstwo many 5
  SC=sockets_tcp
  # wippy-run run's wasi:http grant options are checked before anything runs.
  check "sockets: run --allow-http-host takes valid patterns, --http-ca-file a file" 0 \
    "$(printf '%s\n' 'churn: 3 sockets, 0 failed' done)" '' -- run sockets_tcp.component.wasm \
    --allow-http-host '*.example.org:443' --allow-http-host '[::1]:8443' --http-ca-file sockets.yaml churn 3
  check "sockets: run --allow-http-host refuses a bad pattern" 2 '' \
    'wippy-run: error: run: --allow-http-host: invalid host pattern bad host: not a host name or IP address' -- \
    run sockets_tcp.component.wasm --allow-http-host 'bad host' churn 3
  check "sockets: run --http-ca-file needs a regular file" 2 '' \
    'wippy-run: error: run: --http-ca-file /nonexistent.pem: not a regular file' -- \
    run sockets_tcp.component.wasm --http-ca-file /nonexistent.pem churn 3
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
  exit
fi

# typed.yaml: one entry per export of the typed guest.
typed_fn() {  # NAME METHOD [EXTRA YAML LINES]
  printf '  - name: %s\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n' "$1"
  printf '    hash: sha256:%s\n    method: "%s"\n    imports: %s\n%s' "$TH" "$2" "$WASI_ALL" "${3:-}"
}
{
  printf 'version: "1.0"\nnamespace: typed\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n'
  typed_fn greet greet
  typed_fn words words
  typed_fn centroid 'guests:c-exports/geometry#centroid'
  typed_fn area 'geometry#area'
  typed_fn area_v 'guests:c-exports/geometry@0.1.0#area'
  typed_fn sleep 'test-sleep#sleep-ms'
  typed_fn spin spin '    limits: {max_execution_ms: 1500}
'
} > "$S/typed.yaml"

check "typed: string in, string out" 0 '"hello, world"' '' -- typed.yaml greet '"world"'
check "typed: empty string" 0 '"hello, "' '' -- typed.yaml greet '""'
check "typed: ns:name entry" 0 '"hello, ünï"' '' -- typed.yaml typed:greet '"ünï"'
check "typed: list<string> result" 0 '["a","bb","ccc"]' '' -- typed.yaml words '"a bb  ccc"'
check "typed: list<record> -> result ok record" 0 '{"ok":{"x":2,"y":3.5}}' '' -- \
  typed.yaml centroid '[{"x":1,"y":2},{"x":3,"y":5}]'
check "typed: result err string" 0 '{"err":"no points"}' '' -- typed.yaml centroid '[]'
check "typed: variant case with f64" 0 '12.566370614359172' '' -- typed.yaml area '{"circle":2}'
check "typed: variant case with record" 0 '-6' '' -- typed.yaml area '{"rect":{"x":2,"y":-3}}'
check "typed: variant case without payload" 0 '0' '' -- typed.yaml area_v '"dot"'
check "typed: interface function without result" 0 '' '' -- typed.yaml sleep 5
check "typed: bad input (type)" 1 '' \
  'wippy-run: error: entry typed:greet: argument 1: expected a string, got 5' -- typed.yaml greet 5
check "typed: bad input (record field)" 1 '' \
  'wippy-run: error: entry typed:centroid: argument 1: index 0: missing field "y"' -- \
  typed.yaml centroid '[{"x":1}]'
check "typed: bad input (JSON)" 1 '' \
  "wippy-run: error: entry typed:area: argument 1: JSON at offset 1: expected a string key in an object, got end of text" -- typed.yaml area '{'
check "typed: unknown entry" 1 '' \
  'wippy-run: error: no function entry typed:nope (entries: typed:greet, typed:words, typed:centroid, typed:area, typed:area_v, typed:sleep, typed:spin)' -- \
  typed.yaml typed:nope
start=$(date +%s%N)
check "typed: tight loop stopped by max_execution_ms" 1 '' 'wippy-run: error: entry typed:spin: deadline exceeded' -- \
  typed.yaml spin 0
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$PART" = mounts ]; then :; elif [ "$elapsed_ms" -ge 1490 ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL deadline timing: the 1500 ms deadline took ${elapsed_ms} ms"; fi
check "typed: finite loop within the limit" 0 '100000' '' -- typed.yaml spin 100000

# wat.yaml: function.wat, inline and file://.
cat > "$S/add.wat" <<'WAT'
(module
  (func (export "mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
  (func (export "boom") (result i32) unreachable))
WAT
cat > "$S/wat.yaml" <<'YAML'
namespace: wat
entries:
  - name: add
    kind: function.wat
    method: add
    wit: "add: func(a: s32, b: s32) -> s32;"
    source: |
      (module (func (export "add") (param i32 i32) (result i32)
        (i32.add (local.get 0) (local.get 1))))
  - name: half
    kind: function.wat
    method: half
    wit: "func(x: f64) -> f64"
    source: '(module (func (export "half") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5))))'
  - {name: mul, kind: function.wat, method: mul, source: "file://add.wat"}
  - {name: boom, kind: function.wat, method: boom, source: "file://add.wat"}
  - name: grow
    kind: function.wat
    method: grow
    limits: {memory_bytes: 131072}
    source: '(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'
YAML
check "wat: inline source, wit signature, negative arg" 0 '-5' '' -- wat.yaml add 2 -7
check "wat: unnamed wit signature" 0 '1.25' '' -- wat.yaml half 2.5
check "wat: file:// source, raw core types" 0 '-42000000000' '' -- wat.yaml mul 6 -7000000000
check "limits: memory.grow within memory_bytes" 0 '1' '' -- wat.yaml grow 1
check "limits: memory.grow beyond memory_bytes fails" 0 '-1' '' -- wat.yaml grow 2

# tables.yaml: tables count in memory_bytes and against the store's 10 M
# entry cap, also under a 2 GB address-space limit (ulimit -v).
T40=$(for _ in $(seq 40); do printf '(table 10000000 funcref) '; done)
cat > "$S/tables.yaml" <<YAML
namespace: tables
entries:
  - {name: many, kind: function.wat, method: size, source: '(module $T40 (func (export "size") (result i32) (table.size 0)))'}
  - name: grow
    kind: function.wat
    method: grow
    limits: {memory_bytes: 65536}
    source: '(module (table 0 funcref) (func (export "grow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0))))'
YAML
printf '#!/bin/sh\nulimit -v 2000000 && exec "%s" "$@"\n' "$W" > "$S/ulimited.sh" && chmod +x "$S/ulimited.sh"
W_ALL=$W W="$S/ulimited.sh"
check "limits: 40 tables of 10 M entries under ulimit -v are refused" 1 '' \
  "wippy-run: error: entry tables:many: table 1 (10000000 elements) exceeds the store's limits (table entries: 10000000 in use, limit 10000000; memory bytes: 80000000 in use, limit none)" -- tables.yaml many
check "limits: table.grow beyond memory_bytes fails" 0 '-1' '' -- tables.yaml grow 10000000
check "limits: table.grow within memory_bytes" 0 '0' '' -- tables.yaml grow 8192
check "limits: table.grow one entry past memory_bytes fails" 0 '-1' '' -- tables.yaml grow 8193
W=$W_ALL
cat > "$S/one.yaml" <<'YAML'
namespace: one
entries:
  - {name: neg, kind: function.wat, method: neg, wit: "func(x: s64) -> s64",
     source: '(module (func (export "neg") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0))))'}
YAML
check "one function entry: ENTRY omitted, -7 is a JSON number" 0 '7' '' -- one.yaml -7
check "one function entry: named as well" 0 '-5' '' -- one.yaml neg 5
check "wat: trap is one error line" 1 '' 'wippy-run: error: entry wat:boom: unreachable' -- wat.yaml boom

# cmd.yaml: the wasi:cli/run guest with env, args, cwd and mounts.
cmd_fn() {  # NAME [EXTRA YAML LINES]
  printf '  - name: %s\n    kind: function.wasm\n    fs: files\n    path: /wasi_cmd.component.wasm\n' "$1"
  printf '    hash: sha256:%s\n    method: run\n    imports: %s\n%s' "$CH" "$WASI_ALL" "${2:-}"
}
{
  printf 'namespace: cmd\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n'
  printf '  - {name: data, kind: fs.directory, directory: data}\n'
  printf '  - {name: scratch, kind: fs.directory, directory: scratch}\n'
  printf '  - {name: greeting, kind: env.variable, variable: WIPPY_TEST_GREETING, default: hi}\n'
  printf '  - {name: needed, kind: env.variable, variable: WIPPY_TEST_NEEDED}\n'
  cmd_fn run '    wasi:
      cwd: /data
      env:
        - {id: greeting, name: GREETING}
      mounts:
        - {fs: data, guest: /data, read_only: true}
        - {fs: scratch, guest: /scratch}
'
  cmd_fn fixed '    wasi:
      args: [prog, fixed, "two words"]
      env:
        - {id: needed, required: true}
'
} > "$S/cmd.yaml"

check "cmd: args after ENTRY verbatim, env default, exit 0" 0 "$(printf '%s\n' 'arg 0: run' 'arg 1: -7' \
  'arg 2: --flag' 'env GREETING=hi' 'cwd /')" '' -- cmd.yaml run -7 --flag
export WIPPY_TEST_GREETING=yo
check "cmd: env from the host variable" 0 "$(printf '%s\n' 'arg 0: run' 'env GREETING=yo' 'cwd /')" '' -- cmd.yaml run
unset WIPPY_TEST_GREETING
check "cmd: non-zero exit is the guest's status" 1 "$(printf '%s\n' 'arg 0: run' 'arg 1: exit' 'arg 2: 3' \
  'env GREETING=hi' 'cwd /')" '' -- cmd.yaml run exit 3
check "cmd: missing required env runs nothing" 1 '' \
  'wippy-run: error: required wasi env variable not found: cmd:needed' -- cmd.yaml fixed
WIPPY_TEST_NEEDED=set check "cmd: wasi.args replace the CLI args" 0 "$(printf '%s\n' 'arg 0: prog' 'arg 1: fixed' \
  'arg 2: two words' 'env WIPPY_TEST_NEEDED=set' 'cwd /')" '' -- cmd.yaml fixed ignored
# cwd: what wasi:cli/environment.initial-cwd reports (the default is /).
cat > "$S/cwd.yaml" <<YAML
namespace: cwd
entries:
  - {name: files, kind: fs.directory, directory: .}
  - {name: set, kind: function.wasm, fs: files, path: /cwd.component.wasm, hash: "sha256:$DH", method: cwd,
     imports: [wasi:cli], wasi: {cwd: /srv/app}}
  - {name: default, kind: function.wasm, fs: files, path: /cwd.component.wasm, hash: "sha256:$DH", method: cwd,
     imports: [wasi:cli/environment]}
YAML
check "cwd: wasi.cwd" 0 '"/srv/app"' '' -- cwd.yaml set
check "cwd: default /" 0 '"/"' '' -- cwd.yaml default

if [ "$PART" != core ]; then
# Mounts: the read-only one refuses writes (the reason text is the host's).
rm -f "$S/scratch/out.txt"
got=$(cd "$S" && "$W" cmd.yaml run files 2>&1 | sed 's/refused (.*)/refused/')
want=$(printf '%s\n' 'arg 0: run' 'arg 1: files' 'env GREETING=hi' 'cwd /' 'read /data/in.txt: hello from data' \
  'write /data/out.txt: refused' 'write /scratch/out.txt: ok')
if [ "$got" = "$want" ] && [ -f "$S/scratch/out.txt" ] && [ ! -e "$S/data/out.txt" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); printf 'FAIL cmd: mounts (read-only enforced)\n  want [%s]\n  got  [%s]\n' "$want" "$got"; fi
fi

# Errors: each message exactly, exit 1, and nothing ran (empty stdout).
err_case() {  # NAME FILE_CONTENT WANT_STDERR_LINE [ENTRY ARGS...]
  local name=$1 content=$2 want=$3
  shift 3
  printf '%s\n' "$content" > "$S/bad.yaml"
  check "error: $name" 1 '' "$want" -- bad.yaml "$@"
}
head='namespace: bad
entries:
  - {name: files, kind: fs.directory, directory: .}'
good_cmd="  - name: c
    kind: function.wasm
    fs: files
    path: /wasi_cmd.component.wasm
    hash: sha256:$CH
    method: run
    imports: $WASI_ALL"
err_case "bad YAML" "$head
  - {name: c, kind: function.wasm" \
  "wippy-run: error: bad.yaml:5: bad YAML: end of map flow not found"
err_case "namespace is required" "entries: []" "wippy-run: error: bad.yaml:1: namespace is required"
for field in fs path hash method; do
  err_case "$field is required" "$head
$(printf '%s\n' "$good_cmd" | grep -v "^    $field:")" "wippy-run: error: bad.yaml:4: entry bad:c: $field is required"
done
err_case "source is required" "$head
  - {name: w, kind: function.wat, method: f}" "wippy-run: error: bad.yaml:4: entry bad:w: source is required"
err_case "unknown kind" "$head
  - {name: x, kind: function.lua}" "wippy-run: error: bad.yaml:4: entry bad:x: unknown kind function.lua"
err_case "duplicate name" "$head
  - {name: files, kind: fs.directory, directory: .}" \
  "wippy-run: error: bad.yaml:4: entry bad:files: duplicate name files (first defined at bad.yaml:3)"
err_case "bad fs reference" "$(printf '%s\n' "$head" "$good_cmd" | sed 's/fs: files/fs: nowhere/')" \
  "wippy-run: error: bad.yaml:6: entry bad:c: fs bad:nowhere not found"
err_case "negative limit" "$head
$good_cmd
    limits: {max_execution_ms: -5}" "wippy-run: error: bad.yaml:11: entry bad:c: limits max_execution_ms must not be negative (got -5)"
err_case "hash mismatch" "$(printf '%s\n' "$head" "$good_cmd" | sed "s/$CH/$TH/")" \
  "wippy-run: error: bad.yaml:4: entry bad:c: hash mismatch: expected $TH, got $CH"
# wippy-run calls one entry: only its module is loaded. A broken module in
# another entry (the hash of another file) fails only that entry's call,
# naming its line, and --list loads no module.
two="$head
  - {name: t, kind: function.wasm, fs: files, path: /typed.component.wasm, hash: \"sha256:$CH\", method: greet, imports: $WASI_ALL}
$good_cmd"
err_case "a broken entry fails its own call" "$two" \
  "wippy-run: error: bad.yaml:4: entry bad:t: hash mismatch: expected $CH, got $TH" t '"x"'
printf '%s\n' "$two" > "$S/bad.yaml"
check "the other entry of that registry runs" 0 "$(printf '%s\n' 'arg 0: c' 'arg 1: hi' 'cwd /')" '' -- bad.yaml c hi
check "--list loads no module" 0 "bad:t
bad:c" '' -- bad.yaml --list
err_case "only sha256" "$(printf '%s\n' "$head" "$good_cmd" | sed "s/sha256:$CH/md5:abc/")" \
  "wippy-run: error: bad.yaml:8: entry bad:c: only sha256 is supported (got md5)"
err_case "undeclared import" "$(printf '%s\n' "$head" "$good_cmd" | sed 's/wasi:cli, //')" \
  "wippy-run: error: bad.yaml:4: component imports wasi:cli/environment@0.2.12, which entry bad:c does not grant (add wasi:cli to imports)"
err_case "unsupported profile" "$(printf '%s\n' "$head" "$good_cmd" | sed 's/wasi:random/wasi:gpu/')" \
  "wippy-run: error: bad.yaml:10: entry bad:c: unsupported wasm host import: wasi:gpu"
err_case "mount guest path not absolute" "$head
$good_cmd
    wasi:
      mounts: [{fs: files, guest: data}]" "wippy-run: error: bad.yaml:12: entry bad:c: mount guest data must be an absolute path"
err_case "duplicate mount" "$head
$good_cmd
    wasi:
      mounts: [{fs: files, guest: /d}, {fs: files, guest: /d/}]" \
  "wippy-run: error: bad.yaml:12: entry bad:c: duplicate mount: guest path /d is mounted twice"
err_case "mount of a non-directory entry" "$head
  - {name: v, kind: env.variable, variable: X}
$good_cmd
    wasi:
      mounts: [{fs: v, guest: /d}]" \
  "wippy-run: error: bad.yaml:13: entry bad:c: mount fs bad:v is not an fs.directory entry (it is env.variable)"
err_case "unknown method" "$(printf '%s\n' "$head" "$good_cmd" | sed 's/method: run/method: nope/')" \
  "wippy-run: error: bad.yaml:4: entry bad:c: method nope is not exported by the component (exports: wasi:cli/run@0.2.12#...)"


# Hostile files and configuration (issue 16): each ends with one clear error
# line and exit 1 — never a signal or a hang — with a bounded RSS.
# hostile NAME WANT_STDERR_LINE -- ARGS...   (exit 1, peak RSS < 200 MB, 60 s watchdog)
hostile() {
  [ "$PART" = mounts ] && return 0
  local name=$1 want=$2
  shift 3
  local rc rss ok=1
  (cd "$S" && timeout 60 /usr/bin/time -f '%M' -o "$S/.rss" "$W" "$@" >"$S/.out" 2>"$S/.err")
  rc=$?
  rss=$(tail -n 1 "$S/.rss" 2>/dev/null)
  [ "$rc" = 1 ] || ok=0
  [ -s "$S/.out" ] && ok=0
  grep -qxF -- "$want" "$S/.err" || ok=0
  case "$rss" in ''|*[!0-9]*) ok=0 ;; *) [ "$rss" -lt 200000 ] || ok=0 ;; esac
  if [ $ok = 1 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    printf 'FAIL hostile: %s\n  want rc=1 stderr=[%s] rss<200000 KB\n  got  rc=%s rss=%s KB stderr=[%s]\n' \
      "$name" "$want" "$rc" "$rss" "$(head -c 2000 "$S/.err")"
  fi
}
mkdir -p "$S/hostile/mods" "$S/hostile/adir"
truncate -s 1T "$S/hostile/mods/huge.wasm"   # sparse: costs no disk
rm -f "$S/hostile/mods/fifo.wasm"; mkfifo "$S/hostile/mods/fifo.wasm"
mod_fn() {  # NAME FS PATH
  printf '  - {name: %s, kind: function.wasm, fs: %s, path: "%s", hash: "sha256:%s", method: run}\n' "$1" "$2" "$3" "$CH"
}
printf 'namespace: h\nentries:\n  - {name: mods, kind: fs.directory, directory: mods}\n  - {name: dev, kind: fs.directory, directory: /dev}\n' \
  > "$S/hostile/base.yaml"
hostile_entry() {  # FILE ENTRY_LINE NAME WANT: base.yaml (4 lines) plus one entry at line 5
  { cat "$S/hostile/base.yaml"; printf '%s\n' "$2"; } > "$S/hostile/$1"
  hostile "$3" "$4" -- "hostile/$1"
}
hostile_entry zero.yaml "$(mod_fn zero dev /zero)" \
  "/dev/zero as a module" \
  "wippy-run: error: hostile/zero.yaml:5: entry h:zero: module /zero is a character device, not a regular file"
hostile_entry huge.yaml "$(mod_fn huge mods /huge.wasm)" \
  "sparse 1 TiB module" \
  "wippy-run: error: hostile/huge.yaml:5: entry h:huge: module /huge.wasm is 1099511627776 bytes, over the limit of 268435456 (limits.max_module_bytes)"
hostile_entry fifo.yaml "$(mod_fn fifo mods /fifo.wasm)" \
  "FIFO as a module" \
  "wippy-run: error: hostile/fifo.yaml:5: entry h:fifo: module /fifo.wasm is a FIFO, not a regular file"
mkdir -p "$S/hostile/mods/adir"
hostile_entry dir.yaml "$(mod_fn dir mods /adir)" \
  "directory as a module" \
  "wippy-run: error: hostile/dir.yaml:5: entry h:dir: module /adir is a directory, not a regular file"
hostile_entry up.yaml "$(mod_fn up mods ../base.yaml)" \
  "../ escape of a module path" \
  "wippy-run: error: hostile/up.yaml:5: entry h:up: path ../base.yaml escapes its directory"
hostile_entry nul.yaml '  - {name: nul, kind: function.wasm, fs: mods, path: "/huge.wasm\0x", hash: "sha256:'"$CH"'", method: run}' \
  "NUL in a path" \
  'wippy-run: error: hostile/nul.yaml:5: entry h:nul: path /huge.wasm\0... contains a NUL byte'
hostile_entry watdev.yaml '  - {name: w, kind: function.wat, method: run, source: "file:///dev/zero"}' \
  "file:///dev/zero as a WAT source" \
  "wippy-run: error: hostile/watdev.yaml:5: entry h:w: source file:///dev/zero is outside the registry file's folder $S/hostile (a file:// source must be inside it, or inside the fs.directory named by fs)"
hostile_entry watzero.yaml '  - {name: w, kind: function.wat, method: run, fs: dev, source: "file:///zero"}' \
  "file:///zero in fs /dev as a WAT source" \
  "wippy-run: error: hostile/watzero.yaml:5: entry h:w: source file:///zero: file /zero is a character device, not a regular file"
hostile_entry passwd.yaml '  - {name: w, kind: function.wat, method: run, source: "file:///etc/passwd"}' \
  "file:///etc/passwd as a WAT source" \
  "wippy-run: error: hostile/passwd.yaml:5: entry h:w: source file:///etc/passwd is outside the registry file's folder $S/hostile (a file:// source must be inside it, or inside the fs.directory named by fs)"
hostile_entry watup.yaml '  - {name: w, kind: function.wat, method: run, source: "file://../../../../etc/passwd"}' \
  "../ escape of a WAT source" \
  "wippy-run: error: hostile/watup.yaml:5: entry h:w: source file://../../../../etc/passwd: path ../../../../etc/passwd escapes its directory"
hostile_entry watfifo.yaml '  - {name: w, kind: function.wat, method: run, source: "file://mods/fifo.wasm"}' \
  "FIFO as a WAT source" \
  "wippy-run: error: hostile/watfifo.yaml:5: entry h:w: source file://mods/fifo.wasm: file mods/fifo.wasm is a FIFO, not a regular file"
mkdir -p "$S/hostile/adir.yaml"
hostile "a directory as the registry file" \
  "wippy-run: error: hostile/adir.yaml: registry file hostile/adir.yaml is a directory, not a regular file" -- hostile/adir.yaml
hostile_entry typo.yaml '  - {name: spin, kind: function.wat, method: spin, limits: {max_exection_ms: 500}, source: "(module (func (export \"spin\") (loop (br 0))))"}' \
  "max_exection_ms typo is an error" \
  "wippy-run: error: hostile/typo.yaml:5: entry h:spin: unknown key max_exection_ms in limits (did you mean max_execution_ms?)"
# wippy-run's other modes read their FILE the same way.
hostile "run /dev/zero" "wippy-run: error: file /dev/zero is a character device, not a regular file" -- run /dev/zero --invoke f
hostile "run a FIFO" "wippy-run: error: file hostile/mods/fifo.wasm is a FIFO, not a regular file" -- run hostile/mods/fifo.wasm --invoke f

# An unknown key outside limits/wasi is a warning (the call runs); --strict
# and `strict: true` make it an error.
printf 'namespace: k\nentrys: 1\nentries:\n  - {name: neg, kind: function.wat, method: neg, wit: "func(x: s64) -> s64", methd: x,\n     source: %s}\n' \
  "'(module (func (export \"neg\") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0))))'" > "$S/warn.yaml"
if [ "$PART" != mounts ]; then
  out=$(cd "$S" && "$W" warn.yaml 4 2>"$S/.err"); rc=$?
  want_err=$(printf '%s\n' 'wippy-run: warning: warn.yaml:2: unknown key entrys (did you mean entries?)' \
    'wippy-run: warning: warn.yaml:4: entry k:neg: unknown key methd (did you mean method?)')
  if [ "$rc" = 0 ] && [ "$out" = -4 ] && [ "$(cat "$S/.err")" = "$want_err" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); printf 'FAIL strict: warnings\n  got rc=%s out=[%s] err=[%s]\n' "$rc" "$out" "$(cat "$S/.err")"; fi
fi
check "strict: --strict makes an unknown key an error" 1 '' \
  'wippy-run: error: warn.yaml:2: unknown key entrys (did you mean entries?)' -- --strict warn.yaml 4
sed 's/^namespace: k$/namespace: k\nstrict: true/' "$S/warn.yaml" > "$S/strict.yaml"
check "strict: strict: true makes an unknown key an error" 1 '' \
  'wippy-run: error: strict.yaml:5: entry k:neg: unknown key methd (did you mean method?)' -- strict.yaml 4

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
