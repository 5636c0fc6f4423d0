/* fs_check.h — shared by the fs_* guests (fs_ops, fs_escape, fs_readonly):
   errno names for transcripts and self-checks that count failures.
   expect(cond, fmt, ...) prints "ok   ..." or "FAIL ..." and counts;
   expect_errno(rc, want, what) checks that a call failed with errno `want`
   and prints the errno it saw by name; finish(name) prints the totals and
   returns the exit status (0 when nothing failed). Include once per guest,
   after guest_io.h. */
#ifndef WIPPY_GUESTS_FS_CHECK_H
#define WIPPY_GUESTS_FS_CHECK_H
#include <errno.h>
#include <string.h>

#include "guest_io.h"

static int fs_checks, fs_failed;

__attribute__((unused)) static const char *errno_name(int e) {
  switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EROFS: return "EROFS";
    case ELOOP: return "ELOOP";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOTSUP: return "ENOTSUP";
    case EIO: return "EIO";
    case EBUSY: return "EBUSY";
    case ESPIPE: return "ESPIPE";
    case EMLINK: return "EMLINK";
    default: return "E?";
  }
}

__attribute__((format(printf, 2, 3), unused))
static void expect(int cond, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fs_checks++;
  if (!cond) fs_failed++;
  say(1, "%s %s\n", cond ? "ok  " : "FAIL", buf);
}

/* rc is the call's result (-1 or NULL-as-0 on failure); errno is read now. */
__attribute__((unused)) static void expect_errno(long rc, int want, const char *what) {
  int got = rc == -1 ? errno : 0;
  expect(rc == -1 && got == want, "%s -> %s (want %s)", what, rc == -1 ? errno_name(got) : "success",
         errno_name(want));
}

__attribute__((unused)) static int finish(const char *name) {
  say(1, "%s: %d checks, %d failed\n", name, fs_checks, fs_failed);
  return fs_failed == 0 ? 0 : 1;
}

#endif
