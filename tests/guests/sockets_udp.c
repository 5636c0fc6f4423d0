/* sockets_udp.c — wasi:sockets ip-name-lookup and UDP, called directly
   (world in wit/sockets_udp.wit; return areas laid out as CanonicalABI.md
   says, which on wasm32 is C's natural layout for these structs).
   DNS: localhost, an IP literal, and a name that is not one.
   UDP: with an argument PORT, echo datagrams off the host peer at
   127.0.0.1:PORT; without, against a second socket of this guest, over
   127.0.0.1 and ::1. Prints what it saw in a stable form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"
#include "sockets_abi.h"

/* ---- canonical ABI shapes ---------------------------------------------- */

typedef struct { uint8_t is_err; union { uint64_t n; uint8_t err; } u; } res_u64;
typedef struct { uint8_t is_err; uint8_t v; } res_u8; /* result<u8, e>: the payload (either) at 1 */
typedef struct { uint8_t is_err; union { struct { uint8_t some; ip_addr ip; } opt; uint8_t err; } u; } res_next;
typedef struct { uint8_t *data; uint32_t len; ip_sa from; } in_dgram;                   /* size 40 */
typedef struct { uint8_t is_err; union { struct { in_dgram *ptr; uint32_t len; } l; uint8_t err; } u; } res_in;
typedef struct { const uint8_t *data; uint32_t len; struct { uint8_t some; ip_sa sa; } to; } out_dgram; /* 44 */

_Static_assert(sizeof(res_next) == 22, "result<option<ip-address>>");
_Static_assert(sizeof(in_dgram) == 40, "incoming-datagram");
_Static_assert(sizeof(out_dgram) == 44, "outgoing-datagram");

IMPORT(SOCK("ip-name-lookup"), "resolve-addresses")
extern void resolve_addresses(int32_t net, const char *name, uint32_t len, res_handle *ret);
IMPORT(SOCK("ip-name-lookup"), "[method]resolve-address-stream.resolve-next-address")
extern void resolve_next_address(int32_t self, res_next *ret);
IMPORT(SOCK("ip-name-lookup"), "[method]resolve-address-stream.subscribe") extern int32_t resolve_subscribe(int32_t);
IMPORT(SOCK("ip-name-lookup"), "[resource-drop]resolve-address-stream") extern void resolve_drop(int32_t);
IMPORT(SOCK("udp-create-socket"), "create-udp-socket") extern void create_udp_socket(int32_t family, res_handle *ret);
#define F12 int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t
IMPORT(SOCK("udp"), "[method]udp-socket.start-bind") extern void udp_start_bind(int32_t, int32_t, F12, res_unit *);
IMPORT(SOCK("udp"), "[method]udp-socket.finish-bind") extern void udp_finish_bind(int32_t, res_unit *);
IMPORT(SOCK("udp"), "[method]udp-socket.stream") extern void udp_stream(int32_t, int32_t, F12, res_streams *);
IMPORT(SOCK("udp"), "[method]udp-socket.local-address") extern void udp_local_address(int32_t, res_sa *);
IMPORT(SOCK("udp"), "[method]udp-socket.remote-address") extern void udp_remote_address(int32_t, res_sa *);
IMPORT(SOCK("udp"), "[method]udp-socket.address-family") extern int32_t udp_address_family(int32_t);
IMPORT(SOCK("udp"), "[method]udp-socket.subscribe") extern int32_t udp_subscribe(int32_t);
IMPORT(SOCK("udp"), "[method]udp-socket.unicast-hop-limit") extern void udp_hop_limit(int32_t, res_u8 *);
IMPORT(SOCK("udp"), "[method]udp-socket.set-unicast-hop-limit") extern void udp_set_hop_limit(int32_t, int32_t, res_unit *);
IMPORT(SOCK("udp"), "[method]incoming-datagram-stream.receive") extern void in_receive(int32_t, int64_t, res_in *);
IMPORT(SOCK("udp"), "[method]incoming-datagram-stream.subscribe") extern int32_t dgram_in_subscribe(int32_t);
IMPORT(SOCK("udp"), "[method]outgoing-datagram-stream.check-send") extern void out_check_send(int32_t, res_u64 *);
IMPORT(SOCK("udp"), "[method]outgoing-datagram-stream.send")
extern void out_send(int32_t, const out_dgram *, uint32_t, res_u64 *);
IMPORT(SOCK("udp"), "[method]outgoing-datagram-stream.subscribe") extern int32_t dgram_out_subscribe(int32_t);
IMPORT(SOCK("udp"), "[resource-drop]udp-socket") extern void udp_drop(int32_t);
IMPORT(SOCK("udp"), "[resource-drop]incoming-datagram-stream") extern void dgram_in_drop(int32_t);
IMPORT(SOCK("udp"), "[resource-drop]outgoing-datagram-stream") extern void dgram_out_drop(int32_t);




