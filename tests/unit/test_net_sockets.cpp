// Unit tests for net/socket.h on loopback: TCP echo between fibers of one
// loop, accept, refusal, deadlines, UDP echo over IPv4 and IPv6, address
// checks, options, and no descriptor leak over many create/close cycles.
#include <dirent.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "net/socket.h"
#include "test_loop.h"

using namespace wippy::net;
using wippy::disp::Loop;
using wippy::disp::RunResult;

namespace {

size_t open_fds() {
  size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n;
}

// A listening TCP socket on the loopback address of `f`, any port.
Socket listener(Family f, uint32_t backlog = 16) {
  auto s = Socket::create(f, Proto::tcp);
  REQUIRE(s.ok());
  REQUIRE(s->bind(make_socket_address(loopback(f), 0)).ok());
  REQUIRE(s->listen(backlog).ok());
  return std::move(*s);
}

// The address `s` is bound to, REQUIREd to be known.
SocketAddress address_of(const Socket& s) {
  auto a = s.local_address();
  REQUIRE(a.ok());
  return *a;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    v[i] = static_cast<uint8_t>(seed >> 16);
  }
  return v;
}

// Writes all of `data`, parking the fiber while the socket is full.
bool write_all(Socket& s, std::span<const uint8_t> data) {
  while (!data.empty()) {
    auto n = blocking(s, true, wippy::disp::kNever, [&] { return s.write(data); });
    if (!n) return false;
    data = data.subspan(*n);
  }
  return true;
}

// Reads until end of stream.
std::vector<uint8_t> read_to_end(Socket& s) {
  std::vector<uint8_t> out;
  uint8_t buf[16384];
  for (;;) {
    auto n = blocking(s, false, wippy::disp::kNever, [&] { return s.read(buf); });
    if (!n || *n == 0) return out;
    out.insert(out.end(), buf, buf + *n);
  }
}

}  // namespace

TEST_CASE("net: TCP echo of 768 KiB each way between fibers on one loop (IPv4 and IPv6)") {
  for (Family f : {Family::ipv4, Family::ipv6}) {
    INFO((f == Family::ipv4 ? "ipv4" : "ipv6"));
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    Socket server = listener(f);
    const SocketAddress addr = address_of(server);
    CHECK(port_of(addr) != 0);
    const std::vector<uint8_t> sent = pattern(768 * 1024, 7);
    std::vector<uint8_t> echoed;
    bool server_done = false, client_done = false;

    loop.spawn([&] {  // echo server: one connection, echoes in chunks until EOF
      auto acc = blocking(server, false, wippy::disp::kNever, [&] { return server.accept(); });
      REQUIRE(acc.ok());
      CHECK(family_of(acc->remote) == f);
      Socket& c = acc->socket;
      uint8_t buf[32768];
      for (;;) {
        auto n = blocking(c, false, wippy::disp::kNever, [&] { return c.read(buf); });
        if (!n || *n == 0) break;
        if (!write_all(c, std::span<const uint8_t>(buf, *n))) break;
      }
      CHECK(c.shutdown(false, true).ok());
      server_done = true;
    });
    loop.spawn([&] {  // client: a writer fiber and this reader run interleaved
      auto s = Socket::create(f, Proto::tcp);
      REQUIRE(s.ok());
      Socket c = std::move(*s);
      CHECK(c.connect(addr).ok());
      auto remote = c.remote_address();
      REQUIRE(remote.ok());
      CHECK(*remote == addr);
      auto writer = Loop::current()->spawn([&] {
        CHECK(write_all(c, sent));
        CHECK(c.shutdown(false, true).ok());
      });
      echoed = read_to_end(c);
      wippy::disp::this_fiber::join(writer);
      client_done = true;
    });
    CHECK(loop.run() == RunResult::finished);
    CHECK(server_done);
    CHECK(client_done);
    CHECK(echoed.size() == sent.size());
    CHECK(echoed == sent);
  }
}

