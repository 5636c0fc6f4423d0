/* hello.c — the smallest command: one line on stdout (the startup
   benchmark's guest, bench/run_wasi.sh). */
#include "cabi_realloc.h"
#include "guest_io.h"

int main(void) {
  say(1, "hello from a component\n");
  return 0;
}
