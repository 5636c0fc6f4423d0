/* guest_io.h — output helpers for the C guests in tests/guests/.
   Everything goes through write(2), never stdio's FILE buffers: with
   Debian's 2022 wasi-libc and jco's preview1 adapter, a buffered printf can
   lose all but its last write (see tests/component/README.md).
   say(fd, fmt, ...) formats into a bounded buffer and writes it fully;
   write_all(fd, p, n) loops over partial writes; both return 0 or -1. */
#ifndef WIPPY_GUESTS_GUEST_IO_H
#define WIPPY_GUESTS_GUEST_IO_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n) {
  const char *c = (const char *)p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w <= 0) return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

__attribute__((format(printf, 2, 3)))
static int say(int fd, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  return write_all(fd, buf, (size_t)n);
}

#endif
