/* fs_sleep_read.c — reads files around a sleep, for many guests at once
   (tests/unit/test_wasi_fs.cpp runs 200 of them as fibers on one
   dispatcher thread). Arguments: NAME SLEEP_MS. Reads /in/a.txt, writes
   /out/NAME.txt (its own name), sleeps SLEEP_MS, then reads /in/b.txt and
   its own file back, and prints one line:
     NAME a=<bytes of a.txt> b=<bytes of b.txt> own=<yes|no>
   or "NAME failed: <step> <errno>" (exit status 1). */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cabi_realloc.h"
#include "fs_check.h"

static long file_size(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long total = 0;
  for (ssize_t n; (n = read(fd, buf, cap)) != 0; total += n)
    if (n < 0) { close(fd); return -1; }
  close(fd);
  return total;
}

static int fail(const char *name, const char *step) {
  say(1, "%s failed: %s %s\n", name, step, errno_name(errno));
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) { say(2, "usage: fs_sleep_read NAME SLEEP_MS\n"); return 2; }
  const char *name = argv[1];
  long ms = atol(argv[2]);
  static char buf[65536];

  long a = file_size("/in/a.txt", buf, sizeof buf);
  if (a < 0) return fail(name, "read a.txt");
  char own[256];
  snprintf(own, sizeof own, "/out/%s.txt", name);
  int fd = open(own, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0 || write_all(fd, name, strlen(name)) != 0) return fail(name, "write own file");
  close(fd);

  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  if (nanosleep(&ts, NULL) != 0) return fail(name, "sleep");

  long b = file_size("/in/b.txt", buf, sizeof buf);
  if (b < 0) return fail(name, "read b.txt");
  int ownfd = open(own, O_RDONLY);
  ssize_t n = ownfd >= 0 ? read(ownfd, buf, sizeof buf) : -1;
  if (ownfd >= 0) close(ownfd);
  int same = n == (ssize_t)strlen(name) && !memcmp(buf, name, (size_t)n);
  say(1, "%s a=%ld b=%ld own=%s\n", name, a, b, same ? "yes" : "no");
  return same ? 0 : 1;
}
