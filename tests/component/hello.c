/* hello.c — a WASI command guest: prints a greeting. Wrapped into a
   component with jco's preview1 command adapter (see README.md here).
   Exports cabi_realloc built on malloc/realloc so the adapter's state is
   not overwritten by wasi-libc's allocator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../guests/cabi_realloc.h"

int main(void) {
  printf("hello from a component\n");
  return 0;
}
