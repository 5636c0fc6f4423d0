/* sockets_tcp.c — wasi:sockets TCP, called directly (world in
   wit/sockets_tcp.wit; return areas laid out as CanonicalABI.md says).
   Over 127.0.0.1 and ::1, inside this one guest: listen on port 0, connect
   a client, accept, send 300 KiB client -> server -> client with
   interleaved non-blocking reads and writes (check-write / write / read,
   waiting with poll on the streams' pollables), shut down; then the
   WIT's error cases. With "echo PORT": the same 300 KiB off a peer at
   127.0.0.1:PORT. With "deny PORT": connect to 127.0.0.1:PORT and print
   the outcome (the host denies it). With "churn N": N create/drop cycles.
   With "serve PORT N": listen on 127.0.0.1:PORT (0: any; printed), then
   accept N host clients one after another, echoing each one's bytes until
   it ends its side. With "hold PORT": connect and read until the peer
   closes or the read fails (the error's debug string printed).
   Prints what it saw in a stable form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cabi_realloc.h"
#include "guest_io.h"
#include "sockets_abi.h"

/* ---- canonical ABI shapes ---------------------------------------------- */
typedef struct { uint8_t is_err; union { struct { int32_t sock, in, out; } t; uint8_t err; } u; } res_accept;

typedef struct { char *ptr; uint32_t len; } wit_string;
IMPORT(IO("error"), "[method]error.to-debug-string") extern void error_debug(int32_t, wit_string *);
IMPORT(SOCK("tcp-create-socket"), "create-tcp-socket") extern void create_tcp_socket(int32_t family, res_handle *ret);
#define F12 int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t
#define TCP(name) IMPORT(SOCK("tcp"), "[method]tcp-socket." name)
TCP("start-bind") extern void tcp_start_bind(int32_t, int32_t, F12, res_unit *);
TCP("finish-bind") extern void tcp_finish_bind(int32_t, res_unit *);
TCP("start-connect") extern void tcp_start_connect(int32_t, int32_t, F12, res_unit *);
TCP("finish-connect") extern void tcp_finish_connect(int32_t, res_streams *);
TCP("start-listen") extern void tcp_start_listen(int32_t, res_unit *);
TCP("finish-listen") extern void tcp_finish_listen(int32_t, res_unit *);
TCP("accept") extern void tcp_accept(int32_t, res_accept *);
TCP("local-address") extern void tcp_local_address(int32_t, res_sa *);
TCP("remote-address") extern void tcp_remote_address(int32_t, res_sa *);
TCP("is-listening") extern int32_t tcp_is_listening(int32_t);
TCP("address-family") extern int32_t tcp_address_family(int32_t);
TCP("set-listen-backlog-size") extern void tcp_set_backlog(int32_t, int64_t, res_unit *);
TCP("subscribe") extern int32_t tcp_subscribe(int32_t);
TCP("shutdown") extern void tcp_shutdown(int32_t, int32_t, res_unit *);
IMPORT(SOCK("tcp"), "[resource-drop]tcp-socket") extern void tcp_drop(int32_t);






static void bind_to(int32_t sock, int32_t net, const ip_sa *sa, res_unit *r) {
  int32_t f[12];
  flatten(sa, f);
  tcp_start_bind(sock, net, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], r);
  if (!r->is_err) tcp_finish_bind(sock, r);
}

static void start_connect(int32_t sock, int32_t net, const ip_sa *sa, res_unit *r) {
  int32_t f[12];
  flatten(sa, f);
  tcp_start_connect(sock, net, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], r);
}

/* start-connect, then finish-connect, waiting on the socket's pollable
   while it says would-block. Returns 0 (streams in *s) or the error + 1. */
static int connect_to(int32_t sock, int32_t net, const ip_sa *sa, res_streams *s) {
  res_unit r;
  start_connect(sock, net, sa, &r);
  if (r.is_err) return r.err + 1;
  for (;;) {
    tcp_finish_connect(sock, s);
    if (!s->is_err) return 0;
    if (s->u.err != WOULD_BLOCK) return s->u.err + 1;
    wait_on(tcp_subscribe(sock));
  }
}

static int32_t create(int v6) {
  res_handle c;
  create_tcp_socket(v6, &c);
  if (c.is_err) {
    say(1, "create: %s\n", err_name(c.u.err));
    exit(1);
  }
  return c.u.handle;
}

