// Unit tests for the wasi:sockets host functions (hostfns/sockets_*.cpp):
// the sockets_udp guest in process, on a dispatcher loop, against a UDP echo
// peer on the host side of the same loop, and under grants that refuse
// lookup, bind and the peer's address with access-denied; its lookups
// through c-ares against the DNS responder of dns_responder.h. The
// sockets_tcp guest likewise: its echo, its grants, its fd accounting.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "dns_responder.h"
#include "guest_files.h"
#include "hostfns/wasi.h"
#include "net/socket.h"
#include "socket_guest_run.h"
#include "test_loop.h"

using namespace wippy;
using namespace wippy::hostfns;
using wippy::testing::host_listener;
using wippy::testing::run_guest;

namespace {

// What a run of sockets_udp next to the host echo peer gave.
struct PeerRun {
  std::string out;  // the guest's stdout
  int echoed = 0;   // datagrams the peer echoed
  int code = -1;    // the guest's exit code
};

// Runs sockets_udp with `port` as its argument next to a host echo fiber
// on 127.0.0.1:port, under `policy`.
PeerRun run_with_peer(const net::Policy& policy) {
  PeerRun r;
  std::vector<uint8_t> bytes = load_guest("sockets_udp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  auto srv = net::Socket::create(net::Family::ipv4, net::Proto::udp);
  REQUIRE(srv.ok());
  REQUIRE(srv->bind(net::make_socket_address(net::loopback(net::Family::ipv4), 0)).ok());
  const uint16_t port = net::port_of(*srv->local_address());
  auto peer = loop.spawn([&] {
    uint8_t buf[2048];
    for (;;) {
      auto d = net::blocking(*srv, false, disp::kNever, [&] { return srv->receive_from(buf); });
      if (!d) return;  // cancelled once the guest is done
      if (srv->send_to(std::span<const uint8_t>(buf, d->size), d->from).ok()) ++r.echoed;
    }
  });
  WasiCtx ctx;
  ctx.args = {"sockets_udp", std::to_string(port)};
  ctx.network = policy;
  r.code = run_guest(loop, bytes, ctx, [peer] { disp::Loop::current()->cancel(peer); }).code;
  r.out = ctx.out.buffer;
  return r;
}

// How many descriptors this process has open.
size_t open_fds() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) (void)e, ++n;
  return n;
}

// The default policy with one permission (allow_bind, allow_lookup, ...) off.
net::Policy policy_without(bool net::Policy::*allow) {
  net::Policy p;
  p.*allow = false;
  return p;
}

net::Policy policy_of(std::vector<std::string> rules) {
  auto p = net::parse_policy(rules);
  REQUIRE(p.ok());
  return *p;
}

// What a run of sockets_udp's `lookup` against the DNS responder gave.
struct LookupRun {
  wippy::testing::GuestOutcome guest;
  std::string out;  // the guest's stdout
  int queries = 0;  // the queries the responder answered
};

// Runs `sockets_udp lookup <names>` under `limits` with c-ares sent to a DNS
// responder on the same loop (`timeout_ms` per try, `tries` tries).
LookupRun run_lookups(const std::vector<std::string>& names, int timeout_ms, int tries, WasiLimits limits = {}) {
  std::vector<uint8_t> bytes = load_guest("sockets_udp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  net::testing::Responder dns(loop);
  WasiCtx ctx;  // declared after the loop: destroyed before it
  ctx.args = {"sockets_udp", "lookup"};
  ctx.args.insert(ctx.args.end(), names.begin(), names.end());
  ctx.resolver = net::ResolverOptions{dns.server(), timeout_ms, tries};
  ctx.limits = limits;
  LookupRun r;
  r.guest = run_guest(loop, bytes, ctx, [&dns] { disp::Loop::current()->cancel(dns.fiber); });
  r.out = ctx.out.buffer;
  r.queries = dns.queries;
  return r;
}

}  // namespace

