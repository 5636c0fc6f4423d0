/* hello.c — a WASI command guest: prints a greeting. Wrapped into a
   component with jco's preview1 command adapter (see README.md here).
   Exports cabi_realloc built on malloc/realloc so the adapter's state is
   not overwritten by wasi-libc's allocator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  (void)align;
  if (new_size == 0) return (void *)align;
  void *p = old ? realloc(old, new_size) : malloc(new_size);
  if (!p) abort();
  return p;
}

int main(void) {
  printf("hello from a component\n");
  return 0;
}
