/* sockets_abi.h — what the wasi:sockets C guests (sockets_udp.c,
   sockets_tcp.c) share: the canonical ABI shapes of ip-socket-address and
   the common results (laid out as CanonicalABI.md says, which on wasm32 is
   C's natural layout), the network imports (wasi:io's, with wait_on, are
   in io_abi.h), error-code names, and helpers: flatten (an address as its
   12 flat i32 parameters), loopback (127.0.0.1 or ::1 with a port),
   port_of. */
#ifndef WIPPY_GUESTS_SOCKETS_ABI_H
#define WIPPY_GUESTS_SOCKETS_ABI_H
#include <stdint.h>
#include <string.h>

#include "io_abi.h"

#define SOCK(i) "wasi:sockets/" i "@0.2.12"

typedef struct { uint16_t port; uint8_t a[4]; } ipv4_sa;                                 /* size 6 */
typedef struct { uint16_t port; uint32_t flow; uint16_t a[8]; uint32_t scope; } ipv6_sa; /* size 28 */
typedef struct { uint8_t tag; union { ipv4_sa v4; ipv6_sa v6; } u; } ip_sa;             /* size 32 */
typedef struct { uint8_t tag; union { uint8_t v4[4]; uint16_t v6[8]; } u; } ip_addr;    /* size 18 */

typedef struct { uint8_t is_err; uint8_t err; } res_unit;                                /* result<_, e> */
typedef struct { uint8_t is_err; union { int32_t handle; uint8_t err; } u; } res_handle; /* result<own, e> */
typedef struct { uint8_t is_err; union { struct { int32_t in, out; } s; uint8_t err; } u; } res_streams;
typedef struct { uint8_t is_err; union { ip_sa sa; uint8_t err; } u; } res_sa;

_Static_assert(sizeof(ip_sa) == 32, "ip-socket-address");
_Static_assert(sizeof(ip_addr) == 18, "ip-address");
_Static_assert(sizeof(res_sa) == 36, "result<ip-socket-address>");

IMPORT(SOCK("instance-network"), "instance-network") extern int32_t instance_network(void);
IMPORT(SOCK("network"), "[resource-drop]network") extern void network_drop(int32_t);

static const char *const kErr[] = {
    "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
    "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
    "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
    "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
    "permanent-resolver-failure"};
enum { WOULD_BLOCK = 8 };
static inline const char *err_name(uint8_t e) { return e < sizeof kErr / sizeof kErr[0] ? kErr[e] : "?"; }

/* The 12 flat i32s of an ip-socket-address: discriminant, then the case. */
static inline void flatten(const ip_sa *sa, int32_t f[12]) {
  memset(f, 0, 12 * sizeof f[0]);
  f[0] = sa->tag;
  if (sa->tag == 0) {
    f[1] = sa->u.v4.port;
    for (int i = 0; i < 4; ++i) f[2 + i] = sa->u.v4.a[i];
  } else {
    f[1] = sa->u.v6.port;
    f[2] = (int32_t)sa->u.v6.flow;
    for (int i = 0; i < 8; ++i) f[3 + i] = sa->u.v6.a[i];
    f[11] = (int32_t)sa->u.v6.scope;
  }
}

static inline ip_sa loopback(int v6, uint16_t port) {
  ip_sa sa;
  memset(&sa, 0, sizeof sa);
  sa.tag = (uint8_t)v6;
  if (v6) {
    sa.u.v6.port = port;
    sa.u.v6.a[7] = 1;
  } else {
    sa.u.v4.port = port;
    sa.u.v4.a[0] = 127;
    sa.u.v4.a[3] = 1;
  }
  return sa;
}

static inline uint16_t port_of(const ip_sa *sa) { return sa->tag == 0 ? sa->u.v4.port : sa->u.v6.port; }

static inline const char *unit_result(const res_unit *r) { return r->is_err ? err_name(r->err) : "ok"; }

#endif
