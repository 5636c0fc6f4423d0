#!/usr/bin/env bash
# check.sh APP.component.wasm HOST... — runs each embedding example program
# (C++ and C) on the app component and compares its output.
set -uo pipefail
comp=$1; shift
want='handle: hello, wippy | hello, wippy
handle json: "hello, json"
spin: interrupted: interrupted'
fail=0
for host in "$@"; do
  got=$("$host" "$comp" 2>&1)
  if [ "$got" = "$want" ]; then echo "ok: $host"; else printf 'FAIL: %s\nwant:\n%s\ngot:\n%s\n' "$host" "$want" "$got"; fail=1; fi
done
exit $fail
