/* wasi_probe.c — compiled (and linked against wasi-libc) when configuring,
   to check that clang can build the wasm32-wasi guests (tools/meson.build). */
#include <stdio.h>

int main(void) {
  puts("probe");
  return 0;
}
