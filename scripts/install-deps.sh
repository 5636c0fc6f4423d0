#!/usr/bin/env bash
# Installs what this project needs on a Debian 12 machine, only what is missing.
# Run as root (or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(meson ninja-build pkg-config g++ libfmt-dev libyaml-cpp-dev libmbedtls-dev libc-ares-dev
      doctest-dev clang lld wasi-libc libclang-rt-14-dev-wasm32 rustc libstd-rust-dev-wasm32
      nodejs npm time python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere on the machine; accept working binaries.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# Guest toolchain from npm, pinned in tools/package.json and its lock file
# (jco 1.35.0, componentize-js 0.22.0). Reinstalled whenever the lock file
# changes: the stamp holds the hash of the lock it was installed from.
lock_hash=$(sha256sum tools/package-lock.json | cut -d' ' -f1)
stamp=tools/node_modules/.wippy-lock.sha256
if [ ! -x tools/node_modules/.bin/jco ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$stamp"
fi
