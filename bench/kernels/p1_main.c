/* p1_main.c — a bench kernel as a WASI preview1 command, linked with the
 * kernel's own file and wasi-libc: `KERNEL.p1.wasm N` prints run(N) as a
 * signed decimal line and exits 0 (2 with a usage line when N is missing).
 * The same bytes run under wasm3, WAMR and `wippy-run run`, and wrapped by
 * `jco new --wasi-command` as KERNEL.p1.component.wasm (peers.sh --p1).
 * cabi_realloc is the C guests' one (tests/guests/cabi_realloc.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cabi_realloc.h"

int run(int n);

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s N\n", argc ? argv[0] : "kernel");
    return 2;
  }
  printf("%d\n", run(atoi(argv[1])));
  return 0;
}