static void format_ip(const ip_addr *ip, char *out, size_t n) {
  if (ip->tag == 0) {
    snprintf(out, n, "%u.%u.%u.%u", ip->u.v4[0], ip->u.v4[1], ip->u.v4[2], ip->u.v4[3]);
  } else {
    /* full form, no :: compression: stable and simple */
    snprintf(out, n, "%x:%x:%x:%x:%x:%x:%x:%x", ip->u.v6[0], ip->u.v6[1], ip->u.v6[2], ip->u.v6[3], ip->u.v6[4],
             ip->u.v6[5], ip->u.v6[6], ip->u.v6[7]);
  }
}

static void lookup(int32_t net, const char *name) {
  res_handle r;
  resolve_addresses(net, name, (uint32_t)strlen(name), &r);
  if (r.is_err) {
    say(1, "resolve %s: %s\n", name, err_name(r.u.err));
    return;
  }
  int32_t stream = r.u.handle;
  for (;;) {
    res_next n;
    resolve_next_address(stream, &n);
    if (n.is_err && n.u.err == WOULD_BLOCK) {
      wait_on(resolve_subscribe(stream));
      continue;
    }
    if (n.is_err) {
      say(1, "resolve %s: %s\n", name, err_name(n.u.err));
      break;
    }
    if (!n.u.opt.some) break;
    char buf[64];
    format_ip(&n.u.opt.ip, buf, sizeof buf);
    say(1, "resolve %s: %s\n", name, buf);
  }
  resolve_drop(stream);
}

typedef struct { int32_t sock, in, out; } udp_t;


/* Creates, binds to the loopback address (any port) and streams; remote
   NULL: unconnected. Returns 0 or -1 after printing why. */
static int udp_open(int32_t net, int v6, const ip_sa *remote, udp_t *u) {
  res_handle c;
  create_udp_socket(v6, &c);
  if (c.is_err) return say(1, "create: %s\n", err_name(c.u.err)), -1;
  u->sock = c.u.handle;
  int32_t f[12];
  ip_sa local = loopback(v6, 0);
  flatten(&local, f);
  res_unit r;
  udp_start_bind(u->sock, net, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], &r);
  if (r.is_err) return say(1, "start-bind: %s\n", err_name(r.err)), -1;
  udp_finish_bind(u->sock, &r);
  if (r.is_err) return say(1, "finish-bind: %s\n", err_name(r.err)), -1;
  int32_t g[12] = {0};
  if (remote) flatten(remote, g);
  res_streams s;
  udp_stream(u->sock, remote != NULL, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], &s);
  if (s.is_err) return say(1, "stream: %s\n", err_name(s.u.err)), -1;
  u->in = s.u.s.in;
  u->out = s.u.s.out;
  return 0;
}

static void udp_close(udp_t *u) {
  dgram_in_drop(u->in);
  dgram_out_drop(u->out);
  udp_drop(u->sock);
}

static int send_one(udp_t *u, const char *text, const ip_sa *to) {
  for (;;) {
    res_u64 c;
    out_check_send(u->out, &c);
    if (c.is_err) return say(1, "check-send: %s\n", err_name(c.u.err)), -1;
    if (c.u.n > 0) break;
    wait_on(dgram_out_subscribe(u->out));
  }
  out_dgram d;
  memset(&d, 0, sizeof d);
  d.data = (const uint8_t *)text;
  d.len = (uint32_t)strlen(text);
  if (to) {
    d.to.some = 1;
    d.to.sa = *to;
  }
  res_u64 r;
  out_send(u->out, &d, 1, &r);
  if (r.is_err) return say(1, "send: %s\n", err_name(r.u.err)), -1;
  if (r.u.n != 1) return say(1, "send: sent %u\n", (unsigned)r.u.n), -1;
  return 0;
}

