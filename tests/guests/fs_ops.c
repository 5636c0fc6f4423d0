/* fs_ops.c — file and directory operations on a writable grant at /data
   (fs_ops.setup.sh makes it, with seed.txt = "seed\n"): create, write,
   read, append, seek, positional I/O, truncate, rename, stat, hard and
   symbolic links, readdir, unlink, mkdir/rmdir, timestamps set and read
   back (by path and by descriptor), and a 300 KiB file through the
   streams. Each step checks its own result; the transcript has no times,
   sizes of the host or inode numbers. Exit status 1 if any check failed. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "cabi_realloc.h"
#include "fs_check.h"

static int read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0) { close(fd); return -1; }
    if (r == 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  close(fd);
  return (int)n;
}

static int write_file(const char *path, int flags, const char *text) {
  int fd = open(path, flags, 0644);
  if (fd < 0) return -1;
  int rc = write_all(fd, text, strlen(text));
  close(fd);
  return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The sorted entries of a directory (without . and ..), joined by spaces. */
static void list_dir(const char *path, char *out, size_t cap) {
  out[0] = 0;
  DIR *d = opendir(path);
  if (!d) { snprintf(out, cap, "<opendir failed: %s>", errno_name(errno)); return; }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 64) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_str);
  for (int i = 0; i < n; i++) {
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s%s", i ? " " : "", names[i]);
    free(names[i]);
  }
}