TEST_CASE("wasi sockets: the sockets_udp guest echoes off a host peer and resolves on the loop") {
  const auto [out, echoed, code] = run_with_peer(net::Policy{});
  CHECK(code == 0);
  CHECK(echoed == 3);
  CHECK(out ==
        "resolve localhost: 127.0.0.1\n"
        "resolve 192.0.2.1: 192.0.2.1\n"
        "resolve not a name: invalid-argument\n"
        "ipv4 client: family ipv4, remote port matches: yes\n"
        "ipv4 echo: ping 0\n"
        "ipv4 echo: ping 1\n"
        "ipv4 echo: ping 2\n"
        "done\n");
}

TEST_CASE("wasi sockets: a rule naming the peer allows it; others refuse with access-denied") {
  SUBCASE("allowed by an exact rule and by a CIDR rule") {
    for (const char* rule : {"udp:127.0.0.1:1-65535", "udp:127.0.0.0/8:*", "udp:*:*"}) {
      CAPTURE(rule);
      const auto [out, echoed, code] = run_with_peer(policy_of({rule}));
      CHECK(echoed == 3);
      CHECK(out.find("ipv4 echo: ping 2\n") != std::string::npos);
    }
  }
  SUBCASE("denied: other protocol, other host, other port range") {
    for (const char* rule : {"tcp:127.0.0.1:*", "udp:127.0.0.2:*", "udp:[::1]:*", "udp:127.0.0.1:1-2"}) {
      CAPTURE(rule);
      const auto [out, echoed, code] = run_with_peer(policy_of({rule}));
      CHECK(echoed == 0);
      CHECK(out.find("stream: access-denied\n") != std::string::npos);
      CHECK(out.find("echo:") == std::string::npos);
      // Lookups are not address rules: still answered.
      CHECK(out.find("resolve localhost: 127.0.0.1\n") != std::string::npos);
    }
  }
  SUBCASE("allow_lookup = false refuses every lookup") {
    const auto [out, echoed, code] = run_with_peer(policy_without(&net::Policy::allow_lookup));
    CHECK(out.find("resolve localhost: access-denied\n") != std::string::npos);
    CHECK(out.find("resolve 192.0.2.1: access-denied\n") != std::string::npos);
    CHECK(echoed == 3);
  }
  SUBCASE("allow_bind = false refuses the bind") {
    const auto [out, echoed, code] = run_with_peer(policy_without(&net::Policy::allow_bind));
    CHECK(out.find("start-bind: access-denied\n") != std::string::npos);
    CHECK(echoed == 0);
  }
}

TEST_CASE("wasi sockets: ip-name-lookup through c-ares to a DNS responder on 127.0.0.1") {
  const LookupRun r = run_lookups({"wippy.test", "v4only.test", "missing.test", "fail.test", "localhost"}, 500, 1);
  CHECK(r.guest.code == 0);
  const std::string& out = r.out;
  CHECK(out.find("resolve wippy.test: 10.1.2.3\n") != std::string::npos);
  CHECK(out.find("resolve wippy.test: 10.1.2.4\n") != std::string::npos);
  CHECK(out.find("resolve wippy.test: fd00:0:0:0:0:0:0:53\n") != std::string::npos);
  CHECK(out.find("resolve v4only.test: 192.0.2.7\n") != std::string::npos);
  CHECK(out.find("resolve missing.test: name-unresolvable\n") != std::string::npos);
  CHECK(out.find("resolve fail.test: temporary-resolver-failure\n") != std::string::npos);
  CHECK(out.find("resolve localhost: 127.0.0.1\n") != std::string::npos);  // /etc/hosts first
  CHECK(r.queries >= 6);
}

