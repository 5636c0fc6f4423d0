/* wasi_probe.c — a WASI command guest for tests/unit/test_wasi.cpp; argv[1]
   picks what it does (output goes through write(2), see README.md):
     args            print each argument, then each environment entry
     exit N          exit(N)
     fail            return 1 from main
     sleep MS        print monotonic nanoseconds elapsed across a sleep of MS
     random          print two 16-byte getentropy results in hex
     cat             copy stdin to stdout, upper-casing ASCII letters
     stderr          write a line to stderr
   Exports cabi_realloc on malloc/realloc (see hello.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#include "../guests/cabi_realloc.h"

static void put(int fd, const char *s) { write(fd, s, strlen(s)); }

static void line(const char *s) {
  put(1, s);
  put(1, "\n");
}

static unsigned long long mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void hex_line(const unsigned char *b, size_t n) {
  char buf[80];
  for (size_t i = 0; i < n; ++i) snprintf(buf + 2 * i, 3, "%02x", b[i]);
  line(buf);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "args";
  if (!strcmp(mode, "args")) {
    for (int i = 0; i < argc; ++i) line(argv[i]);
    for (char **e = environ; e && *e; ++e) line(*e);
  } else if (!strcmp(mode, "exit")) {
    exit(argc > 2 ? atoi(argv[2]) : 0);
  } else if (!strcmp(mode, "fail")) {
    return 1;
  } else if (!strcmp(mode, "sleep")) {
    long ms = argc > 2 ? atol(argv[2]) : 10;
    unsigned long long t0 = mono_ns();
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", mono_ns() - t0);
    line(buf);
  } else if (!strcmp(mode, "random")) {
    unsigned char a[16], b[16];
    if (getentropy(a, sizeof a) || getentropy(b, sizeof b)) return 2;
    hex_line(a, sizeof a);
    hex_line(b, sizeof b);
  } else if (!strcmp(mode, "cat")) {
    char buf[256];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; ++i)
        if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 'a' + 'A');
      write(1, buf, (size_t)n);
    }
  } else if (!strcmp(mode, "stderr")) {
    put(2, "to stderr\n");
  } else {
    return 3;
  }
  return 0;
}
