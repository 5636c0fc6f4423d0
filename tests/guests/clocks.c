/* clocks.c — reads the monotonic and the wall clock around a 50 ms sleep
   and checks what it saw: both advance by at least the sleep (the wall
   clock by 45 ms, allowing for a coarse or adjusted clock), the sleep ends
   within 5 s, the wall clock is past 2020, resolutions are non-zero.
   Prints one yes/no line per check (never the raw times). */
#include <time.h>

#include "cabi_realloc.h"
#include "guest_io.h"

static long long ns(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int check(const char *what, int ok) {
  say(1, "%s: %s\n", what, ok ? "yes" : "no");
  return ok;
}

int main(void) {
  long long m0 = ns(CLOCK_MONOTONIC), w0 = ns(CLOCK_REALTIME);
  struct timespec d = {0, 50 * 1000000L};
  int slept = nanosleep(&d, NULL) == 0;
  long long m1 = ns(CLOCK_MONOTONIC), w1 = ns(CLOCK_REALTIME);
  struct timespec rm, rw;
  int res = clock_getres(CLOCK_MONOTONIC, &rm) == 0 && clock_getres(CLOCK_REALTIME, &rw) == 0;

  int ok = 1;
  ok &= check("clocks readable", m0 >= 0 && w0 >= 0 && m1 >= 0 && w1 >= 0);
  ok &= check("nanosleep returned 0", slept);
  ok &= check("monotonic advanced >= 50 ms", m1 - m0 >= 50000000LL);
  ok &= check("monotonic advanced < 5 s", m1 - m0 < 5000000000LL);
  ok &= check("wall advanced >= 45 ms", w1 - w0 >= 45000000LL);
  ok &= check("wall clock after 2020-01-01", w1 / 1000000000LL > 1577836800LL);
  ok &= check("resolutions non-zero", res && (rm.tv_sec || rm.tv_nsec) && (rw.tv_sec || rw.tv_nsec));
  return ok ? 0 : 1;
}
