/* cwd.c — returns what wasi:cli/environment.initial-cwd says (wit/cwd.wit),
   imported directly: the preview1 adapter's getcwd() does not consult it. */
#include <stdint.h>
#include <string.h>

#include "cabi_realloc.h"

/* initial-cwd: func() -> option<string>, lowered: the result goes to a
   return area (u8 case at 0, string pointer and length at 4 and 8). */
__attribute__((import_module("wasi:cli/environment@0.2.0"), import_name("initial-cwd")))
extern void initial_cwd(uint8_t *ret);

static _Alignas(4) uint8_t area[12];
static _Alignas(4) uint32_t result[2];

__attribute__((export_name("cwd"))) uint32_t *cwd(void) {
  memset(area, 0, sizeof area);
  initial_cwd(area);
  if (area[0] == 1) {
    memcpy(result, area + 4, 8);
  } else {
    static const char none[] = "(none)";
    result[0] = (uint32_t)(uintptr_t)none;
    result[1] = sizeof none - 1;
  }
  return result;
}
