/* wasi_cmd.c — a wasi:cli/run guest for the registry tests: prints its
   arguments, the environment, its working directory, then, when argv[1] is
   "files", reads /data/in.txt (a read-only mount) and tries to write both
   /data/out.txt (must be refused) and /scratch/out.txt (a writable mount);
   "exit N" exits with status N. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cabi_realloc.h"
#include "guest_io.h"

extern char **environ;

static void try_write(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    say(1, "write %s: refused (%s)\n", path, strerror(errno));
    return;
  }
  int ok = write_all(fd, "written\n", 8) == 0;
  close(fd);
  say(1, "write %s: %s\n", path, ok ? "ok" : "failed");
}

int main(int argc, char **argv) {
  for (int i = 0; i < argc; ++i) say(1, "arg %d: %s\n", i, argv[i]);
  for (char **e = environ; e && *e; ++e) say(1, "env %s\n", *e);
  char cwd[256];
  say(1, "cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(none)");
  if (argc > 2 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
  if (argc > 1 && strcmp(argv[1], "files") == 0) {
    int fd = open("/data/in.txt", O_RDONLY);
    if (fd < 0) {
      say(1, "read /data/in.txt: %s\n", strerror(errno));
    } else {
      char buf[256];
      ssize_t n = read(fd, buf, sizeof buf - 1);
      close(fd);
      buf[n > 0 ? n : 0] = 0;
      say(1, "read /data/in.txt: %s", buf);
    }
    try_write("/data/out.txt");
    try_write("/scratch/out.txt");
  }
  return 0;
}
