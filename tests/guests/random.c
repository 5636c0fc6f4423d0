/* random.c — draws two 32-byte buffers with getentropy (wasi:random/random
   through the adapter) and checks they differ and are not all zero; then a
   1 MiB draw in 256-byte calls (getentropy's limit) must use every byte
   value. Prints one yes/no line per check. */
#include <string.h>
#include <unistd.h>

#include "cabi_realloc.h"
#include "guest_io.h"

static int check(const char *what, int ok) {
  say(1, "%s: %s\n", what, ok ? "yes" : "no");
  return ok;
}

int main(void) {
  unsigned char a[32], b[32], zero[32] = {0};
  int got = getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0;
  unsigned long seen[256] = {0};
  unsigned char chunk[256];
  int big = 1;
  for (int i = 0; big && i < 4096; ++i) {
    big = getentropy(chunk, sizeof chunk) == 0;
    for (size_t j = 0; big && j < sizeof chunk; ++j) seen[chunk[j]]++;
  }
  int all_values = 1;
  for (int v = 0; v < 256; ++v) all_values &= seen[v] > 0;

  int ok = 1;
  ok &= check("getentropy succeeded", got && big);
  ok &= check("two draws differ", memcmp(a, b, sizeof a) != 0);
  ok &= check("draws not all zero", memcmp(a, zero, sizeof a) != 0 && memcmp(b, zero, sizeof b) != 0);
  ok &= check("1 MiB covers all 256 byte values", all_values);
  return ok ? 0 : 1;
}