/* Receives one datagram into buf (NUL-terminated); its sender into *from. */
static int receive_one(udp_t *u, char *buf, size_t n, ip_sa *from) {
  for (;;) {
    res_in r;
    in_receive(u->in, 4, &r);
    if (r.is_err) return say(1, "receive: %s\n", err_name(r.u.err)), -1;
    if (r.u.l.len == 0) {
      wait_on(dgram_in_subscribe(u->in));
      continue;
    }
    in_dgram *d = &r.u.l.ptr[0];
    size_t len = d->len < n - 1 ? d->len : n - 1;
    memcpy(buf, d->data, len);
    buf[len] = 0;
    if (from) *from = d->from;
    for (uint32_t i = 0; i < r.u.l.len; ++i) free(r.u.l.ptr[i].data);
    free(r.u.l.ptr);
    return 0;
  }
}

static void bind_to(udp_t *u, int32_t net, const ip_sa *sa, res_unit *r) {
  int32_t f[12];
  flatten(sa, f);
  udp_start_bind(u->sock, net, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], r);
}

static void stream_to(udp_t *u, const ip_sa *remote, res_streams *s) {
  int32_t g[12] = {0};
  if (remote) flatten(remote, g);
  udp_stream(u->sock, remote != NULL, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], s);
}

static const char *streams_result(const res_streams *r) { return r->is_err ? err_name(r->u.err) : "ok"; }

/* Operations in the wrong state and bad addresses: each prints its outcome. */
static void edges(int32_t net) {
  udp_t u = {0};
  res_handle c;
  create_udp_socket(0, &c);
  u.sock = c.u.handle;
  res_streams s;
  stream_to(&u, NULL, &s);
  say(1, "stream before bind: %s\n", streams_result(&s));
  res_unit r;
  udp_finish_bind(u.sock, &r);
  say(1, "finish-bind without start: %s\n", unit_result(&r));
  ip_sa v6 = loopback(1, 0);
  bind_to(&u, net, &v6, &r);
  say(1, "bind ipv4 socket to ::1: %s\n", unit_result(&r));
  ip_sa any = loopback(0, 0);
  bind_to(&u, net, &any, &r);
  say(1, "bind 127.0.0.1:0: %s\n", unit_result(&r));
  bind_to(&u, net, &any, &r);
  say(1, "bind again: %s\n", unit_result(&r));
  udp_finish_bind(u.sock, &r);
  say(1, "finish-bind: %s\n", unit_result(&r));
  ip_sa port0 = loopback(0, 0);
  stream_to(&u, &port0, &s);
  say(1, "stream to port 0: %s\n", streams_result(&s));
  ip_sa unspec = loopback(0, 9);
  memset(unspec.u.v4.a, 0, 4);
  stream_to(&u, &unspec, &s);
  say(1, "stream to 0.0.0.0:9: %s\n", streams_result(&s));
  res_sa ra;
  udp_remote_address(u.sock, &ra);
  say(1, "remote-address unconnected: %s\n", ra.is_err ? err_name(ra.u.err) : "ok");
  stream_to(&u, NULL, &s);
  say(1, "stream unconnected: %s\n", streams_result(&s));
  if (!s.is_err) {
    u.in = s.u.s.in;
    u.out = s.u.s.out;
    res_in got;
    in_receive(u.in, 0, &got);
    say(1, "receive 0: %s, %u datagrams\n", got.is_err ? err_name(got.u.err) : "ok", (unsigned)got.u.l.len);
    in_receive(u.in, 8, &got);
    say(1, "receive with nothing there: %s, %u datagrams\n", got.is_err ? err_name(got.u.err) : "ok",
        (unsigned)got.u.l.len);
    res_u64 cs;
    out_check_send(u.out, &cs);
    out_dgram d;
    memset(&d, 0, sizeof d);
    d.data = (const uint8_t *)"x";
    d.len = 1;
    out_send(u.out, &d, 1, &cs);
    say(1, "send without an address: %s\n", cs.is_err ? err_name(cs.u.err) : "ok");
    udp_close(&u);
  } else {
    udp_drop(u.sock);
  }
  res_u8 hl;
  create_udp_socket(1, &c);
  udp_set_hop_limit(c.u.handle, 0, &r);
  say(1, "hop limit 0: %s\n", unit_result(&r));
  udp_set_hop_limit(c.u.handle, 33, &r);
  udp_hop_limit(c.u.handle, &hl);
  say(1, "hop limit 33: %s, reads %u\n", unit_result(&r), hl.is_err ? 0u : (unsigned)hl.v);
  ip_sa mapped = loopback(1, 0);
  mapped.u.v6.a[7] = 0;
  mapped.u.v6.a[5] = 0xffff;
  mapped.u.v6.a[6] = 0x7f00;
  mapped.u.v6.a[7] = 0x0001;
  udp_t m = {c.u.handle, 0, 0};
  bind_to(&m, net, &mapped, &r);
  say(1, "bind ipv6 socket to ::ffff:127.0.0.1: %s\n", unit_result(&r));
  udp_drop(c.u.handle);
}

