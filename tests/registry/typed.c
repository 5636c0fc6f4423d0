/* typed.c — a reactor component with typed exports (wit/typed.wit), the
   canonical ABI written out by hand: strings and lists arrive as
   (pointer, length) in memory the host allocated through cabi_realloc;
   results wider than one core value are written to a static return area
   whose address the export returns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cabi_realloc.h"

#define EXPORT(name) __attribute__((export_name(name)))

typedef struct {
  char *ptr;
  uint32_t len;
} str_t;

static str_t make_str(const char *a, uint32_t alen, const char *b, uint32_t blen) {
  str_t s = {malloc(alen + blen ? alen + blen : 1), alen + blen};
  memcpy(s.ptr, a, alen);
  memcpy(s.ptr + alen, b, blen);
  return s;
}

static _Alignas(8) uint8_t ret_area[32];

/* greet: func(name: string) -> string */
EXPORT("greet") uint8_t *greet(char *name, uint32_t len) {
  str_t s = make_str("hello, ", 7, name, len);
  if (len) free(name); /* a zero-length string is not a malloc block (cabi_realloc.h) */
  memcpy(ret_area, &s, sizeof s);
  return ret_area;
}
EXPORT("cabi_post_greet") void post_greet(uint8_t *ret) { free(((str_t *)ret)->ptr); }

/* words: func(text: string) -> list<string> */
EXPORT("words") uint8_t *words(char *text, uint32_t len) {
  str_t *list = malloc(sizeof(str_t) * (len / 2 + 1));
  uint32_t n = 0, i = 0;
  while (i < len) {
    while (i < len && text[i] == ' ') ++i;
    uint32_t start = i;
    while (i < len && text[i] != ' ') ++i;
    if (i > start) list[n++] = make_str(text + start, i - start, "", 0);
  }
  if (len) free(text);
  uint32_t out[2] = {(uint32_t)(uintptr_t)list, n};
  memcpy(ret_area, out, sizeof out);
  return ret_area;
}
EXPORT("cabi_post_words") void post_words(uint8_t *ret) {
  uint32_t out[2];
  memcpy(out, ret, sizeof out);
  str_t *list = (str_t *)(uintptr_t)out[0];
  for (uint32_t i = 0; i < out[1]; ++i) free(list[i].ptr);
  free(list);
}

static void sleep_ms(uint32_t ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* counter: func(ms: u32) -> u32 */
static uint32_t served;
EXPORT("counter") uint32_t counter(uint32_t ms) {
  uint32_t before = served++;
  if (ms) sleep_ms(ms);
  return before;
}

/* spin: func(n: u32) -> u32 */
EXPORT("spin") uint32_t spin(uint32_t n) {
  volatile uint32_t i = 0;
  while (n == 0 || i < n) ++i;
  return i;
}

/* test-sleep#sleep-ms: func(ms: u32) */
EXPORT("guests:c-exports/test-sleep@0.1.0#sleep-ms") void test_sleep(uint32_t ms) { sleep_ms(ms); }

/* geometry: record point { x: f64, y: f64 } (size 16, align 8) */
typedef struct {
  double x, y;
} point_t;

/* centroid: func(points: list<point>) -> result<point, string>
   result layout: discriminant u8 at 0, payload at 8 (point, or string as
   pointer + length). */
EXPORT("guests:c-exports/geometry@0.1.0#centroid") uint8_t *centroid(point_t *pts, uint32_t n) {
  memset(ret_area, 0, sizeof ret_area);
  if (n == 0) {
    static const char msg[] = "no points";
    str_t s = make_str(msg, sizeof msg - 1, "", 0);
    ret_area[0] = 1;
    memcpy(ret_area + 8, &s, sizeof s);
  } else {
    point_t c = {0, 0};
    for (uint32_t i = 0; i < n; ++i) {
      c.x += pts[i].x;
      c.y += pts[i].y;
    }
    c.x /= n;
    c.y /= n;
    memcpy(ret_area + 8, &c, sizeof c);
  }
  if (n) free(pts);
  return ret_area;
}
EXPORT("cabi_post_guests:c-exports/geometry@0.1.0#centroid") void post_centroid(uint8_t *ret) {
  if (ret[0] == 1) free(((str_t *)(ret + 8))->ptr);
}

/* area: func(s: shape) -> f64; shape flattens to (case, f64, f64):
   circle(r) uses the first, rect(point) both, dot none. */
EXPORT("guests:c-exports/geometry@0.1.0#area") double area(uint32_t shape_case, double a, double b) {
  switch (shape_case) {
    case 0: return 3.141592653589793 * a * a;
    case 1: return a * b;
    default: return 0;
  }
}
