#!/usr/bin/env bash
# simd_native.sh SRC_DIR BUILD_DIR — builds tests/guests/simd.c for the host
# with the host C compiler's normal optimiser and checks that it prints
# simd.expected, the transcript the -msimd128 guest must print under
# wippy-run (test `guests`).
set -eu
src=$1
out=$2/simd-native
"${CC:-cc}" -O2 -Wall -Werror -I"$src" "$src/simd.c" -o "$out" -lm
"$out" | diff -u "$src/simd.expected" -
echo "native simd.c output equals simd.expected"
