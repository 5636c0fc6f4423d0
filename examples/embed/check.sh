#!/usr/bin/env bash
# check.sh EMBED REGISTRY — runs the embedding example and compares its output.
set -uo pipefail
fail=0
expect() {  # WANT ARGS...
  local want=$1; shift
  local got; got=$("$@" 2>&1)
  if [ "$got" = "$want" ]; then echo "ok: $*"; else echo "FAIL: $*: want [$want] got [$got]"; fail=1; fi
}
expect '{"ok":"HELLO, EMBEDDER!"}' "$1" "$2"
expect '{"ok":"Hello, json!"}' "$1" "$2" greet '{"text":"json","shout":false}'
expect '{"err":"nobody to greet"}' "$1" "$2" hello:greet '{"text":"","shout":true}'
exit $fail
