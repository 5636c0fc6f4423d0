/* hello_cmd.c — the bundled example's wasi:cli/run command: greets each
   argument (or $USER), and lists what it finds in its /files mount. */
#include <dirent.h>
#include <stdlib.h>

#include "cabi_realloc.h"
#include "guest_io.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    const char *user = getenv("USER");
    say(1, "Hello, %s! (from %s)\n", user ? user : "stranger", argv[0]);
  }
  for (int i = 1; i < argc; ++i) say(1, "Hello, %s! (from %s)\n", argv[i], argv[0]);
  DIR *d = opendir("/files");
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)))
      if (e->d_name[0] != '.') say(1, "/files has %s\n", e->d_name);
    closedir(d);
  }
  return 0;
}
