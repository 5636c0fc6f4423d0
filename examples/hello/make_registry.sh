#!/usr/bin/env bash
# make_registry.sh TEMPLATE OUT HELLO.wasm CMD.wasm — writes the registry
# with the components' sha256 hashes filled in.
set -euo pipefail
hash() { sha256sum "$1" | cut -d' ' -f1; }
sed -e "s/@HELLO_HASH@/$(hash "$3")/" -e "s/@CMD_HASH@/$(hash "$4")/" "$1" > "$2"