TEST_CASE("net: accept is would-block until a client connects; connect to a closed port is refused") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Socket server = listener(Family::ipv4);
  const SocketAddress addr = address_of(server);
  CHECK(server.accept().error() == ErrorCode::would_block);

  // A port with nothing listening: bind one, close it, then connect to it.
  uint16_t dead_port = 0;
  {
    auto tmp = Socket::create(Family::ipv4, Proto::tcp);
    REQUIRE(tmp.ok());
    REQUIRE(tmp->bind(make_socket_address(loopback(Family::ipv4), 0)).ok());
    dead_port = port_of(*tmp->local_address());
  }
  ErrorCode refused = ErrorCode::unknown;
  int accepted = 0;
  loop.spawn([&] {
    for (int i = 0; i < 3; ++i) {
      auto a = blocking(server, false, wippy::disp::kNever, [&] { return server.accept(); });
      CHECK(a.ok());
      if (a.ok()) ++accepted;
    }
  });
  loop.spawn([&] {
    std::vector<Socket> clients;
    for (int i = 0; i < 3; ++i) {
      auto s = Socket::create(Family::ipv4, Proto::tcp);
      REQUIRE(s.ok());
      CHECK(s->connect(addr).ok());
      clients.push_back(std::move(*s));
    }
    auto s = Socket::create(Family::ipv4, Proto::tcp);
    REQUIRE(s.ok());
    auto r = s->connect(make_socket_address(loopback(Family::ipv4), dead_port));
    if (!r) refused = r.error();
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(accepted == 3);
  CHECK(refused == ErrorCode::connection_refused);
}

TEST_CASE("net: a fiber whose connects complete at once still lets the accepting fiber run") {
  // Loopback connects finish without a wait. If the connecting fiber never
  // yielded, the acceptor on the same loop would not run until the
  // listener's backlog overflowed (then each dropped SYN waits 1 s for its
  // retransmit). The most connections ever left unaccepted stays below the
  // backlog.
  constexpr uint32_t kBacklog = 128;
  constexpr int kConnects = 600;
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Socket server = listener(Family::ipv4, kBacklog);
  const SocketAddress addr = address_of(server);
  int accepted = 0, connected = 0, most_pending = 0;
  auto acceptor = loop.spawn([&] {
    for (;;) {
      auto a = blocking(server, false, wippy::disp::kNever, [&] { return server.accept(); });
      if (!a) return;  // cancelled
      ++accepted;
    }
  });
  loop.spawn([&] {
    for (int i = 0; i < kConnects; ++i) {
      auto s = Socket::create(Family::ipv4, Proto::tcp);
      REQUIRE(s.ok());
      if (!s->connect(addr)) break;
      ++connected;
      most_pending = std::max(most_pending, connected - accepted);
    }
    while (accepted < connected && wippy::disp::this_fiber::yield() == wippy::disp::Errc::ok) {
    }
    Loop::current()->cancel(acceptor);
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(connected == kConnects);
  CHECK(accepted == kConnects);
  CHECK(most_pending < static_cast<int>(kBacklog));
}

TEST_CASE("net: waits end with timeout at their deadline, not before") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Socket server = listener(Family::ipv4);
  const SocketAddress addr = address_of(server);
  ErrorCode read_err = ErrorCode::unknown, accept_err = ErrorCode::unknown;
  uint64_t read_waited = 0, accept_waited = 0;
  loop.spawn([&] {
    auto s = Socket::create(Family::ipv4, Proto::tcp);
    REQUIRE(s.ok());
    CHECK(s->connect(addr).ok());
    uint8_t buf[16];
    const uint64_t t0 = wippy::disp::now_ns();
    auto n = blocking(*s, false, wippy::disp::deadline_after(100'000'000), [&] { return s->read(buf); });
    read_waited = wippy::disp::now_ns() - t0;
    if (!n) read_err = n.error();
    // The one pending connection was never accepted; accept it, then wait
    // for a second that never comes.
    CHECK(blocking(server, false, wippy::disp::kNever, [&] { return server.accept(); }).ok());
    const uint64_t t1 = wippy::disp::now_ns();
    auto a = blocking(server, false, wippy::disp::deadline_after(50'000'000), [&] { return server.accept(); });
    accept_waited = wippy::disp::now_ns() - t1;
    if (!a) accept_err = a.error();
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(read_err == ErrorCode::timeout);
  CHECK(read_waited >= 100'000'000);
  CHECK(accept_err == ErrorCode::timeout);
  CHECK(accept_waited >= 50'000'000);
}

TEST_CASE("net: UDP echo on 127.0.0.1 and ::1, connected and unconnected") {
  for (Family f : {Family::ipv4, Family::ipv6}) {
    INFO((f == Family::ipv4 ? "ipv4" : "ipv6"));
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    auto srv = Socket::create(f, Proto::udp);
    REQUIRE(srv.ok());
    REQUIRE(srv->bind(make_socket_address(loopback(f), 0)).ok());
    const SocketAddress srv_addr = address_of(*srv);
    int echoed = 0;
    std::vector<std::string> got;
    auto server = loop.spawn([&] {
      uint8_t buf[2048];
      for (;;) {
        auto d = blocking(*srv, false, wippy::disp::kNever, [&] { return srv->receive_from(buf); });
        if (!d) return;  // cancelled
        CHECK(srv->send_to(std::span<const uint8_t>(buf, d->size), d->from).ok());
        ++echoed;
      }
    });
    loop.spawn([&] {
      auto c = Socket::create(f, Proto::udp);
      REQUIRE(c.ok());
      REQUIRE(c->bind(make_socket_address(unspecified(f), 0)).ok());
      const std::string a = "unconnected datagram";
      CHECK(c->send_to(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(a.data()), a.size()), srv_addr).ok());
      uint8_t buf[2048];
      auto d = blocking(*c, false, wippy::disp::kNever, [&] { return c->receive_from(buf); });
      REQUIRE(d.ok());
      CHECK(d->from == srv_addr);
      got.emplace_back(reinterpret_cast<char*>(buf), d->size);

      auto conn = c->start_connect(srv_addr);  // UDP connect: immediate
      REQUIRE(conn.ok());
      CHECK(*conn);
      std::vector<uint8_t> big = pattern(1400, 3);
      CHECK(c->send_to(big, std::nullopt).ok());
      d = blocking(*c, false, wippy::disp::kNever, [&] { return c->receive_from(buf); });
      REQUIRE(d.ok());
      CHECK(std::vector<uint8_t>(buf, buf + d->size) == big);
      // A small buffer reports the datagram's true size.
      CHECK(c->send_to(big, std::nullopt).ok());
      uint8_t small[100];
      d = blocking(*c, false, wippy::disp::kNever, [&] { return c->receive_from(small); });
      REQUIRE(d.ok());
      CHECK(d->size == 100);
      CHECK(d->full_size == 1400);
      CHECK(c->disconnect().ok());
      CHECK(c->send_to(big, std::nullopt).error() == ErrorCode::invalid_state);  // no peer any more
      Loop::current()->cancel(server);
    });
    CHECK(loop.run() == RunResult::finished);
    CHECK(echoed == 3);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == "unconnected datagram");
  }
}

TEST_CASE("net: addresses are checked before any system call") {
  auto v6 = Socket::create(Family::ipv6, Proto::tcp);
  REQUIRE(v6.ok());
  auto v4 = Socket::create(Family::ipv4, Proto::udp);
  REQUIRE(v4.ok());
  const SocketAddress mapped = make_socket_address(*parse_ip("::ffff:127.0.0.1"), 80);
  CHECK(v6->bind(mapped).error() == ErrorCode::invalid_argument);
  CHECK(v6->start_connect(mapped).error() == ErrorCode::invalid_argument);
  CHECK(v6->bind(make_socket_address(loopback(Family::ipv4), 0)).error() == ErrorCode::invalid_argument);
  CHECK(v6->start_connect(make_socket_address(loopback(Family::ipv6), 0)).error() == ErrorCode::invalid_argument);
  CHECK(v6->start_connect(make_socket_address(unspecified(Family::ipv6), 80)).error() == ErrorCode::invalid_argument);
  CHECK(v6->start_connect(make_socket_address(*parse_ip("ff02::1"), 80)).error() == ErrorCode::invalid_argument);
  const uint8_t byte = 0;
  CHECK(v4->send_to(std::span<const uint8_t>(&byte, 1), make_socket_address(loopback(Family::ipv4), 0)).error() ==
        ErrorCode::invalid_argument);
  CHECK(v4->send_to(std::span<const uint8_t>(&byte, 1), make_socket_address(loopback(Family::ipv6), 9)).error() ==
        ErrorCode::invalid_argument);
  // The refused calls left both sockets unbound.
  CHECK(port_of(*v6->local_address()) == 0);
  CHECK(port_of(*v4->local_address()) == 0);
  // Wrong state.
  uint8_t buf[4];
  CHECK(v6->read(buf).error() == ErrorCode::invalid_state);  // not connected
  CHECK(v6->accept().error() == ErrorCode::invalid_state);   // not listening
  CHECK(v6->remote_address().error() == ErrorCode::invalid_state);
  CHECK(v4->listen(5).error() == ErrorCode::not_supported);
  Socket closed;
  CHECK(closed.read(buf).error() == ErrorCode::invalid_state);
  CHECK(closed.local_address().error() == ErrorCode::invalid_state);
  // Binding a port in use.
  Socket l = listener(Family::ipv4);
  auto other = Socket::create(Family::ipv4, Proto::tcp);
  REQUIRE(other.ok());
  CHECK(other->bind(*l.local_address()).error() == ErrorCode::address_in_use);
  // Binding an address that is not local.
  auto far = Socket::create(Family::ipv4, Proto::udp);
  REQUIRE(far.ok());
  CHECK(far->bind(make_socket_address(*parse_ip("192.0.2.1"), 0)).error() == ErrorCode::address_not_bindable);
}

TEST_CASE("net: socket options set, read back and reject zero") {
  auto t = Socket::create(Family::ipv6, Proto::tcp);
  REQUIRE(t.ok());
  CHECK(t->set_keep_alive_enabled(true).ok());
  CHECK(*t->keep_alive_enabled());
  CHECK(t->set_keep_alive_enabled(false).ok());
  CHECK_FALSE(*t->keep_alive_enabled());
  CHECK(t->set_keep_alive_idle_time(1'500'000'000).ok());  // rounded up to 2 s
  CHECK(*t->keep_alive_idle_time() == 2'000'000'000);
  CHECK(t->set_keep_alive_idle_time(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_keep_alive_idle_time(UINT64_MAX).ok());  // clamped
  CHECK(*t->keep_alive_idle_time() == 32767ull * 1'000'000'000);
  CHECK(t->set_keep_alive_interval(3'000'000'000).ok());
  CHECK(*t->keep_alive_interval() == 3'000'000'000);
  CHECK(t->set_keep_alive_interval(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_keep_alive_count(5).ok());
  CHECK(*t->keep_alive_count() == 5);
  CHECK(t->set_keep_alive_count(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_hop_limit(42).ok());
  CHECK(*t->hop_limit() == 42);
  CHECK(t->set_hop_limit(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_receive_buffer_size(65536).ok());
  CHECK(*t->receive_buffer_size() >= 65536);
  CHECK(t->set_receive_buffer_size(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_send_buffer_size(UINT64_MAX).ok());  // clamped to what the kernel allows
  CHECK(*t->send_buffer_size() > 0);
  CHECK(t->set_send_buffer_size(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_ipv6_only(true).ok());
  CHECK(*t->ipv6_only());
  CHECK(t->set_ipv6_only(false).ok());
  CHECK_FALSE(*t->ipv6_only());
  CHECK(t->set_listen_backlog_size(0).error() == ErrorCode::invalid_argument);
  CHECK(t->set_listen_backlog_size(8).ok());
  REQUIRE(t->bind(make_socket_address(loopback(Family::ipv6), 0)).ok());
  REQUIRE(t->listen(4).ok());
  CHECK(t->set_listen_backlog_size(64).ok());  // re-listens

  auto u = Socket::create(Family::ipv4, Proto::udp);
  REQUIRE(u.ok());
  CHECK(u->set_hop_limit(7).ok());
  CHECK(*u->hop_limit() == 7);
  CHECK(u->ipv6_only().error() == ErrorCode::not_supported);
  CHECK(u->set_listen_backlog_size(1).error() == ErrorCode::not_supported);
}

TEST_CASE("net: 10,000 socket create/close cycles leave no descriptor open") {
  const size_t before = open_fds();
  for (int i = 0; i < 10000; ++i) {
    const Family f = i % 2 ? Family::ipv4 : Family::ipv6;
    auto s = Socket::create(f, i % 3 ? Proto::tcp : Proto::udp);
    REQUIRE(s.ok());
    if (i % 5 == 0) REQUIRE(s->bind(make_socket_address(loopback(f), 0)).ok());
    if (i % 7 == 0) {
      Socket moved = std::move(*s);  // the moved-from socket owns nothing
      CHECK_FALSE(s->valid());
    }
  }
  CHECK(open_fds() == before);
}
