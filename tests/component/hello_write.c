/* hello_write.c — a WASI command guest that prints its greeting with
   write(2) (no stdio buffering) and one line with printf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  void *p = old ? realloc(old, new_size) : malloc(new_size);
  if (!p) abort();
  return p;
}

int main(void) {
  static const char msg[] = "hello from a component\n";
  write(1, msg, sizeof msg - 1);
  return 0;
}