TEST_CASE("wasi sockets: limits.socket_timeout_ms bounds a lookup the DNS server never answers") {
  // c-ares alone would retry for 3 x 10 s; the guest's wait on the
  // stream's pollable ends at the timeout and the lookup reports it once.
  WasiLimits limits;
  limits.socket_timeout_ms = 150;
  const LookupRun r = run_lookups({"silent.test", "wippy.test"}, 10000, 3, limits);
  CHECK(r.guest.code == 0);
  const std::string& out = r.out;
  CHECK_MESSAGE(out.find("resolve silent.test: timeout\n") != std::string::npos, out);
  CHECK(out.find("resolve wippy.test: 10.1.2.3\n") != std::string::npos);  // a later lookup answers
  CHECK(r.guest.took >= 150 * 1000000ull);
}

TEST_CASE("wasi sockets: UDP sockets count against limits.max_open_files (new-socket-limit)") {
  std::vector<uint8_t> bytes = load_guest("sockets_udp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  WasiCtx ctx;
  ctx.args = {"sockets_udp"};  // self echo: two sockets per round
  ctx.limits.max_open_files = 1;
  CHECK(run_guest(loop, bytes, ctx).code == 0);
  // The server socket is the one allowed; the client's creation fails, in
  // both rounds (the first round's socket is dropped before the second).
  const std::string& out = ctx.out.buffer;
  size_t n = 0;
  for (size_t at = out.find("create: new-socket-limit\n"); at != std::string::npos;
       at = out.find("create: new-socket-limit\n", at + 1))
    ++n;
  CHECK(n == 2);
  CHECK(out.find("echo:") == std::string::npos);
}

namespace {

// Runs `guest churn 10000` (10,000 socket create/drop cycles): it must exit 0
// printing `expected`, with no socket counted and no descriptor left open.
void check_churn(const char* guest, const std::string& expected) {
  std::vector<uint8_t> bytes = load_guest(guest);
  const size_t before = open_fds();
  WasiCtx ctx;
  ctx.args = {guest, "churn", "10000"};
  Store store;
  auto r = run_wasi_command(store, bytes, ctx);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(*r == 0);
  CHECK(ctx.out.buffer == expected);
  CHECK(ctx.state.open_files.used() == 0);
  CHECK(open_fds() == before);
}

}  // namespace

TEST_CASE("wasi sockets: 10,000 UDP socket create/drop cycles by a guest leave no descriptor open") {
  check_churn("sockets_udp", "churn: 10000 sockets, 0 failed\n");
}

namespace {

// Runs the sockets_tcp guest with `args` under `policy` on a dispatcher
// loop; returns its stdout (exit status in *code).
std::string run_tcp_guest(std::vector<std::string> args, const net::Policy& policy, int* code) {
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  WasiCtx ctx;
  ctx.args = std::move(args);
  ctx.args.insert(ctx.args.begin(), "sockets_tcp");
  ctx.network = policy;
  *code = run_guest(loop, bytes, ctx).code;
  return ctx.out.buffer;
}

}  // namespace

TEST_CASE("wasi sockets: TCP connect and fixed-port bind follow the grant's rules") {
  // A host listener the guest connects to (the kernel completes the
  // handshake from the backlog; nothing accepts).
  auto srv = host_listener(4);
  const std::string port = std::to_string(wippy::testing::port_of(srv));
  // Runs `deny PORT` under each rule alone: the guest exits 0, its connect
  // getting `connect` and its bind `bind`.
  auto check_rules = [&](std::initializer_list<const char*> rules, const std::string& connect,
                         const std::string& bind) {
    for (const char* rule : rules) {
      CAPTURE(rule);
      int code = -1;
      const std::string out = run_tcp_guest({"deny", port}, policy_of({rule}), &code);
      CHECK(code == 0);
      CHECK(out == "connect 127.0.0.1:" + port + ": " + connect + "\nbind 127.0.0.1:" + port + ": " + bind + "\ndone\n");
    }
  };
  SUBCASE("allowed: the connect succeeds, the bind meets the listener") {
    check_rules({"tcp:127.0.0.1:*", "tcp:127.0.0.0/8:1-65535"}, "ok", "address-in-use");
  }
  SUBCASE("denied: other protocol, host or port range refuse before any syscall") {
    check_rules({"udp:127.0.0.1:*", "tcp:127.0.0.2:*", "tcp:[::1]:*", "tcp:127.0.0.1:1-2"}, "access-denied",
                "access-denied");
  }
  SUBCASE("allow_bind = false refuses every bind; connect is still allowed") {
    net::Policy p;
    p.allow_bind = false;
    int code = -1;
    const std::string out = run_tcp_guest({"deny", port}, p, &code);
    CHECK(out == "connect 127.0.0.1:" + port + ": ok\nbind 127.0.0.1:" + port + ": access-denied\ndone\n");
  }
  SUBCASE("allow_listen = false refuses listen") {
    net::Policy p;
    p.allow_listen = false;
    int code = -1;
    const std::string out = run_tcp_guest({}, p, &code);
    CHECK(out.find("listen: access-denied\n") != std::string::npos);
    CHECK(out.find("echo:") == std::string::npos);
  }
}

TEST_CASE("wasi sockets: the sockets_tcp guest echoes 300 KiB off a host TCP echo fiber on the same loop") {
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  net::Socket listener = host_listener(4);
  net::Socket* srv = &listener;
  const uint16_t port = wippy::testing::port_of(listener);
  size_t echoed = 0;
  bool peer_saw_eof = false;
  loop.spawn([&] {
    auto a = net::blocking(*srv, false, disp::kNever, [&] { return srv->accept(); });
    if (!a) return;
    net::Socket& c = a->socket;
    std::vector<uint8_t> buf(8192);
    for (;;) {
      auto n = net::blocking(c, false, disp::kNever, [&] { return c.read(buf); });
      if (!n || *n == 0) {
        peer_saw_eof = n.ok();
        return;  // the guest shut down its sending side
      }
      for (size_t off = 0; off < *n;) {
        auto w = net::blocking(c, true, disp::kNever, [&] { return c.write(std::span(buf).subspan(off, *n - off)); });
        if (!w) return;
        off += *w;
      }
      echoed += *n;
    }
  });
  WasiCtx ctx;
  ctx.args = {"sockets_tcp", "echo", std::to_string(port)};
  CHECK(run_guest(loop, bytes, ctx).code == 0);
  CHECK(echoed == 300 * 1024);
  CHECK(peer_saw_eof);
  CHECK(ctx.out.buffer == "echo: 307200 bytes there and back intact\nread after shutdown: closed\ndone\n");
}

TEST_CASE("wasi sockets: the sockets_tcp guest echoes 300 KiB over IPv4 and IPv6 on the loop") {
  int code = -1;
  const std::string out = run_tcp_guest({}, net::Policy{}, &code);
  CHECK(code == 0);
  CHECK(out.find("ipv4 echo: 307200 bytes there and back intact\n") != std::string::npos);
  CHECK(out.find("ipv6 echo: 307200 bytes there and back intact\n") != std::string::npos);
  CHECK(out.find("ipv4 server read after shutdown: closed\n") != std::string::npos);
  CHECK(out.find("ipv4 connect to a closed port: connection-refused\n") != std::string::npos);
  CHECK(out.find("finish-connect without start: not-in-progress\n") != std::string::npos);
}

TEST_CASE("wasi sockets: TCP sockets count against limits.max_open_files (new-socket-limit)") {
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  WasiCtx ctx;
  ctx.args = {"sockets_tcp"};
  ctx.limits.max_open_files = 1;  // the listener; the client is one too many
  CHECK(run_guest(loop, bytes, ctx).code == 1);
  CHECK(ctx.out.buffer.find("create: new-socket-limit\n") != std::string::npos);
}

TEST_CASE("wasi sockets: 10,000 TCP socket create/drop cycles by a guest leave no descriptor open") {
  check_churn("sockets_tcp", "churn: 10000 sockets, 0 failed\ndone\n");
}
