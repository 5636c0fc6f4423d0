#!/usr/bin/env bash
# run_http.sh — the wasi:http end-to-end test: fetch() from the JavaScript
# guest tests/http/fetch.js against tests/http_server.py on loopback, under
# a WASI host, each run's stdout compared with its expected transcript.
#   run_http.sh wippy PATH/TO/wippy-run SRC_DIR BUILD_DIR [SPEC...]
#   run_http.sh jco   PATH/TO/jco       SRC_DIR BUILD_DIR [SPEC...]
# SRC_DIR is tests/ (http_certs.sh, http_server.py, http/*.spec and
# *.expected, guests/jco_init.mjs, guests/jco.differences); BUILD_DIR holds
# fetch.component.wasm (tests/http/meson.build). Without SPECs every
# http/*.spec runs.
#
# Certificates are made fresh by http_certs.sh and one server serves every
# spec; its first stdout line (JSON ports) becomes the guest's first
# argument. Spec keys (one `KEY VALUE` a line, `#` comments):
#   case NAME      a case of fetch.js, in order (repeatable)
#   trust ca|system  the host trusts the test CA (wippy: SSL_CERT_FILE,
#                  jco: NODE_EXTRA_CA_CERTS) or only the system store
#   net RULE       wippy only: --allow-net RULE (repeatable)
#   first_byte_ms MS  wippy only: --http-first-byte-timeout-ms MS (the
#                  host's default for a request that sets none)
#   exit N         expected exit status (default 0)
#   expected FILE  transcript in SRC_DIR/http (default SPEC.expected)
#   timeout S      the run is killed after S seconds (default 300): a
#                  failure, exit status 124
#   skip REASON    do not run (used from jco.differences)
# Under jco, lines `SPEC KEY VALUE` of guests/jco.differences replace the
# spec's lines with the same KEY (as in run_guests.sh). The jco run goes
# through guests/jco_init.mjs, the wrapper of the guests-jco test.
# Anything missing (openssl, python3, the component) is a failure, never
# a skip. Scratch output: BUILD_DIR/scratch-http/HOST/SPEC/{stdout,stderr}.
set -uo pipefail

host=$1 tool="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" src=$(cd "$3" && pwd) build=$(cd "$4" && pwd)
shift 4
case $host in wippy|jco) ;; *) echo "run_http.sh: unknown host $host" >&2; exit 2 ;; esac
[ -x "$tool" ] || { echo "run_http.sh: $tool is not executable" >&2; exit 1; }
comp="$build/fetch.component.wasm"
[ -f "$comp" ] || { echo "run_http.sh: $comp was not built" >&2; exit 1; }
python=$(command -v python3) || { echo "run_http.sh: python3 not found" >&2; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$src"/http/*.spec; do names+=("$(basename "$f" .spec)"); done
fi

scratch_root="$build/scratch-http/$host"
rm -rf "$scratch_root" && mkdir -p "$scratch_root"
certs="$scratch_root/certs"
bash "$src/http_certs.sh" "$certs" || { echo "run_http.sh: http_certs.sh failed" >&2; exit 1; }

# The server lives while fd 3 is open: it exits at the end of its stdin.
exec 3> >(exec "$python" "$src/http_server.py" "$certs" > "$scratch_root/ports.json" 2> "$scratch_root/server.err")
server_pid=$!
trap 'exec 3>&-; kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null' EXIT
ports=""
for _ in $(seq 100); do
  ports=$(head -n 1 "$scratch_root/ports.json" 2> /dev/null)
  [ -n "$ports" ] && break
  sleep 0.1
done
if [ -z "$ports" ]; then
  echo "run_http.sh: the server printed no ports: $(cat "$scratch_root/server.err")" >&2
  exit 1
fi

# shellcheck source=guests/spec_lines.sh
source "$src/guests/spec_lines.sh"
if [ "$host" = jco ]; then
  # The preview2-shim copy jco's generated code imports (see jco_init.mjs).
  WIPPY_P2SHIM=$(jco_p2shim "$tool")
  export WIPPY_P2SHIM
fi
differences=""
[ "$host" = jco ] && differences="$src/guests/jco.differences"

for name in "${names[@]}"; do
  [ -f "$src/http/$name.spec" ] || { fail "no spec $src/http/$name.spec"; continue; }
  scratch="$scratch_root/$name"
  mkdir -p "$scratch"
  cases=() nets=() first_byte="" trust=ca exit_want=0 limit=300 expected="$src/http/$name.expected" skip="" bad=""
  while IFS=$'\t' read -r key value; do
    case $key in
      case) cases+=("$value") ;;
      trust) trust=$value ;;
      net) nets+=("$value") ;;
      first_byte_ms) first_byte=$value ;;
      exit) exit_want=$value ;;
      timeout) limit=$value ;;
      expected) expected="$src/http/$value" ;;
      skip) skip=$value ;;
      *) bad="unknown spec key '$key'" ;;
    esac
  done < <(spec_lines "$src/http/$name.spec" "$name" "$differences")
  [ -n "$bad" ] && { fail "$bad"; continue; }
  case $trust in ca|system) ;; *) fail "trust must be ca or system, not '$trust'"; continue ;; esac
  if [ -n "$skip" ]; then
    echo "SKIP $name ($host): $skip"; skipped=$((skipped + 1)); continue
  fi

  # The host's trust store: the test CA alone, or the system's. The
  # variables of the calling environment never leak in.
  trust_env=(env -u SSL_CERT_FILE -u SSL_CERT_DIR -u NODE_EXTRA_CA_CERTS)
  if [ "$trust" = ca ]; then
    if [ "$host" = wippy ]; then trust_env+=(SSL_CERT_FILE="$certs/ca.pem")
    else trust_env+=(NODE_EXTRA_CA_CERTS="$certs/ca.pem"); fi
  fi

  if [ "$host" = wippy ]; then
    cmd=("$tool" run "$comp")
    for n in "${nets[@]+"${nets[@]}"}"; do cmd+=(--allow-net "$n"); done
    [ -n "$first_byte" ] && cmd+=(--http-first-byte-timeout-ms "$first_byte")
    cmd+=(-- "$ports" "${cases[@]}")
    (cd "$build" && "${trust_env[@]}" timeout "$limit" "${cmd[@]}" < /dev/null > "$scratch/stdout" 2> "$scratch/stderr")
    rc=$?
  else
    inv="$scratch/invocation"
    {
      printf 'arg\t%s\n' fetch.component.wasm "$ports" "${cases[@]}"
    } > "$inv"
    (cd "$build" && WIPPY_GUEST_INVOCATION="$inv" "${trust_env[@]}" timeout "$limit" \
       "$tool" run --jco-import "$src/guests/jco_init.mjs" fetch.component.wasm \
       < /dev/null > "$scratch/stdout" 2> "$scratch/stderr")
    rc=$?
  fi

  check_outcome "$rc" "$exit_want" "$expected" "$scratch/stdout" 60
  report_case "$scratch/stderr" 800
done

summary "http ($host)"
