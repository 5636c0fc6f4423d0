/* fs_escape.c — every way out of a grant is refused. /data is granted
   (scratch/root) and /other too (scratch/other, a second grant); the
   sibling scratch/outside holds `secret`, which must stay unreadable and
   unchanged. fs_escape.setup.sh makes symlinks in root/ that point out:
   relative (up), absolute (abs, abs_root), through chains at depth
   (chain1 -> chain2 -> sub/chain3 -> ../../outside/secret), a directory
   link (dirlink -> ../outside), a deep climb (sub/deep -> ../../..), a
   loop (loop1 <-> loop2), and one that stays inside (inside -> file).
   Each attempt prints the errno it got; the guest checks it against the
   expected one. Exit status 1 if any check failed. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cabi_realloc.h"
#include "fs_check.h"

static void try_open(const char *path, int flags, int want) {
  char what[256];
  snprintf(what, sizeof what, "open %s%s", path, (flags & O_CREAT) ? " (create)" : "");
  int fd = open(path, flags, 0644);
  if (fd >= 0) close(fd);
  expect_errno(fd, want, what);
}

static void try_stat(const char *path, int want) {
  struct stat st;
  char what[256];
  snprintf(what, sizeof what, "stat %s", path);
  expect_errno(stat(path, &st), want, what);
}

/* call(from, to) for link or rename must fail with `want`; prints
   "NAME FROM TO" and then `note` (empty or " (...)"). */
static void try_two_paths(int (*call)(const char *, const char *), const char *name, const char *from,
                          const char *to, int want, const char *note) {
  char what[256];
  snprintf(what, sizeof what, "%s %s %s%s", name, from, to, note);
  expect_errno(call(from, to), want, what);
}

/* A link made inside the grant that points out: `made` (the result of
   making `path`, described by `what`) must be 0, opening `path` must still
   be refused with EPERM, and then `path` is unlinked. */
static void try_link_not_followed(int made, const char *what, const char *path) {
  expect(made == 0, "%s", what);
  try_open(path, O_RDONLY, EPERM);
  expect(unlink(path) == 0, "unlink %s", path);
}

static void try_opendir(const char *path, int want) {
  char what[256];
  snprintf(what, sizeof what, "opendir %s", path);
  DIR *d = opendir(path);
  if (d) closedir(d);
  expect_errno(d ? 0 : -1, want, what);
}

int main(void) {
  char buf[256];
  struct stat st;

  /* the grant works, and links that stay inside are followed */
  int fd = open("/data/inside", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (n >= 0) buf[n] = 0;
  if (fd >= 0) close(fd);
  expect(n == 7 && !strcmp(buf, "inside\n"), "read /data/inside (link to file): %s", n >= 0 ? "inside" : "?");

  /* ".." leaving the grant */
  try_open("/data/../outside/secret", O_RDONLY, EPERM);
  try_open("/data/sub/../../outside/secret", O_RDONLY, EPERM);
  try_open("/data/sub/../sub/../../outside/secret", O_RDONLY, EPERM);
  try_stat("/data/..", EPERM);
  try_opendir("/data/..", EPERM);
  try_open("/data/../outside/new", O_CREAT | O_WRONLY, EPERM);
  expect_errno(mkdir("/data/../outside/newdir", 0755), EPERM, "mkdir /data/../outside/newdir");
  expect_errno(unlink("/data/../outside/secret"), EPERM, "unlink /data/../outside/secret");
  expect_errno(rmdir("/data/../outside"), EPERM, "rmdir /data/../outside");

  /* absolute paths outside every grant never reach the host: wasi-libc
     finds no preopen for them */
  try_open("/outside/secret", O_RDONLY, ENOTCAPABLE);
  try_open("/etc/passwd", O_RDONLY, ENOTCAPABLE);

  /* symlinks leaving the grant, at any depth */
  try_open("/data/up", O_RDONLY, EPERM);
  try_open("/data/abs", O_RDONLY, EPERM);
  try_open("/data/abs_root", O_RDONLY, EPERM);
  try_open("/data/chain1", O_RDONLY, EPERM);
  try_open("/data/sub/chain3", O_RDONLY, EPERM);
  try_open("/data/dirlink/secret", O_RDONLY, EPERM);
  try_opendir("/data/dirlink", EPERM);
  try_open("/data/sub/deep/etc/passwd", O_RDONLY, EPERM);
  try_stat("/data/up", EPERM);
  try_stat("/data/chain1", EPERM);
  try_open("/data/up", O_WRONLY | O_TRUNC, EPERM);
  try_open("/data/dirlink/created", O_CREAT | O_WRONLY, EPERM);
  expect_errno(mkdir("/data/dirlink/newdir", 0755), EPERM, "mkdir /data/dirlink/newdir");
  try_open("/data/loop1", O_RDONLY, ELOOP);
  /* the links themselves are inside and may be looked at */
  expect(lstat("/data/up", &st) == 0 && S_ISLNK(st.st_mode), "lstat /data/up: a symlink");
  n = readlink("/data/chain1", buf, sizeof buf - 1);
  if (n >= 0) buf[n] = 0;
  expect(n > 0 && !strcmp(buf, "chain2"), "readlink /data/chain1: %s", n > 0 ? buf : errno_name(errno));

  /* new symlinks: absolute targets are refused; relative ones that leave
     are stored but never followed out */
  expect_errno(symlink("/etc/passwd", "/data/newabs"), EPERM, "symlink /data/newabs -> /etc/passwd");
  try_link_not_followed(symlink("../outside/secret", "/data/newrel"), "symlink /data/newrel -> ../outside/secret",
                        "/data/newrel");

  /* hard links and renames out of the grant */
  try_two_paths(link, "link", "/data/../outside/secret", "/data/stolen", EPERM, "");
  try_two_paths(link, "link", "/data/file", "/data/../outside/planted", EPERM, "");
  try_two_paths(link, "link", "/data/file", "/other/file", EXDEV, " (another grant)");
  try_two_paths(link, "link", "/data/dirlink/secret", "/data/stolen", EPERM, "");
  /* a hard link to the escaping symlink itself is still only that symlink */
  try_link_not_followed(link("/data/up", "/data/up2"), "link /data/up /data/up2 (the link itself)", "/data/up2");
  try_two_paths(rename, "rename", "/data/file", "/data/../outside/moved", EPERM, "");
  try_two_paths(rename, "rename", "/data/../outside/secret", "/data/moved", EPERM, "");
  try_two_paths(rename, "rename", "/data/file", "/other/moved", EXDEV, " (another grant)");
  try_two_paths(rename, "rename", "/data/file", "/data/dirlink/moved", EPERM, "");

  /* nothing moved */
  expect(stat("/data/file", &st) == 0 && st.st_size == 5, "/data/file is still there");
  expect_errno(stat("/data/stolen", &st), ENOENT, "stat /data/stolen");
  expect_errno(stat("/other/file", &st), ENOENT, "stat /other/file");
  return finish("fs_escape");
}