/* A listening socket on the loopback address, port 0; its address in *at. */
static int32_t listener(int32_t net, int v6, ip_sa *at) {
  int32_t l = create(v6);
  ip_sa local = loopback(v6, 0);
  res_unit r;
  bind_to(l, net, &local, &r);
  if (r.is_err) return say(1, "bind: %s\n", err_name(r.err)), -1;
  tcp_start_listen(l, &r);
  if (!r.is_err) tcp_finish_listen(l, &r);
  if (r.is_err) return say(1, "listen: %s\n", err_name(r.err)), -1;
  res_sa la;
  tcp_local_address(l, &la);
  if (la.is_err) return say(1, "local-address: %s\n", err_name(la.u.err)), -1;
  *at = la.u.sa;
  return l;
}

enum { TOTAL = 300 * 1024, CHUNK = 16384 };
static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + i / 251); }

/* Writes what check-write allows of buf[*done, want) to `out`. */
static int pump_out(int32_t out, const uint8_t *buf, size_t want, size_t *done, int *progress) {
  if (*done >= want) return 0;
  res_check c;
  out_check_write(out, &c);
  if (c.is_err) return say(1, "check-write: stream error %u\n", c.u.e.tag), -1;
  size_t n = want - *done;
  if (n > c.u.n) n = (size_t)c.u.n;
  if (n > CHUNK) n = CHUNK;
  if (n == 0) return 0;
  res_write w;
  out_write(out, buf + *done, (uint32_t)n, &w);
  if (w.is_err) return say(1, "write: stream error %u\n", w.e.tag), -1;
  *done += n;
  *progress = 1;
  return 0;
}

/* Reads what is there from `in` into buf at *done (at most cap). */
static int pump_in(int32_t in, uint8_t *buf, size_t cap, size_t *done, int *progress) {
  if (*done >= cap) return 0;
  res_read r;
  in_read(in, (int64_t)(cap - *done < CHUNK ? cap - *done : CHUNK), &r);
  if (r.is_err) return say(1, "read: stream error %u\n", r.u.e.tag), -1;
  if (r.u.l.len > 0) {
    memcpy(buf + *done, r.u.l.ptr, r.u.l.len);
    *done += r.u.l.len;
    *progress = 1;
    free(r.u.l.ptr); /* an empty list's pointer need not come from malloc */
  }
  return 0;
}

/* Client -> server -> client, TOTAL bytes, one loop, no blocking call but
   poll; s_in < 0: the server is a peer outside this guest. Returns 0 when
   the client got back exactly what it sent. */
static int echo_bytes(int32_t c_in, int32_t c_out, int32_t s_in, int32_t s_out, unsigned *polls) {
  uint8_t *sent = malloc(TOTAL), *relay = malloc(TOTAL), *back = malloc(TOTAL);
  for (size_t i = 0; i < TOTAL; ++i) sent[i] = pattern(i);
  size_t c_sent = 0, s_got = 0, s_sent = 0, c_got = 0;
  *polls = 0;
  while (c_got < TOTAL) {
    int progress = 0;
    if (pump_out(c_out, sent, TOTAL, &c_sent, &progress) || pump_in(c_in, back, TOTAL, &c_got, &progress))
      return -1;
    if (s_in >= 0 && (pump_in(s_in, relay, TOTAL, &s_got, &progress) || pump_out(s_out, relay, s_got, &s_sent, &progress)))
      return -1;
    if (progress) continue;
    int32_t ps[4];
    uint32_t n = 0;
    ps[n++] = in_subscribe(c_in);
    if (c_sent < TOTAL) ps[n++] = out_subscribe(c_out);
    if (s_in >= 0) ps[n++] = in_subscribe(s_in);
    if (s_in >= 0 && s_sent < s_got) ps[n++] = out_subscribe(s_out);
    list_u32 ready;
    poll_list(ps, n, &ready);
    if (ready.len == 0) return say(1, "poll: nothing ready\n"), -1;
    free(ready.ptr);
    for (uint32_t i = 0; i < n; ++i) pollable_drop(ps[i]);
    ++*polls;
  }
  int same = memcmp(sent, back, TOTAL) == 0 && (s_in < 0 || s_got == TOTAL);
  free(sent);
  free(relay);
  free(back);
  return same ? 0 : (say(1, "echoed bytes differ\n"), -1);
}

