/* handle_flood.c — creates resource handles in a loop and never drops them,
   as a hostile guest would (issue 16: unbounded handles took 1.67 GB):
     pollables N  N monotonic-clock subscribe-duration pollables
     streams N    N read-via-stream input streams of /data/f
     files N      N open-at descriptors of /data/f
   It prints how many it asked for, then one line when all were created.
   Under wippy the instance's limits stop it first: past
   limits.max_handles (65,536) creating a handle traps; past
   limits.max_open_files (1,024) open-at fails with `quota`, which the guest
   reports and stops at. The imports are declared by hand from
   wit/handle_flood.wit, laid out as the Canonical ABI says. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"

__attribute__((import_module("wasi:clocks/monotonic-clock@0.2.12"), import_name("subscribe-duration")))
extern int32_t subscribe_duration(int64_t when);

/* list<tuple<own<descriptor>, string>> through a return area: {ptr, len};
   each element is 12 bytes: handle, string ptr, string len. */
__attribute__((import_module("wasi:filesystem/preopens@0.2.12"), import_name("get-directories")))
extern void get_directories(int32_t *ret);

/* result<own<T>, error-code>: byte 0 the case, the payload at offset 4. */
__attribute__((import_module("wasi:filesystem/types@0.2.12"), import_name("[method]descriptor.open-at")))
extern void open_at(int32_t self, int32_t path_flags, const char *path, int32_t path_len, int32_t open_flags,
                    int32_t flags, int32_t *ret);
__attribute__((import_module("wasi:filesystem/types@0.2.12"), import_name("[method]descriptor.read-via-stream")))
extern void read_via_stream(int32_t self, int64_t offset, int32_t *ret);

static const char *const kErrorCodes[] = {
    "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
    "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
    "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device", "no-entry",
    "no-lock", "insufficient-memory", "insufficient-space", "not-directory", "not-empty",
    "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow", "not-permitted", "pipe",
    "read-only", "invalid-seek", "text-file-busy", "cross-device"};

static const char *code_name(int32_t c) {
  return c >= 0 && c < (int32_t)(sizeof kErrorCodes / sizeof *kErrorCodes) ? kErrorCodes[c] : "?";
}

/* The descriptor of the preopen named /data, or -1. */
static int32_t data_dir(void) {
  int32_t ret[2];
  get_directories(ret);
  const int32_t *items = (const int32_t *)(uintptr_t)ret[0];
  for (int32_t i = 0; i < ret[1]; ++i) {
    const int32_t *e = items + 3 * i;
    if (e[2] == 5 && memcmp((const char *)(uintptr_t)e[1], "/data", 5) == 0) return e[0];
  }
  return -1;
}

/* open-at(dir, "f", read): the descriptor, or -1 - error-code. */
static int32_t open_f(int32_t dir) {
  int32_t ret[2];
  open_at(dir, 0, "f", 1, 0, 1 /* read */, ret);
  if ((ret[0] & 0xff) != 0) return -1 - (ret[1] & 0xff);
  return ret[1];
}

int main(int argc, char **argv) {
  if (argc < 3) {
    say(2, "usage: handle_flood pollables|streams|files N\n");
    return 2;
  }
  const char *mode = argv[1];
  long n = atol(argv[2]);
  say(1, "creating %ld %s\n", n, mode);
  if (strcmp(mode, "pollables") == 0) {
    for (long i = 0; i < n; ++i) subscribe_duration(1000000000LL);
  } else {
    int32_t dir = data_dir();
    if (dir < 0) {
      say(1, "no /data preopen\n");
      return 1;
    }
    int32_t file = -1;
    if (strcmp(mode, "streams") == 0) {
      file = open_f(dir);
      if (file < 0) {
        say(1, "open-at f failed: %s\n", code_name(-1 - file));
        return 1;
      }
    }
    for (long i = 0; i < n; ++i) {
      if (file >= 0) {
        int32_t ret[2];
        read_via_stream(file, 0, ret);
        if ((ret[0] & 0xff) != 0) {
          say(1, "read-via-stream #%ld failed: %s\n", i + 1, code_name(ret[1] & 0xff));
          return 1;
        }
      } else {
        int32_t d = open_f(dir);
        if (d < 0) {
          say(1, "open-at #%ld failed: %s\n", i + 1, code_name(-1 - d));
          return 1;
        }
      }
    }
  }
  say(1, "created all %ld\n", n);
  return 0;
}
