// Unit tests for net/resolver.h: c-ares on the dispatcher. localhost comes
// from /etc/hosts; other names from a tiny DNS responder that this test runs
// on 127.0.0.1 (UDP, a fiber on the same loop) answering A/AAAA from a
// fixed table, NXDOMAIN for unknown names, SERVFAIL for "fail.test", and
// silence for "silent.test".
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "net/resolver.h"
#include "net/socket.h"

using namespace wippy::net;
using wippy::disp::Loop;
using wippy::disp::RunResult;

namespace {

struct Answer {
  std::vector<Ipv4Address> a;
  std::vector<Ipv6Address> aaaa;
};

const std::map<std::string, Answer>& table() {
  static const std::map<std::string, Answer> t = {
      {"wippy.test", {{Ipv4Address{{10, 1, 2, 3}}, Ipv4Address{{10, 1, 2, 4}}},
                      {std::get<Ipv6Address>(*parse_ip("fd00::53"))}}},
      {"v4only.test", {{Ipv4Address{{192, 0, 2, 7}}}, {}}},
  };
  return t;
}

void put16(std::vector<uint8_t>& out, unsigned v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// Builds the reply to one query, or nothing (to stay silent / on garbage).
std::vector<uint8_t> reply_to(std::span<const uint8_t> q, int* queries_seen) {
  if (q.size() < 12) return {};
  size_t i = 12;
  std::string name;
  while (i < q.size() && q[i] != 0) {
    const size_t len = q[i++];
    if (len > 63 || i + len > q.size()) return {};
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(&q[i]), len);
    i += len;
  }
  if (i + 5 > q.size()) return {};
  const size_t qend = i + 5;  // zero byte, type, class
  const unsigned qtype = q[i + 1] << 8 | q[i + 2];
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  ++*queries_seen;
  if (name == "silent.test") return {};

  std::vector<uint8_t> out(q.begin(), q.begin() + 2);  // id
  unsigned rcode = 0;
  const auto it = table().find(name);
  if (name == "fail.test") rcode = 2;            // SERVFAIL
  else if (it == table().end()) rcode = 3;       // NXDOMAIN
  std::vector<std::vector<uint8_t>> rdata;
  if (rcode == 0 && qtype == 1)
    for (const auto& a : it->second.a) rdata.emplace_back(a.octets.begin(), a.octets.end());
  if (rcode == 0 && qtype == 28)
    for (const auto& a : it->second.aaaa) {
      std::vector<uint8_t> b;
      for (uint16_t s : a.segments) put16(b, s);
      rdata.push_back(b);
    }
  put16(out, 0x8180 | rcode);  // response, recursion desired + available
  put16(out, 1);
  put16(out, rdata.size());
  put16(out, 0);
  put16(out, 0);
  out.insert(out.end(), q.begin() + 12, q.begin() + qend);
  for (const auto& r : rdata) {
    put16(out, 0xC00C);  // name: pointer to the question
    put16(out, qtype);
    put16(out, 1);
    put16(out, 0);
    put16(out, 60);  // TTL
    put16(out, r.size());
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

struct Responder {
  Socket sock;
  SocketAddress addr;
  int queries = 0;
  wippy::disp::FiberHandle fiber;

  explicit Responder(Loop& loop) {
    auto s = Socket::create(Family::ipv4, Proto::udp);
    REQUIRE(s.ok());
    sock = std::move(*s);
    REQUIRE(sock.bind(make_socket_address(loopback(Family::ipv4), 0)).ok());
    addr = *sock.local_address();
    fiber = loop.spawn([this] {
      uint8_t buf[1500];
      for (;;) {
        auto d = blocking(sock, false, wippy::disp::kNever, [&] { return sock.receive_from(buf); });
        if (!d) return;  // cancelled at the end of the test
        auto r = reply_to(std::span<const uint8_t>(buf, d->size), &queries);
        if (!r.empty()) (void)sock.send_to(r, d->from);
      }
    });
  }
  std::string server() const { return format_socket_address(addr); }
};

bool contains(const std::vector<IpAddress>& v, const char* ip) {
  return std::find(v.begin(), v.end(), *parse_ip(ip)) != v.end();
}

}  // namespace

TEST_CASE("net: host names are checked before any query") {
  CHECK(valid_host_name("localhost"));
  CHECK(valid_host_name("a.b-c.d_e."));
  CHECK(valid_host_name(std::string(63, 'a') + ".com"));
  CHECK_FALSE(valid_host_name(std::string(64, 'a') + ".com"));
  CHECK_FALSE(valid_host_name(std::string(300, 'a')));
  CHECK_FALSE(valid_host_name(""));
  CHECK_FALSE(valid_host_name("."));
  CHECK_FALSE(valid_host_name("a..b"));
  CHECK_FALSE(valid_host_name("-a.b"));
  CHECK_FALSE(valid_host_name("a-.b"));
  CHECK_FALSE(valid_host_name("a b"));
  CHECK_FALSE(valid_host_name(std::string_view("a\0b", 3)));
  CHECK_FALSE(valid_host_name("b\xC3\xA4r.de"));  // IDNA is not done: non-ASCII is refused
}

TEST_CASE("net: DNS resolves localhost, IP literals and refuses bad names") {
  Loop loop;
  auto r = Resolver::create(loop);
  REQUIRE(r.ok());
  Resolver& res = **r;
  loop.spawn([&] {
    auto a = res.resolve("localhost");
    REQUIRE(a.ok());
    CHECK(contains(*a, "127.0.0.1"));
    auto lit = res.resolve("::1");
    REQUIRE(lit.ok());
    CHECK(lit->size() == 1);
    CHECK(contains(*lit, "::1"));
    auto br = res.resolve("[fe80::1]");
    REQUIRE(br.ok());
    CHECK(contains(*br, "fe80::1"));
    CHECK(res.resolve("bad name").error() == ErrorCode::invalid_argument);
    CHECK(res.resolve("").error() == ErrorCode::invalid_argument);
  });
  CHECK(loop.run() == RunResult::finished);
}

TEST_CASE("net: DNS through a responder on 127.0.0.1: answers, NXDOMAIN, SERVFAIL, timeout") {
  Loop loop;
  Responder dns(loop);
  auto r = Resolver::create(loop, ResolverOptions{dns.server(), 200, 1});
  REQUIRE(r.ok());
  Resolver& res = **r;
  loop.spawn([&] {
    auto a = res.resolve("wippy.test");
    REQUIRE(a.ok());
    CHECK(a->size() == 3);
    CHECK(contains(*a, "10.1.2.3"));
    CHECK(contains(*a, "10.1.2.4"));
    CHECK(contains(*a, "fd00::53"));
    auto v4 = res.resolve("V4ONLY.test");
    REQUIRE(v4.ok());
    CHECK(v4->size() == 1);
    CHECK(contains(*v4, "192.0.2.7"));
    CHECK(res.resolve("missing.test").error() == ErrorCode::name_unresolvable);
    CHECK(res.resolve("fail.test").error() == ErrorCode::temporary_resolver_failure);
    // c-ares gives up after its own timeout (200 ms, one try).
    CHECK(res.resolve("silent.test").error() == ErrorCode::temporary_resolver_failure);
    // The caller's deadline ends the wait first, never early.
    const uint64_t t0 = wippy::disp::now_ns();
    CHECK(res.resolve("silent.test", wippy::disp::deadline_after(50'000'000)).error() == ErrorCode::timeout);
    CHECK(wippy::disp::now_ns() - t0 >= 50'000'000);

    // The start/poll form: not done at once, its pollable wakes the fiber.
    auto l = res.start("wippy.test");
    REQUIRE(l.ok());
    std::shared_ptr<Lookup> lookup = *l;
    CHECK_FALSE(lookup->done());
    bool called = false;
    lookup->on_done([&] { called = true; });
    CHECK(wippy::disp::this_fiber::block(lookup->pollable()) == wippy::disp::Errc::ok);
    CHECK(lookup->done());
    CHECK(called);
    REQUIRE(lookup->result().ok());
    CHECK(lookup->result()->size() == 3);
    // A lookup dropped before its answer is harmless.
    CHECK(res.start("v4only.test").ok());
    Loop::current()->cancel(dns.fiber);
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(dns.queries >= 8);
}

TEST_CASE("net: resolver options are checked; destroying it completes pending lookups") {
  Loop loop;
  CHECK_FALSE(Resolver::create(loop, ResolverOptions{"not-an-ip:53"}).ok());
  CHECK_FALSE(Resolver::create(loop, ResolverOptions{"127.0.0.1:99999"}).ok());
  CHECK(Resolver::create(loop, ResolverOptions{"127.0.0.1:5353,[::1]:53"}).ok());
  Responder dns(loop);
  auto r = Resolver::create(loop, ResolverOptions{dns.server(), 5000, 1});
  REQUIRE(r.ok());
  auto l = (*r)->start("silent.test");
  REQUIRE(l.ok());
  std::shared_ptr<Lookup> pending = *l;
  loop.spawn([&] {
    wippy::disp::this_fiber::sleep_for(20'000'000);  // let the query go out
    r->reset();
    Loop::current()->cancel(dns.fiber);
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(pending->done());
  CHECK(pending->result().error() == ErrorCode::permanent_resolver_failure);
}
