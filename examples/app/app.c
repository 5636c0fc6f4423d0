/* app.c — the guest of the embedding examples (world `app` in wit/app.wit),
   with the canonical ABI written out by hand:
     import my:app/host#greet: func(name: string) -> string
       lowered as (ptr, len, retptr): the host writes the result string's
       pointer and length at retptr (memory from cabi_realloc, ours to free);
     export my:app/api#handle: func(req: request) -> string
       the record { name: string, times: u32 } arrives flattened as (ptr,
       len, times); the result string goes to a return area (ptr, len);
     export my:app/api#spin: func(n: u64) -> u64. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"

__attribute__((import_module("my:app/host"), import_name("greet")))
extern void host_greet(const char *name, uint32_t len, uint32_t *ret);

static _Alignas(4) uint32_t ret_area[2];

__attribute__((export_name("my:app/api#handle")))
uint32_t *handle(char *name, uint32_t len, uint32_t times) {
  static const char sep[] = " | ";
  char *out = NULL;
  uint32_t n = 0;
  for (uint32_t i = 0; i < times; ++i) {
    uint32_t got[2];
    host_greet(name, len, got);
    const char *s = (const char *)(uintptr_t)got[0];
    uint32_t extra = (i ? (uint32_t)strlen(sep) : 0) + got[1];
    out = realloc(out, n + extra + 1);
    if (!out) abort();
    if (i) memcpy(out + n, sep, strlen(sep)), n += (uint32_t)strlen(sep);
    memcpy(out + n, s, got[1]);
    n += got[1];
    if (got[1]) free((void *)s); /* a zero-length string is not a malloc block */
  }
  if (len) free(name);
  ret_area[0] = (uint32_t)(uintptr_t)(n ? out : "");
  ret_area[1] = n;
  if (!n) free(out);
  return ret_area;
}

__attribute__((export_name("cabi_post_my:app/api#handle")))
void post_handle(uint32_t *ret) {
  if (ret[1]) free((void *)(uintptr_t)ret[0]);
}

__attribute__((export_name("my:app/api#spin")))
uint64_t spin(uint64_t n) {
  volatile uint64_t i = 0;
  while (n == 0 || i < n) i = i + 1;
  return i;
}
