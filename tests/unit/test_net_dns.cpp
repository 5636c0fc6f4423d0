// Unit tests for net/resolver.h: c-ares on the dispatcher. localhost comes
// from /etc/hosts; other names from the tiny DNS responder of
// dns_responder.h, a fiber on the same loop.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "check_each.h"
#include "dns_responder.h"
#include "net/resolver.h"
#include "net/socket.h"
#include "test_loop.h"
#include "dispatcher/sanitizer.h"

#if defined(WIPPY_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

using namespace wippy::net;
using wippy::disp::Loop;
using wippy::disp::RunResult;
using wippy::net::testing::Responder;

namespace {

bool contains(const std::vector<IpAddress>& v, const char* ip) {
  return std::find(v.begin(), v.end(), *parse_ip(ip)) != v.end();
}

}  // namespace

TEST_CASE("net: host names are checked before any query") {
  using wippy::testing::check_each;
  auto valid = [](const std::string& name) { return valid_host_name(name); };
  check_each(valid, true, {std::string("localhost"), std::string("a.b-c.d_e."), std::string(63, 'a') + ".com"});
  check_each(valid, false,
             {std::string(64, 'a') + ".com", std::string(300, 'a'), std::string(""), std::string("."),
              std::string("a..b"), std::string("-a.b"), std::string("a-.b"), std::string("a b"),
              std::string("a\0b", 3),
              std::string("b\xC3\xA4r.de")});  // IDNA is not done: non-ASCII is refused
}

TEST_CASE("net: DNS resolves localhost, IP literals and refuses bad names") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
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
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
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
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
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

// resolver.h: destroyed idle, a resolver touches no loop (here, after its
// loop is gone); destroyed busy after its loop, it is left allocated rather
// than touch that loop (the ASan build reports a use after free otherwise;
// its leak is expected, so LeakSanitizer is told to ignore it).
TEST_CASE("net: a resolver outliving its loop is destroyed without touching it") {
  std::unique_ptr<Resolver> idle;
  {
    auto loop_owner = wippy::testing::make_loop();
    auto r = Resolver::create(*loop_owner, ResolverOptions{"127.0.0.1:9"});
    REQUIRE(r.ok());
    idle = std::move(*r);
    CHECK_FALSE(idle->busy());
  }
  idle.reset();

#if defined(WIPPY_ASAN)
  __lsan::ScopedDisabler leak_expected;
#endif
  std::unique_ptr<Resolver> busy;
  std::shared_ptr<Lookup> pending;
  {
    auto loop_owner = wippy::testing::make_loop();
    auto r = Resolver::create(*loop_owner, ResolverOptions{"127.0.0.1:9", 5000, 1});
    REQUIRE(r.ok());
    busy = std::move(*r);
    auto l = busy->start("nobody.test");
    REQUIRE(l.ok());
    pending = *l;
    CHECK(busy->busy());  // the query went out: a socket is watched
  }
  busy.reset();
  CHECK_FALSE(pending->done());
}

TEST_CASE("net: a resolver knows the loop it was made on, not a later one at the same address") {
  auto first = wippy::testing::make_loop();
  auto other = wippy::testing::make_loop();
  auto r = Resolver::create(*first, ResolverOptions{"127.0.0.1:9"});
  REQUIRE(r.ok());
  CHECK((*r)->on_loop(*first));
  CHECK_FALSE((*r)->on_loop(*other));
  first.reset();  // a loop made now may take its address: it is not the resolver's
  auto later = wippy::testing::make_loop();
  CHECK_FALSE((*r)->on_loop(*later));
}
