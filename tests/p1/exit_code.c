/* exit_code.c — a preview1 command that exits with the status given as
   argv[1] (main's return value reaches proc_exit through wasi-libc), after
   printing one line; with argv[1] "sleep" it sleeps 50 ms in poll_oneoff
   first (nanosleep) and reports that at least 50 ms passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (strcmp(argv[1], "sleep") == 0) {
    struct timespec a, b, d = {0, 50 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (nanosleep(&d, NULL) != 0) return 3;
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept >= 50 ms: %s\n", ns >= 50000000LL ? "yes" : "no");
    return 0;
  }
  printf("exiting with %s\n", argv[1]);
  fflush(stdout);
  return atoi(argv[1]);
}
