/* http_get.c — one HTTP GET through wasi:http/outgoing-handler, called
   directly (world in wit/http_get.wit; return areas laid out as
   CanonicalABI.md says). For the concurrency test and bench, where 200 of
   these run at once: a C guest is small where a JavaScript one carries a
   whole engine.
     http_get AUTHORITY PATH      e.g. 127.0.0.1:8080 /delay?ms=200
     http_get AUTHORITY PATH COUNT [http|https]
   The first form prints "status N body BYTES" and the body (the first 4 KiB)
   on success. The second (for bench/) makes COUNT sequential GETs, http by
   default, each read to its end, and prints "gets COUNT status N bytes
   TOTAL" (N the last status; every one must be 200). On failure
   "error-code CASE" (its index in error-code; for internal-error with a
   text, the text too) or what went wrong, and exits 1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define TYPES "wasi:http/types@0.2.12"

/* error-code: a u8 case, payload aligned to 8 (option<u64> cases), so
   payload[7] is byte 8 of the variant: for internal-error(option<string>)
   the option's case, then the string's pointer and length at 12 and 16. */
typedef struct { uint8_t tag; uint8_t payload[39]; } __attribute__((aligned(8))) error_code;
/* result<own<future-incoming-response>, error-code> */
typedef struct { uint8_t is_err; union { int32_t handle; error_code err; } u; } res_future;
/* option<result<result<own<incoming-response>, error-code>>> */
typedef struct {
  uint8_t is_some;
  struct {
    uint8_t is_err;
    struct { uint8_t is_err; union { int32_t handle; error_code err; } u; } inner;
  } r;
} opt_response;
typedef struct { uint8_t is_err; int32_t handle; } res_handle;  /* result<own<T>> */
typedef struct { uint8_t tag; int32_t error; } stream_err;
typedef struct { uint8_t is_err; union { struct { uint8_t *ptr; uint32_t len; } l; stream_err e; } u; } res_read;

_Static_assert(offsetof(res_future, u) == 8, "result<own, error-code> payload at 8");
_Static_assert(offsetof(opt_response, r.inner.u) == 24, "the response handle at 24");

IMPORT(TYPES, "[constructor]fields") extern int32_t fields_new(void);
IMPORT(TYPES, "[constructor]outgoing-request") extern int32_t request_new(int32_t headers);
IMPORT(TYPES, "[method]outgoing-request.set-scheme")
extern int32_t request_set_scheme(int32_t, int32_t is_some, int32_t tag, const char *, uint32_t);
IMPORT(TYPES, "[method]outgoing-request.set-authority")
extern int32_t request_set_authority(int32_t, int32_t is_some, const char *, uint32_t);
IMPORT(TYPES, "[method]outgoing-request.set-path-with-query")
extern int32_t request_set_path(int32_t, int32_t is_some, const char *, uint32_t);
IMPORT("wasi:http/outgoing-handler@0.2.12", "handle")
extern void handle(int32_t request, int32_t has_options, int32_t options, res_future *ret);
IMPORT(TYPES, "[method]future-incoming-response.subscribe") extern int32_t future_subscribe(int32_t);
IMPORT(TYPES, "[method]future-incoming-response.get") extern void future_get(int32_t, opt_response *ret);
IMPORT(TYPES, "[method]incoming-response.status") extern int32_t response_status(int32_t);
IMPORT(TYPES, "[method]incoming-response.consume") extern void response_consume(int32_t, res_handle *ret);
IMPORT(TYPES, "[method]incoming-body.stream") extern void body_stream(int32_t, res_handle *ret);
IMPORT("wasi:io/poll@0.2.12", "[method]pollable.block") extern void pollable_block(int32_t);
IMPORT("wasi:io/poll@0.2.12", "[resource-drop]pollable") extern void pollable_drop(int32_t);
IMPORT(TYPES, "[resource-drop]future-incoming-response") extern void future_drop(int32_t);
IMPORT(TYPES, "[resource-drop]incoming-response") extern void incoming_response_drop(int32_t);
IMPORT(TYPES, "[resource-drop]incoming-body") extern void incoming_body_drop(int32_t);
IMPORT("wasi:io/streams@0.2.12", "[resource-drop]input-stream") extern void input_stream_drop(int32_t);
IMPORT("wasi:io/streams@0.2.12", "[method]input-stream.blocking-read")
extern void stream_blocking_read(int32_t, int64_t len, res_read *ret);

