/* cabi_realloc.h — the `cabi_realloc` export every C guest needs; include it
   in exactly one translation unit of a guest.
   Why: without it, wit-component falls back to an allocator that Debian's
   2022 wasi-libc does not know about, so a large malloc can overwrite the
   preview1 adapter's state. Building it on malloc/realloc keeps all guest
   memory under one allocator. A zero-size request returns the alignment as
   a non-null dangling pointer (the canonical ABI never reads through it). */
#ifndef WIPPY_GUESTS_CABI_REALLOC_H
#define WIPPY_GUESTS_CABI_REALLOC_H
#include <stddef.h>
#include <stdlib.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  void *p = old ? realloc(old, new_size) : malloc(new_size);
  if (!p) abort();
  return p;
}

#endif
