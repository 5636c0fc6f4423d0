#!/usr/bin/env bash
# Configures (once) and builds the project into build/. Arguments are meson
# options (-Dtests=enabled ...): given to `meson setup` the first time, and
# applied with `meson configure` to an existing build/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build "$@" >/dev/null
elif [ $# -gt 0 ]; then
  meson configure build "$@" >/dev/null
fi
ninja -C build