/* Echo off a peer: `peer` given (the host's), or a second socket here. */
static void echo_round(int32_t net, int v6, const ip_sa *host_peer) {
  udp_t server = {0}, client = {0};
  ip_sa peer;
  if (host_peer) {
    peer = *host_peer;
  } else {
    if (udp_open(net, v6, NULL, &server) != 0) return;
    res_sa la;
    udp_local_address(server.sock, &la);
    if (la.is_err) return (void)say(1, "local-address: %s\n", err_name(la.u.err));
    peer = la.u.sa;
  }
  if (udp_open(net, v6, &peer, &client) != 0) return;
  res_sa ra;
  udp_remote_address(client.sock, &ra);
  say(1, "%s client: family %s, remote port matches: %s\n", v6 ? "ipv6" : "ipv4",
      udp_address_family(client.sock) ? "ipv6" : "ipv4",
      !ra.is_err && port_of(&ra.u.sa) == port_of(&peer) ? "yes" : "no");
  for (int i = 0; i < 3; ++i) {
    char msg[32], got[64];
    snprintf(msg, sizeof msg, "ping %d", i);
    if (send_one(&client, msg, NULL) != 0) return;
    if (!host_peer) {
      ip_sa from;
      if (receive_one(&server, got, sizeof got, &from) != 0) return;
      if (send_one(&server, got, &from) != 0) return;
    }
    if (receive_one(&client, got, sizeof got, NULL) != 0) return;
    say(1, "%s echo: %s\n", v6 ? "ipv6" : "ipv4", got);
  }
  udp_close(&client);
  if (!host_peer) udp_close(&server);
}

/* Creates and drops `n` sockets, binding every third and streaming every
   fifth (the streams dropped before their socket). */
static void churn(int32_t net, int n) {
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    udp_t u = {0};
    res_handle c;
    create_udp_socket(i % 2, &c);
    if (c.is_err) {
      ++failed;
      continue;
    }
    u.sock = c.u.handle;
    if (i % 3 == 0) {
      ip_sa local = loopback(i % 2, 0);
      res_unit r;
      bind_to(&u, net, &local, &r);
      if (!r.is_err) udp_finish_bind(u.sock, &r);
      if (r.is_err) ++failed;
      if (!r.is_err && i % 5 == 0) {
        res_streams s;
        stream_to(&u, NULL, &s);
        if (s.is_err) {
          ++failed;
        } else {
          dgram_in_drop(s.u.s.in);
          dgram_out_drop(s.u.s.out);
        }
      }
    }
    udp_drop(u.sock);
  }
  say(1, "churn: %d sockets, %d failed\n", n, failed);
}

int main(int argc, char **argv) {
  int32_t net = instance_network();
  if (argc > 2 && strcmp(argv[1], "churn") == 0) {
    churn(net, atoi(argv[2]));
    network_drop(net);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "lookup") == 0) {
    for (int i = 2; i < argc; ++i) lookup(net, argv[i]);
    network_drop(net);
    return 0;
  }
  lookup(net, "localhost");
  lookup(net, "192.0.2.1");
  lookup(net, "not a name");
  if (argc > 1 && strcmp(argv[1], "edges") == 0) {
    edges(net);
  } else if (argc > 1) {
    ip_sa host = loopback(0, (uint16_t)atoi(argv[1]));
    echo_round(net, 0, &host);
  } else {
    echo_round(net, 0, NULL);
    echo_round(net, 1, NULL);
  }
  network_drop(net);
  say(1, "done\n");
  return 0;
}
