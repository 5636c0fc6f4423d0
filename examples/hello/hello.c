/* hello.c — the bundled example's typed export (greeter in wit/hello.wit), with the
   canonical ABI written out by hand:
     greeter#greet: func(who: greeting) -> result<string, string>
   The record { text: string, shout: bool } arrives flattened as (pointer,
   length, bool); the result is written to a return area: case byte at 0,
   string pointer and length at 4 and 8. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"

static _Alignas(4) uint8_t ret_area[12];

static void set_result(uint8_t is_err, char *text, uint32_t len) {
  ret_area[0] = is_err;
  uint32_t parts[2] = {(uint32_t)(uintptr_t)text, len};
  memcpy(ret_area + 4, parts, sizeof parts);
}

__attribute__((export_name("wippy:hello/greeter@0.1.0#greet")))
uint8_t *greet(char *name, uint32_t len, uint32_t shout) {
  if (len == 0) {
    static const char msg[] = "nobody to greet";
    char *copy = malloc(sizeof msg);
    memcpy(copy, msg, sizeof msg);
    set_result(1, copy, sizeof msg - 1);
  } else {
    uint32_t n = 7 + len + 1;
    char *out = malloc(n);
    memcpy(out, "Hello, ", 7);
    memcpy(out + 7, name, len);
    out[n - 1] = '!';
    if (shout)
      for (uint32_t i = 0; i < n; ++i) out[i] = (char)toupper((unsigned char)out[i]);
    set_result(0, out, n);
  }
  if (len) free(name); /* a zero-length string is not a malloc block (cabi_realloc.h) */
  return ret_area;
}

__attribute__((export_name("cabi_post_wippy:hello/greeter@0.1.0#greet")))
void post_greet(uint8_t *ret) {
  uint32_t parts[2];
  memcpy(parts, ret + 4, sizeof parts);
  free((void *)(uintptr_t)parts[0]);
}
