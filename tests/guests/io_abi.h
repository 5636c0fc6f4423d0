/* io_abi.h — wasi:io 0.2.12 as the raw-ABI C guests call it (sockets_tcp.c,
   sockets_udp.c through sockets_abi.h, http_raw.c): the IMPORT macro, the
   canonical ABI shapes of stream-error and of the stream results (laid out
   as CanonicalABI.md says, which on wasm32 is C's natural layout), the
   poll / error / streams imports, and wait_on (block on a pollable, then
   drop it). Declaring an import costs nothing: only the ones a guest calls
   reach its world. */
#ifndef WIPPY_GUESTS_IO_ABI_H
#define WIPPY_GUESTS_IO_ABI_H
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define IO(i) "wasi:io/" i "@0.2.12"

typedef struct { uint8_t tag; int32_t error; } stream_err;                              /* stream-error */
typedef struct { uint8_t is_err; union { struct { uint8_t *ptr; uint32_t len; } l; stream_err e; } u; } res_read;
typedef struct { uint8_t is_err; union { uint64_t n; stream_err e; } u; } res_check;
typedef struct { uint8_t is_err; stream_err e; } res_write;
typedef struct { uint32_t *ptr; uint32_t len; } list_u32;
enum { STREAM_LAST_OPERATION_FAILED = 0, STREAM_CLOSED = 1 };

_Static_assert(sizeof(res_read) == 12, "result<list<u8>, stream-error>");
_Static_assert(sizeof(res_check) == 16, "result<u64, stream-error>");
_Static_assert(sizeof(res_write) == 12, "result<_, stream-error>");

IMPORT(IO("poll"), "[method]pollable.block") extern void pollable_block(int32_t);
IMPORT(IO("poll"), "[resource-drop]pollable") extern void pollable_drop(int32_t);
IMPORT(IO("poll"), "poll") extern void poll_list(const int32_t *, uint32_t, list_u32 *);
IMPORT(IO("error"), "[resource-drop]error") extern void error_drop(int32_t);
IMPORT(IO("streams"), "[method]input-stream.read") extern void in_read(int32_t, int64_t, res_read *);
IMPORT(IO("streams"), "[method]input-stream.blocking-read") extern void in_blocking_read(int32_t, int64_t, res_read *);
IMPORT(IO("streams"), "[method]input-stream.subscribe") extern int32_t in_subscribe(int32_t);
IMPORT(IO("streams"), "[resource-drop]input-stream") extern void in_drop(int32_t);
IMPORT(IO("streams"), "[method]output-stream.check-write") extern void out_check_write(int32_t, res_check *);
IMPORT(IO("streams"), "[method]output-stream.write") extern void out_write(int32_t, const uint8_t *, uint32_t, res_write *);
IMPORT(IO("streams"), "[method]output-stream.blocking-write-and-flush")
extern void out_blocking_write_and_flush(int32_t, const uint8_t *, uint32_t, res_write *);
IMPORT(IO("streams"), "[method]output-stream.subscribe") extern int32_t out_subscribe(int32_t);
IMPORT(IO("streams"), "[resource-drop]output-stream") extern void out_drop(int32_t);

static inline void wait_on(int32_t pollable) {
  pollable_block(pollable);
  pollable_drop(pollable);
}

#endif
