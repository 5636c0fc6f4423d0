/* hello_write.c — a WASI command guest that prints its greeting with
   write(2) (no stdio buffering) and one line with printf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../guests/cabi_realloc.h"

int main(void) {
  static const char msg[] = "hello from a component\n";
  write(1, msg, sizeof msg - 1);
  return 0;
}