static void round_trip(int32_t net, int v6) {
  const char *fam = v6 ? "ipv6" : "ipv4";
  ip_sa at;
  int32_t l = listener(net, v6, &at);
  if (l < 0) return;
  say(1, "%s listener: listening %s, family %s\n", fam, tcp_is_listening(l) ? "yes" : "no",
      tcp_address_family(l) ? "ipv6" : "ipv4");
  int32_t c = create(v6);
  res_streams cs;
  int e = connect_to(c, net, &at, &cs);
  if (e) return (void)say(1, "%s connect: %s\n", fam, err_name((uint8_t)(e - 1)));
  res_accept a;
  for (;;) {
    tcp_accept(l, &a);
    if (!a.is_err || a.u.err != WOULD_BLOCK) break;
    wait_on(tcp_subscribe(l));
  }
  if (a.is_err) return (void)say(1, "%s accept: %s\n", fam, err_name(a.u.err));
  res_sa ra, la;
  tcp_remote_address(c, &ra);
  tcp_local_address(a.u.t.sock, &la);
  say(1, "%s connected: client's remote port is the listener's: %s, server's local port too: %s\n", fam,
      !ra.is_err && port_of(&ra.u.sa) == port_of(&at) ? "yes" : "no",
      !la.is_err && port_of(&la.u.sa) == port_of(&at) ? "yes" : "no");
  unsigned polls = 0;
  if (echo_bytes(cs.u.s.in, cs.u.s.out, a.u.t.in, a.u.t.out, &polls) == 0)
    say(1, "%s echo: %d bytes there and back intact\n", fam, TOTAL);
  res_unit r;
  tcp_shutdown(c, 1, &r);  /* send */
  say(1, "%s client shutdown send: %s\n", fam, unit_result(&r));
  for (;;) {
    res_read rd;
    in_read(a.u.t.in, 64, &rd);
    if (rd.is_err) {
      say(1, "%s server read after shutdown: %s\n", fam, rd.u.e.tag == 1 ? "closed" : "failed");
      if (rd.u.e.tag == 0) error_drop(rd.u.e.error);
      break;
    }
    if (rd.u.l.len > 0) free(rd.u.l.ptr);
    if (rd.u.l.len > 0) {
      say(1, "%s server read after shutdown: unexpected data\n", fam);
      break;
    }
    wait_on(in_subscribe(a.u.t.in));
  }
  in_drop(cs.u.s.in);
  out_drop(cs.u.s.out);
  tcp_drop(c);
  in_drop(a.u.t.in);
  out_drop(a.u.t.out);
  tcp_drop(a.u.t.sock);
  tcp_drop(l);
}

/* The WIT's documented errors, each printed. */
static void edges(int32_t net) {
  int32_t s = create(0);
  res_unit r;
  res_streams st;
  res_sa sa;
  tcp_finish_connect(s, &st);
  say(1, "finish-connect without start: %s\n", st.is_err ? err_name(st.u.err) : "ok");
  tcp_finish_bind(s, &r);
  say(1, "finish-bind without start: %s\n", unit_result(&r));
  tcp_finish_listen(s, &r);
  say(1, "finish-listen without start: %s\n", unit_result(&r));
  tcp_start_listen(s, &r);
  say(1, "start-listen unbound: %s\n", unit_result(&r));
  res_accept a;
  tcp_accept(s, &a);
  say(1, "accept not listening: %s\n", a.is_err ? err_name(a.u.err) : "ok");
  tcp_local_address(s, &sa);
  say(1, "local-address unbound: %s\n", sa.is_err ? err_name(sa.u.err) : "ok");
  tcp_remote_address(s, &sa);
  say(1, "remote-address unconnected: %s\n", sa.is_err ? err_name(sa.u.err) : "ok");
  tcp_shutdown(s, 2, &r);
  say(1, "shutdown unconnected: %s\n", unit_result(&r));
  tcp_set_backlog(s, 0, &r);
  say(1, "set-listen-backlog-size 0: %s\n", unit_result(&r));
  ip_sa port0 = loopback(0, 0);
  start_connect(s, net, &port0, &r);
  say(1, "connect to port 0: %s\n", unit_result(&r));
  ip_sa v6 = loopback(1, 80);
  start_connect(s, net, &v6, &r);
  say(1, "connect ipv4 socket to ::1: %s\n", unit_result(&r));
  say(1, "is-listening unbound: %s\n", tcp_is_listening(s) ? "yes" : "no");
  tcp_drop(s);

  /* A port bound but not listening refuses connections. */
  for (int fam = 0; fam < 2; ++fam) {
    int32_t b = create(fam);
    ip_sa local = loopback(fam, 0);
    bind_to(b, net, &local, &r);
    tcp_local_address(b, &sa);
    int32_t c = create(fam);
    int e = connect_to(c, net, &sa.u.sa, &st);
    say(1, "%s connect to a closed port: %s\n", fam ? "ipv6" : "ipv4", e ? err_name((uint8_t)(e - 1)) : "ok");
    if (!e) {
      in_drop(st.u.s.in);
      out_drop(st.u.s.out);
    }
    start_connect(c, net, &sa.u.sa, &r);
    say(1, "%s connect again after the failure: %s\n", fam ? "ipv6" : "ipv4", unit_result(&r));
    tcp_drop(c);
    tcp_drop(b);
  }

  /* Wrong states on a listener and a connected socket. */
  ip_sa at;
  int32_t l = listener(net, 0, &at);
  if (l < 0) return;
  bind_to(l, net, &at, &r);
  say(1, "bind a listener: %s\n", unit_result(&r));
  tcp_start_listen(l, &r);
  say(1, "listen twice: %s\n", unit_result(&r));
  tcp_set_backlog(l, 16, &r);
  say(1, "set-listen-backlog-size 16 while listening: %s\n", unit_result(&r));
  int32_t c = create(0);
  if (connect_to(c, net, &at, &st) == 0) {
    start_connect(c, net, &at, &r);
    say(1, "connect a connected socket: %s\n", unit_result(&r));
    tcp_start_listen(c, &r);
    say(1, "listen on a connected socket: %s\n", unit_result(&r));
    in_drop(st.u.s.in);
    out_drop(st.u.s.out);
  }
  tcp_drop(c);
  tcp_drop(l);
}