int main(void) {
  char buf[4096];
  struct stat st;

  expect(read_file("/data/seed.txt", buf, sizeof buf) == 5 && !strcmp(buf, "seed\n"), "read seed.txt: %s",
         buf[0] ? "seed" : "?");

  expect(mkdir("/data/ops", 0755) == 0, "mkdir /data/ops");
  expect_errno(mkdir("/data/ops", 0755), EEXIST, "mkdir /data/ops again");
  expect(stat("/data/ops", &st) == 0 && S_ISDIR(st.st_mode), "stat /data/ops is a directory");

  /* create + write + read back */
  expect(write_file("/data/ops/a.txt", O_CREAT | O_WRONLY | O_TRUNC, "hello") == 0, "create and write a.txt");
  expect(read_file("/data/ops/a.txt", buf, sizeof buf) == 5 && !strcmp(buf, "hello"), "read a.txt: %s", buf);
  expect_errno(open("/data/ops/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "create a.txt exclusively");
  expect_errno(open("/data/ops/missing.txt", O_RDONLY), ENOENT, "open missing.txt");
  expect_errno(open("/data/ops/a.txt", O_RDONLY | O_DIRECTORY), ENOTDIR, "open a.txt as a directory");

  /* append */
  expect(write_file("/data/ops/a.txt", O_WRONLY | O_APPEND, " world") == 0, "append to a.txt");
  expect(read_file("/data/ops/a.txt", buf, sizeof buf) == 11 && !strcmp(buf, "hello world"), "read a.txt: %s", buf);

  /* seek, positional reads and writes */
  int fd = open("/data/ops/a.txt", O_RDWR);
  expect(fd >= 0, "open a.txt read-write");
  expect(lseek(fd, 6, SEEK_SET) == 6, "seek to 6");
  memset(buf, 0, sizeof buf);
  expect(read(fd, buf, 5) == 5 && !strcmp(buf, "world"), "read 5 at 6: %s", buf);
  expect(lseek(fd, 0, SEEK_END) == 11, "seek to the end: 11");
  expect(lseek(fd, -5, SEEK_CUR) == 6, "seek back 5: 6");
  expect(write(fd, "WORLD", 5) == 5, "write WORLD at 6");
  expect(pwrite(fd, "J", 1, 0) == 1, "pwrite J at 0");
  memset(buf, 0, sizeof buf);
  expect(pread(fd, buf, 4, 1) == 4 && !strcmp(buf, "ello"), "pread 4 at 1: %s", buf);
  expect(pread(fd, buf, 4, 100) == 0, "pread past the end reads nothing");
  expect(lseek(fd, 0, SEEK_CUR) == 11, "position after write: 11");
  /* truncate through the descriptor, then grow with a hole */
  expect(ftruncate(fd, 5) == 0, "ftruncate to 5");
  expect(fstat(fd, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode), "fstat: regular file of 5 bytes (%lld)",
         (long long)st.st_size);
  expect(ftruncate(fd, 8) == 0, "ftruncate to 8");
  memset(buf, 'x', 8);
  expect(pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "Jello\0\0\0", 8), "grown file reads Jello and 3 zero bytes");
  close(fd);
  expect(read_file("/data/ops/a.txt", buf, sizeof buf) == 8, "a.txt is 8 bytes");
  /* truncate by path and by O_TRUNC */
  expect(truncate("/data/ops/a.txt", 3) == 0, "truncate a.txt to 3");
  expect(stat("/data/ops/a.txt", &st) == 0 && st.st_size == 3, "stat a.txt: 3 bytes");
  fd = open("/data/ops/a.txt", O_WRONLY | O_TRUNC);
  expect(fd >= 0, "open a.txt with O_TRUNC");
  close(fd);
  expect(stat("/data/ops/a.txt", &st) == 0 && st.st_size == 0, "stat a.txt: 0 bytes after O_TRUNC");
  expect(write_file("/data/ops/a.txt", O_WRONLY, "abc") == 0, "write abc");

  /* rename */
  expect(rename("/data/ops/a.txt", "/data/ops/b.txt") == 0, "rename a.txt to b.txt");
  expect_errno(stat("/data/ops/a.txt", &st), ENOENT, "stat a.txt after rename");
  expect(read_file("/data/ops/b.txt", buf, sizeof buf) == 3 && !strcmp(buf, "abc"), "read b.txt: %s", buf);
  expect(write_file("/data/ops/c.txt", O_CREAT | O_WRONLY, "ccc") == 0, "create c.txt");
  expect(rename("/data/ops/c.txt", "/data/ops/b.txt") == 0, "rename c.txt over b.txt");
  expect(read_file("/data/ops/b.txt", buf, sizeof buf) == 3 && !strcmp(buf, "ccc"), "read b.txt: %s", buf);

  /* hard link and symlink inside the grant */
  expect(link("/data/ops/b.txt", "/data/ops/hard.txt") == 0, "hard link b.txt as hard.txt");
  expect(stat("/data/ops/b.txt", &st) == 0 && st.st_nlink == 2, "b.txt has 2 links");
  struct stat st2;
  expect(stat("/data/ops/hard.txt", &st2) == 0 && st2.st_ino == st.st_ino, "hard.txt is the same file");
  expect(symlink("b.txt", "/data/ops/sym") == 0, "symlink sym -> b.txt");
  ssize_t ln = readlink("/data/ops/sym", buf, sizeof buf - 1);
  if (ln >= 0) buf[ln] = 0;
  expect(ln == 5 && !strcmp(buf, "b.txt"), "readlink sym: %s", ln >= 0 ? buf : errno_name(errno));
  expect(lstat("/data/ops/sym", &st) == 0 && S_ISLNK(st.st_mode), "lstat sym: a symlink");
  expect(stat("/data/ops/sym", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3, "stat sym: the 3-byte file");
  expect(read_file("/data/ops/sym", buf, sizeof buf) == 3 && !strcmp(buf, "ccc"), "read through sym: %s", buf);
  expect_errno(readlink("/data/ops/b.txt", buf, sizeof buf), EINVAL, "readlink of a regular file");

  /* directories */
  expect(mkdir("/data/ops/sub", 0755) == 0, "mkdir ops/sub");
  expect(mkdir("/data/ops/sub/deeper", 0755) == 0, "mkdir ops/sub/deeper");
  expect(write_file("/data/ops/sub/deeper/f", O_CREAT | O_WRONLY, "f") == 0, "create sub/deeper/f");
  list_dir("/data/ops", buf, sizeof buf);
  expect(!strcmp(buf, "b.txt hard.txt sub sym"), "readdir ops: %s", buf);
  list_dir("/data/ops/sub/deeper", buf, sizeof buf);
  expect(!strcmp(buf, "f"), "readdir ops/sub/deeper: %s", buf);
  expect_errno(rmdir("/data/ops/sub"), ENOTEMPTY, "rmdir non-empty ops/sub");
  expect_errno(unlink("/data/ops/sub"), EISDIR, "unlink a directory");
  expect_errno(rmdir("/data/ops/b.txt"), ENOTDIR, "rmdir a file");
  expect(rename("/data/ops/sub/deeper", "/data/ops/moved") == 0, "rename a directory");
  expect(read_file("/data/ops/moved/f", buf, sizeof buf) == 1, "read moved/f");
  expect(unlink("/data/ops/moved/f") == 0, "unlink moved/f");
  expect(rmdir("/data/ops/moved") == 0, "rmdir moved");
  expect(rmdir("/data/ops/sub") == 0, "rmdir sub");
  expect_errno(stat("/data/ops/sub", &st), ENOENT, "stat removed sub");

  /* timestamps */
  struct timespec times[2] = {{1000000000, 500000000}, {1234567890, 250000000}};
  expect(utimensat(AT_FDCWD, "/data/ops/b.txt", times, 0) == 0, "utimensat b.txt");
  expect(stat("/data/ops/b.txt", &st) == 0 && st.st_atim.tv_sec == 1000000000 &&
             st.st_atim.tv_nsec == 500000000 && st.st_mtim.tv_sec == 1234567890 &&
             st.st_mtim.tv_nsec == 250000000,
         "times read back: atime 1000000000.5 mtime 1234567890.25");
  fd = open("/data/ops/b.txt", O_RDONLY);
  struct timespec only_m[2] = {{0, UTIME_OMIT}, {1500000000, 0}};  /* UTIME_OMIT works */
  expect(futimens(fd, only_m) == 0, "futimens: mtime only");
  expect(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1500000000,
         "atime kept, mtime 1500000000");
  close(fd);
  time_t before = time(NULL);
  /* "now" through the preview1 call itself: Debian's 2022 wasi-libc
     refuses UTIME_NOW in a timespec (EINVAL) and turns NULL times into
     timestamp 0, so utimensat cannot ask for it */
  fd = open("/data/ops/b.txt", O_RDONLY);
  __wasi_errno_t werr = __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW);
  close(fd);
  expect(werr == 0, "set times to now: %s", werr == 0 ? "done" : errno_name(werr));
  expect(stat("/data/ops/b.txt", &st) == 0 && st.st_mtim.tv_sec >= before - 1, "mtime is now");
  struct timespec dir_times[2] = {{2000000000, 0}, {2000000000, 0}};
  expect(utimensat(AT_FDCWD, "/data/ops", dir_times, 0) == 0, "utimensat on a directory");
  expect(stat("/data/ops", &st) == 0 && st.st_mtim.tv_sec == 2000000000, "directory mtime read back");
  struct timespec link_times[2] = {{1100000000, 0}, {1100000000, 0}};
  expect(utimensat(AT_FDCWD, "/data/ops/sym", link_times, AT_SYMLINK_NOFOLLOW) == 0, "utimensat on the link itself");
  struct stat lst;
  expect(lstat("/data/ops/sym", &lst) == 0 && lst.st_mtim.tv_sec == 1100000000 && stat("/data/ops/sym", &st) == 0 &&
             st.st_mtim.tv_sec != 1100000000,
         "link time changed, target time not");

  /* a larger file through the streams, in uneven chunks */
  enum { kBig = 300 * 1024 };
  unsigned char *big = malloc(kBig);
  for (int i = 0; i < kBig; i++) big[i] = (unsigned char)(i * 7 + i / 1024);
  fd = open("/data/ops/big.bin", O_CREAT | O_WRONLY, 0644);
  int wrote_ok = fd >= 0;
  for (size_t off = 0; wrote_ok && off < kBig; off += 10000) {
    size_t n = kBig - off < 10000 ? kBig - off : 10000;
    wrote_ok = write_all(fd, big + off, n) == 0;
  }
  close(fd);
  expect(wrote_ok, "write big.bin (%d bytes)", kBig);
  unsigned char *back = malloc(kBig + 1);
  fd = open("/data/ops/big.bin", O_RDONLY);
  size_t got = 0;
  for (ssize_t r; (r = read(fd, back + got, kBig + 1 - got)) > 0;) got += (size_t)r;
  close(fd);
  expect(got == kBig && !memcmp(big, back, kBig), "read big.bin back: %zu bytes, same content", got);
  free(big);
  free(back);

  /* unlink everything */
  expect(unlink("/data/ops/sym") == 0, "unlink sym (the link only)");
  expect(stat("/data/ops/b.txt", &st) == 0, "b.txt still there");
  expect(unlink("/data/ops/b.txt") == 0 && unlink("/data/ops/hard.txt") == 0 && unlink("/data/ops/big.bin") == 0,
         "unlink the files");
  list_dir("/data/ops", buf, sizeof buf);
  expect(buf[0] == 0, "ops is empty: [%s]", buf);
  expect(rmdir("/data/ops") == 0, "rmdir ops");
  list_dir("/data", buf, sizeof buf);
  expect(!strcmp(buf, "seed.txt"), "readdir /data: %s", buf);
  return finish("fs_ops");
}
