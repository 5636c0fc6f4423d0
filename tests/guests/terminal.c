/* terminal.c — reports isatty() for descriptors 0, 1 and 2 (wasi-libc asks
   the adapter, which reports a character device only when
   wasi:cli/terminal-std* returns a terminal). Under the test runner stdio
   are files, so a host that looks at its real descriptors says no. */
#include <unistd.h>

#include "cabi_realloc.h"
#include "guest_io.h"

int main(void) {
  for (int fd = 0; fd <= 2; ++fd) say(1, "isatty(%d): %s\n", fd, isatty(fd) ? "yes" : "no");
  return 0;
}