/* A new IPv4 socket connected to 127.0.0.1:port (connect_to): returns it,
   its streams in *st, or -1 after saying "connect: ERROR" (the socket is
   left undropped). */
static int32_t connect_loopback(int32_t net, uint16_t port, res_streams *st) {
  int32_t c = create(0);
  ip_sa to = loopback(0, port);
  int e = connect_to(c, net, &to, st);
  if (e) {
    say(1, "connect: %s\n", err_name((uint8_t)(e - 1)));
    return -1;
  }
  return c;
}

/* TOTAL bytes echoed off a peer at 127.0.0.1:port, then end of stream
   both ways. */
static void echo_peer(int32_t net, uint16_t port) {
  res_streams st;
  int32_t c = connect_loopback(net, port, &st);
  if (c < 0) return;
  unsigned polls = 0;
  if (echo_bytes(st.u.s.in, st.u.s.out, -1, -1, &polls) == 0) say(1, "echo: %d bytes there and back intact\n", TOTAL);
  res_unit r;
  tcp_shutdown(c, 1, &r);
  for (;;) {
    res_read rd;
    in_read(st.u.s.in, 64, &rd);
    if (rd.is_err) {
      say(1, "read after shutdown: %s\n", rd.u.e.tag == 1 ? "closed" : "failed");
      if (rd.u.e.tag == 0) error_drop(rd.u.e.error);
      break;
    }
    if (rd.u.l.len > 0) {
      free(rd.u.l.ptr);
      say(1, "read after shutdown: unexpected data\n");
      break;
    }
    wait_on(in_subscribe(st.u.s.in));
  }
  in_drop(st.u.s.in);
  out_drop(st.u.s.out);
  tcp_drop(c);
}

/* The outcome of one connect to 127.0.0.1:port (a host policy test). */
static void connect_once(int32_t net, uint16_t port) {
  int32_t c = create(0);
  ip_sa to = loopback(0, port);
  res_streams st;
  int e = connect_to(c, net, &to, &st);
  say(1, "connect 127.0.0.1:%u: %s\n", port, e ? err_name((uint8_t)(e - 1)) : "ok");
  if (!e) {
    in_drop(st.u.s.in);
    out_drop(st.u.s.out);
  }
  tcp_drop(c);
  ip_sa any = loopback(0, port);
  res_unit r;
  int32_t b = create(0);
  bind_to(b, net, &any, &r);
  say(1, "bind 127.0.0.1:%u: %s\n", port, unit_result(&r));
  tcp_drop(b);
}

/* Prints "WHAT: closed" or "WHAT: failed: DEBUG-STRING" for a stream error
   (and drops its error). */
static void say_stream_error(const char *what, const stream_err *e) {
  if (e->tag == 1) return (void)say(1, "%s: closed\n", what);
  wit_string d;
  error_debug(e->error, &d);
  say(1, "%s: failed: %.*s\n", what, (int)d.len, d.ptr);
  free(d.ptr);
  error_drop(e->error);
}

