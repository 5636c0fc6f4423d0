/* fs_readonly.c — a read-only grant at /ro (fs_readonly.setup.sh makes it:
   file.txt = "read only\n", dir/inner.txt, link -> file.txt) can be read,
   listed and stat'ed, and refuses every change with EROFS: opening for
   writing, creating, truncating, appending, renaming, deleting, mkdir,
   rmdir, symlink, hard link, and setting times (by path and through a
   descriptor); writes and resizes through a read-only descriptor fail too.
   Afterwards the tree is checked unchanged (sizes, contents, mtime).
   Exit status 1 if any check failed. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cabi_realloc.h"
#include "fs_check.h"

static void try_open(const char *path, int flags, const char *how) {
  char what[256];
  snprintf(what, sizeof what, "open %s %s", path, how);
  int fd = open(path, flags, 0644);
  if (fd >= 0) close(fd);
  expect_errno(fd, EROFS, what);
}

static int read_text(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, cap - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return (int)n;
}

int main(void) {
  char buf[256];
  struct stat st, before;

  /* reading works */
  expect(read_text("/ro/file.txt", buf, sizeof buf) == 10 && !strcmp(buf, "read only\n"), "read file.txt");
  expect(read_text("/ro/link", buf, sizeof buf) == 10, "read through link");
  expect(read_text("/ro/dir/inner.txt", buf, sizeof buf) == 6 && !strcmp(buf, "inner\n"), "read dir/inner.txt");
  expect(stat("/ro/file.txt", &before) == 0 && before.st_size == 10, "stat file.txt");
  DIR *d = opendir("/ro");
  int entries = 0;
  for (struct dirent *e; d && (e = readdir(d)) != NULL;)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) entries++;
  if (d) closedir(d);
  expect(entries == 3, "readdir /ro: %d entries", entries);

  /* opening for any kind of change */
  try_open("/ro/file.txt", O_WRONLY, "write-only");
  try_open("/ro/file.txt", O_RDWR, "read-write");
  try_open("/ro/file.txt", O_WRONLY | O_APPEND, "append");
  try_open("/ro/file.txt", O_RDONLY | O_TRUNC, "truncate");
  try_open("/ro/new.txt", O_CREAT | O_WRONLY, "create");
  try_open("/ro/file.txt", O_CREAT | O_RDONLY, "create existing");
  try_open("/ro/dir/new.txt", O_CREAT | O_EXCL | O_WRONLY, "create exclusive in a subdirectory");
  expect_errno(truncate("/ro/file.txt", 0), EROFS, "truncate file.txt");

  /* namespace changes */
  expect_errno(rename("/ro/file.txt", "/ro/renamed.txt"), EROFS, "rename file.txt");
  expect_errno(rename("/ro/dir", "/ro/dir2"), EROFS, "rename dir");
  expect_errno(unlink("/ro/file.txt"), EROFS, "unlink file.txt");
  expect_errno(unlink("/ro/link"), EROFS, "unlink link");
  expect_errno(rmdir("/ro/dir"), EROFS, "rmdir dir");
  expect_errno(mkdir("/ro/newdir", 0755), EROFS, "mkdir newdir");
  expect_errno(mkdir("/ro/dir/newdir", 0755), EROFS, "mkdir dir/newdir");
  expect_errno(symlink("file.txt", "/ro/newlink"), EROFS, "symlink newlink");
  expect_errno(link("/ro/file.txt", "/ro/hard.txt"), EROFS, "link hard.txt");

  /* times */
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  expect_errno(utimensat(AT_FDCWD, "/ro/file.txt", times, 0), EROFS, "utimensat file.txt");
  expect_errno(utimensat(AT_FDCWD, "/ro/dir", times, 0), EROFS, "utimensat dir");
  expect_errno(utimensat(AT_FDCWD, "/ro/link", times, AT_SYMLINK_NOFOLLOW), EROFS, "utimensat link itself");

  /* through a read-only descriptor */
  int fd = open("/ro/file.txt", O_RDONLY);
  expect(fd >= 0, "open file.txt read-only");
  expect_errno(futimens(fd, times), EROFS, "futimens file.txt");
  expect_errno(ftruncate(fd, 0), EROFS, "ftruncate file.txt");
  expect_errno(write(fd, "x", 1), EBADF, "write to a read-only descriptor");
  /* pwrite reaches descriptor.write, which refuses for the grant first
     (write() goes through write-via-stream, which wants a descriptor opened
     for writing: EBADF; wasmtime has the same split) */
  expect_errno(pwrite(fd, "x", 1, 0), EROFS, "pwrite to a read-only descriptor");
  close(fd);
  int dfd = open("/ro/dir", O_RDONLY | O_DIRECTORY);
  expect(dfd >= 0, "open dir");
  expect_errno(openat(dfd, "made.txt", O_CREAT | O_WRONLY, 0644), EROFS, "openat dir/made.txt (create)");
  expect_errno(unlinkat(dfd, "inner.txt", 0), EROFS, "unlinkat dir/inner.txt");
  expect_errno(mkdirat(dfd, "sub", 0755), EROFS, "mkdirat dir/sub");
  expect_errno(utimensat(dfd, ".", times, 0), EROFS, "utimensat dir/.");
  close(dfd);

  /* nothing changed */
  expect(stat("/ro/file.txt", &st) == 0 && st.st_size == 10 && st.st_mtim.tv_sec == before.st_mtim.tv_sec &&
             st.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
         "file.txt unchanged (size and mtime)");
  expect(read_text("/ro/file.txt", buf, sizeof buf) == 10 && !strcmp(buf, "read only\n"), "file.txt content unchanged");
  expect_errno(stat("/ro/new.txt", &st), ENOENT, "stat new.txt");
  expect_errno(stat("/ro/newdir", &st), ENOENT, "stat newdir");
  expect(stat("/ro/dir/inner.txt", &st) == 0, "dir/inner.txt still there");
  return finish("fs_readonly");
}