/* "error-code N", and for internal-error(some(text)) the text too. */
static int fail_code(const error_code *e) {
  if (e->tag == 38 && e->payload[7] == 1) {
    const char *text;
    uint32_t len;
    memcpy(&text, e->payload + 11, sizeof text);
    memcpy(&len, e->payload + 15, sizeof len);
    say(1, "error-code 38 internal-error: %.*s\n", (int)len, text);
  } else {
    say(1, "error-code %u\n", e->tag);
  }
  return 1;
}

static int fail(const char *what) {
  say(1, "%s\n", what);
  return 1;
}

/* One GET, its body read to the end: the first sizeof text bytes kept in
   text (*kept), all counted in *total. 0 on success, else fail()'s 1. */
static int get_once(const char *authority, const char *path, int https, int *status,
                    char *text, size_t cap, size_t *kept, uint64_t *total) {
  int32_t req = request_new(fields_new());
  if (request_set_scheme(req, 1, https ? 1 : 0, NULL, 0) != 0) return fail("set-scheme refused");
  if (request_set_authority(req, 1, authority, (uint32_t)strlen(authority)) != 0) return fail("set-authority refused");
  if (request_set_path(req, 1, path, (uint32_t)strlen(path)) != 0) return fail("set-path-with-query refused");

  res_future fut;
  handle(req, 0, 0, &fut);
  if (fut.is_err) return fail_code(&fut.u.err);
  int32_t p = future_subscribe(fut.u.handle);
  pollable_block(p);
  pollable_drop(p);
  opt_response got;
  future_get(fut.u.handle, &got);
  future_drop(fut.u.handle);
  if (!got.is_some) return fail("future not ready after its pollable");
  if (got.r.is_err) return fail("response taken twice");
  if (got.r.inner.is_err) return fail_code(&got.r.inner.u.err);
  int32_t resp = got.r.inner.u.handle;
  *status = response_status(resp);

  res_handle body, stream;
  response_consume(resp, &body);
  if (body.is_err) return fail("consume refused");
  body_stream(body.handle, &stream);
  if (stream.is_err) return fail("stream refused");
  *kept = 0;
  *total = 0;
  for (;;) {
    res_read r;
    stream_blocking_read(stream.handle, 65536, &r);
    if (r.is_err) {
      if (r.u.e.tag != 1) return fail("body read failed");
      break;  /* closed: the end of the body */
    }
    size_t take = r.u.l.len < cap - *kept ? r.u.l.len : cap - *kept;
    memcpy(text + *kept, r.u.l.ptr, take);
    *kept += take;
    *total += r.u.l.len;
    free(r.u.l.ptr);
  }
  /* Dropped child first: the stream, the body, the response (the
     connection goes back to the pool for the next GET). */
  input_stream_drop(stream.handle);
  incoming_body_drop(body.handle);
  incoming_response_drop(resp);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4 && argc != 5) return fail("usage: http_get AUTHORITY PATH [COUNT [http|https]]");
  const char *authority = argv[1], *path = argv[2];
  static char text[4096];
  size_t kept = 0;
  uint64_t total = 0;
  int status = 0;
  if (argc == 3) {
    if (get_once(authority, path, 0, &status, text, sizeof text, &kept, &total) != 0) return 1;
    say(1, "status %d body %zu\n", status, (size_t)total);
    write_all(1, text, kept);
    return status == 200 ? 0 : 1;
  }
  long count = strtol(argv[3], NULL, 10);
  int https = argc == 5 && strcmp(argv[4], "https") == 0;
  if (count < 1 || (argc == 5 && !https && strcmp(argv[4], "http") != 0)) return fail("bad COUNT or scheme");
  uint64_t all = 0;
  for (long i = 0; i < count; ++i) {
    if (get_once(authority, path, https, &status, text, sizeof text, &kept, &total) != 0) return 1;
    if (status != 200) {
      say(1, "get %ld: status %d\n", i, status);
      return 1;
    }
    all += total;
  }
  say(1, "gets %ld status %d bytes %llu\n", count, status, (unsigned long long)all);
  return 0;
}