/* Copies `in` to `out` until `in` ends; the bytes moved, or -1 (said). */
static long relay(int32_t in, int32_t out) {
  long total = 0;
  for (;;) {
    res_read r;
    in_read(in, CHUNK, &r);
    if (r.is_err) {
      if (r.u.e.tag == 1) return total;
      return say_stream_error("serve read", &r.u.e), -1;
    }
    if (r.u.l.len == 0) {
      wait_on(in_subscribe(in));
      continue;
    }
    for (uint32_t done = 0; done < r.u.l.len;) {
      res_check c;
      out_check_write(out, &c);
      if (c.is_err) return say_stream_error("serve check-write", &c.u.e), -1;
      if (c.u.n == 0) {
        wait_on(out_subscribe(out));
        continue;
      }
      uint32_t n = r.u.l.len - done;
      if (n > c.u.n) n = (uint32_t)c.u.n;
      res_write w;
      out_write(out, r.u.l.ptr + done, n, &w);
      if (w.is_err) return say_stream_error("serve write", &w.e), -1;
      done += n;
    }
    total += r.u.l.len;
    free(r.u.l.ptr);
  }
}

/* A server for host clients: listens on 127.0.0.1:port and echoes `n`
   connections, one at a time, each until its client ends its side. */
static void serve(int32_t net, uint16_t port, int n) {
  int32_t l = create(0);
  ip_sa local = loopback(0, port);
  res_unit r;
  bind_to(l, net, &local, &r);
  if (!r.is_err) tcp_start_listen(l, &r);
  if (!r.is_err) tcp_finish_listen(l, &r);
  if (r.is_err) return (void)say(1, "listen: %s\n", err_name(r.err));
  res_sa la;
  tcp_local_address(l, &la);
  say(1, "listening %u\n", port_of(&la.u.sa));
  for (int i = 0; i < n; ++i) {
    res_accept a;
    for (;;) {
      tcp_accept(l, &a);
      if (!a.is_err || a.u.err != WOULD_BLOCK) break;
      wait_on(tcp_subscribe(l));
    }
    if (a.is_err) {
      say(1, "accept: %s\n", err_name(a.u.err));
      break;
    }
    res_sa peer;
    tcp_remote_address(a.u.t.sock, &peer);
    const char *from = !peer.is_err && peer.u.sa.tag == 0 && peer.u.sa.u.v4.a[0] == 127 ? "127.0.0.1" : "?";
    long got = relay(a.u.t.in, a.u.t.out);
    if (got >= 0) say(1, "client %d from %s: echoed %ld bytes\n", i + 1, from, got);
    in_drop(a.u.t.in);
    out_drop(a.u.t.out);
    tcp_drop(a.u.t.sock);
  }
  tcp_drop(l);
}

/* Connects to 127.0.0.1:port and reads until the peer closes or a read
   fails. */
static void hold(int32_t net, uint16_t port) {
  res_streams st;
  int32_t c = connect_loopback(net, port, &st);
  if (c < 0) return;
  long total = 0;
  for (;;) {
    res_read r;
    in_read(st.u.s.in, CHUNK, &r);
    if (r.is_err) {
      say(1, "hold: %ld bytes\n", total);
      say_stream_error("hold read", &r.u.e);
      break;
    }
    total += r.u.l.len;
    if (r.u.l.len > 0) free(r.u.l.ptr);
    else wait_on(in_subscribe(st.u.s.in));
  }
  in_drop(st.u.s.in);
  out_drop(st.u.s.out);
  tcp_drop(c);
}

/* Creates and drops `n` sockets; every third is bound and listens. */
static void churn(int32_t net, int n) {
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    res_handle c;
    create_tcp_socket(i % 2, &c);
    if (c.is_err) {
      ++failed;
      continue;
    }
    if (i % 3 == 0) {
      ip_sa local = loopback(i % 2, 0);
      res_unit r;
      bind_to(c.u.handle, net, &local, &r);
      if (!r.is_err) tcp_start_listen(c.u.handle, &r);
      if (r.is_err) ++failed;
    }
    tcp_drop(c.u.handle);
  }
  say(1, "churn: %d sockets, %d failed\n", n, failed);
}

int main(int argc, char **argv) {
  int32_t net = instance_network();
  if (argc > 2 && strcmp(argv[1], "churn") == 0) {
    churn(net, atoi(argv[2]));
  } else if (argc > 2 && strcmp(argv[1], "echo") == 0) {
    echo_peer(net, (uint16_t)atoi(argv[2]));
  } else if (argc > 3 && strcmp(argv[1], "serve") == 0) {
    serve(net, (uint16_t)atoi(argv[2]), atoi(argv[3]));
  } else if (argc > 2 && strcmp(argv[1], "hold") == 0) {
    hold(net, (uint16_t)atoi(argv[2]));
  } else if (argc > 2 && strcmp(argv[1], "deny") == 0) {
    connect_once(net, (uint16_t)atoi(argv[2]));
  } else {
    round_trip(net, 0);
    round_trip(net, 1);
    edges(net);
  }
  network_drop(net);
  say(1, "done\n");
  return 0;
}
