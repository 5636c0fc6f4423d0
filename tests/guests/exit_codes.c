/* exit_codes.c — ends in the way argv[1] names, after printing it:
     (none)   return 0 from main
     fail     return 1 from main (wasi:cli/run returns err)
     exit N   exit(N) through wasi-libc and the preview1 adapter, whose
              proc_exit calls wasi:cli/exit.exit(err) for any N != 0
     code N   wasi:cli/exit.exit-with-code(N), imported directly (the world is in
              wit/exit_codes.wit)
   Anything printed after the exit call means the host returned from it. */
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"

__attribute__((import_module("wasi:cli/exit@0.2.12"), import_name("exit-with-code")))
extern void wasi_exit_with_code(int status_code);

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "none";
  int n = argc > 2 ? atoi(argv[2]) : 0;
  say(1, "mode %s %d\n", mode, n);
  if (!strcmp(mode, "fail")) return 1;
  if (!strcmp(mode, "exit")) exit(n);
  if (!strcmp(mode, "code")) wasi_exit_with_code(n);
  if (strcmp(mode, "none")) {
    say(1, "unknown mode\n");
    return 2;
  }
  say(1, "returning 0\n");
  return 0;
}
