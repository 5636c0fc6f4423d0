/* write_bytes.c — the output throughput benchmark's guest (bench/): writes
   argv[2] MiB of a fixed pattern in 64 KiB write(2) calls, to stdout
   (argv[1] = "stdout") or to a new file at argv[1] (through a --dir grant).
   The adapter turns each write into blocking-write-and-flush. Reports the
   byte count on stderr. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"

static char buf[64 * 1024];

int main(int argc, char **argv) {
  if (argc < 3) {
    say(2, "usage: write_bytes stdout|PATH MIB\n");
    return 2;
  }
  long mib = atol(argv[2]);
  int fd = 1;
  if (strcmp(argv[1], "stdout") != 0) {
    fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      say(2, "cannot open %s\n", argv[1]);
      return 1;
    }
  }
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = (char)('a' + i % 26);
  unsigned long long total = 0;
  for (long i = 0; i < mib * 16; ++i) {
    if (write_all(fd, buf, sizeof buf) != 0) {
      say(2, "write failed after %llu bytes\n", total);
      return 1;
    }
    total += sizeof buf;
  }
  if (fd != 1 && close(fd) != 0) return 1;
  say(2, "wrote %llu bytes\n", total);
  return 0;
}
