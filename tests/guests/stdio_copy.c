/* stdio_copy.c — copies stdin to stdout in 64 KiB reads and writes until
   end of stream, then reports the byte count on stderr (stdout carries only
   the copy, which stdio_copy.spec compares by checksum). */
#include "cabi_realloc.h"
#include "guest_io.h"

static char buf[64 * 1024];

int main(void) {
  unsigned long long total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      say(2, "read failed after %llu bytes\n", total);
      return 1;
    }
    if (n == 0) break;
    if (write_all(1, buf, (size_t)n) != 0) {
      say(2, "write failed after %llu bytes\n", total);
      return 1;
    }
    total += (unsigned long long)n;
  }
  say(2, "copied %llu bytes\n", total);
  return 0;
}
