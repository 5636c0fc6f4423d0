#!/usr/bin/env bash
# wit_embed.sh — embeds a WIT world into a core module (jco embed, i.e.
# wasm-tools component embed) so that `jco new` can turn a guest that imports
# WASI interfaces directly (not through the preview1 adapter) into a
# component.
#   wit_embed.sh NODE JCO WIT_FILE IN.core.wasm OUT.wasm
# WIT_FILE holds exactly one world (plus the WASI packages it uses, as
# nested `package ... { }` blocks): jco 1.35's `embed -n WORLD` does not
# reach wasm-tools (it passes the option under another name), so the world
# is the one the file has.
# jco embed runs wasm-tools under Node's WASI host, which sees no files
# unless given a preopen: wit_embed_preopen.mjs grants "/" before jco
# starts, and all paths are made absolute here.
set -euo pipefail
node=$1 jco=$2 wit=$3 in=$4 out=$5
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
here=$(cd "$(dirname "$0")" && pwd)
"$node" --import "$here/wit_embed_preopen.mjs" "$jco" embed --wit "$(abs "$wit")" \
  "$(abs "$in")" -o "$(abs "$out")"
[ -s "$out" ] || { echo "wit_embed.sh: jco embed wrote nothing to $out" >&2; exit 1; }
