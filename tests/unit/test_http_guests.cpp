// Unit tests for wasi:http with real guests in process (issue 11 part 7):
// tests/http/http_get.c (one GET through the raw canonical ABI, built by
// meson into $WIPPY_HTTP_GUEST_DIR) run by run_wasi_command against a
// loopback DelayServer (delay_server.h).
//  * one guest: status and body of a GET, connection-refused on a closed
//    port; the grant's default first-byte timeout (what wasi.http
//    first_byte_timeout_ms and --http-first-byte-timeout-ms set) ends a
//    request whose options set none; plain http parses no CA store, and
//    two https instances given one TlsTrustCache parse it once;
//  * 200 guests as fibers on one dispatcher thread, each awaiting a
//    response the server delays 200 ms once all 200 requests are there:
//    all complete, and the server held all 200 requests at once. The
//    wall time is a figure for bench/ (`wippy-bench http-guests`), never
//    an assertion here.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "delay_server.h"
#include "dispatcher/clock.h"
#include "dispatcher/dispatcher.h"
#include "guest_files.h"
#include "hostfns/wasi.h"
#include "socket_guest_run.h"
#include "test_http_server.h"
#include "test_loop.h"

using namespace wippy;
using namespace wippy::hostfns;
using wippy::testing::DelayServer;

namespace {

std::vector<uint8_t> http_get_guest() { return load_guest("http_get", "WIPPY_HTTP_GUEST_DIR"); }

// One guest run on a fiber of its own loop (wasi:http parks the fiber).
Result<int> run_on_loop(const std::vector<uint8_t>& wasm, WasiCtx& ctx) {
  Result<int> out = make_error(ErrorKind::Other, "the guest's fiber never ran");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  loop.spawn([&] {
    Store store;
    out = run_wasi_command(store, wasm, ctx);
  });
  loop.run();
  return out;
}

}  // namespace

TEST_CASE("wasi http: the http_get guest fetches a body; a closed port is connection-refused") {
  std::vector<uint8_t> wasm = http_get_guest();
  DelayServer srv(1, 0);
  REQUIRE(srv.port() != 0);
  {
    WasiCtx ctx;
    ctx.args = {"http_get", "127.0.0.1:" + std::to_string(srv.port()), "/x"};
    auto r = run_on_loop(wasm, ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(*r == 0);
    CHECK(ctx.out.buffer == "status 200 body 8\ndelayed\n");
  }
  {
    // A port that was bound and closed again: nothing listens there.
    uint16_t closed;
    {
      DelayServer gone(1, 0);
      closed = gone.port();
    }
    WasiCtx ctx;
    ctx.args = {"http_get", "127.0.0.1:" + std::to_string(closed), "/x"};
    auto r = run_on_loop(wasm, ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(*r == 1);
    CHECK(ctx.out.buffer == "error-code 6\n");  // connection-refused
  }
}

TEST_CASE("wasi http: the grant's default first-byte timeout applies when request-options set none") {
  std::vector<uint8_t> wasm = http_get_guest();
  DelayServer srv(1, 2000);  // answers after 2 s
  REQUIRE(srv.port() != 0);
  WasiCtx ctx;
  ctx.args = {"http_get", "127.0.0.1:" + std::to_string(srv.port()), "/slow"};
  REQUIRE(net::set_http_timeout_ms(ctx.http, net::HttpTimeout::first_byte, 100, "first byte").ok());
  const uint64_t t0 = disp::now_ns();
  auto r = run_on_loop(wasm, ctx);
  const uint64_t elapsed_ms = (disp::now_ns() - t0) / 1'000'000;
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(*r == 1);
  CHECK(ctx.out.buffer == "error-code 9\n");  // connection-read-timeout
  CHECK(elapsed_ms >= 100u);
}

TEST_CASE("wasi http: plain http loads no CA store; https instances given one TlsTrustCache share it") {
  std::vector<uint8_t> wasm = http_get_guest();
  auto cache = std::make_shared<net::TlsTrustCache>();
  {
    DelayServer srv(1, 0);
    REQUIRE(srv.port() != 0);
    for (int i = 0; i < 2; ++i) {
      CAPTURE(i);
      WasiCtx ctx;
      ctx.tls_trust = cache;
      ctx.args = {"http_get", "127.0.0.1:" + std::to_string(srv.port()), "/x"};
      auto r = run_on_loop(wasm, ctx);
      REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
      CHECK(*r == 0);
      CHECK(ctx.out.buffer == "status 200 body 8\ndelayed\n");
      CHECK(cache->loads() == 0u);  // TLS is set up on the first https connection only
    }
  }
  testing::TestPki pki;
  REQUIRE((pki.make_ca("ca") && pki.make_leaf("leaf", "ca", "DNS:localhost,IP:127.0.0.1")));
  const testing::TlsServerCert cert{pki.path("leaf.crt"), pki.path("leaf.key")};
  testing::TestServer srv(
      [](testing::ServerConn& c) {
        while (!c.read_head().empty())
          if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ndelayed\n")) return;
      },
      &cert);
  REQUIRE(srv.tls_ok());
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    WasiCtx ctx;
    ctx.tls_trust = cache;
    ctx.http.ca_file = pki.path("ca.crt");  // trusted beside the host's store
    ctx.args = {"http_get", "localhost:" + std::to_string(srv.port()), "/x", "1", "https"};
    auto r = run_on_loop(wasm, ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK_MESSAGE(*r == 0, ctx.out.buffer);
    CHECK(ctx.out.buffer == "gets 1 status 200 bytes 8\n");
    CHECK(cache->loads() == 1u);  // the first instance's request loaded it; the second reused it
  }
}

TEST_CASE("wasi http: 200 guests await a delayed response at once on one dispatcher thread") {
  constexpr int kGuests = 200;
  constexpr int kDelayMs = 200;
  std::vector<uint8_t> wasm = http_get_guest();
  DelayServer srv(kGuests, kDelayMs);
  REQUIRE(srv.port() != 0);
  const std::string authority = "127.0.0.1:" + std::to_string(srv.port());

  struct Run {
    WasiCtx ctx;
    wippy::testing::GuestOutcome out;
  };
  std::vector<std::unique_ptr<Run>> runs;
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  for (int i = 0; i < kGuests; ++i) {
    runs.push_back(std::make_unique<Run>());
    Run& run = *runs.back();
    run.ctx.args = {"http_get", authority, "/delay/" + std::to_string(i)};
    wippy::testing::spawn_guest(loop, wasm, run.ctx, &run.out);
  }
  const uint64_t t0 = disp::now_ns();
  loop.run();
  const uint64_t elapsed_ms = (disp::now_ns() - t0) / 1'000'000;

  for (int i = 0; i < kGuests; ++i) {
    CAPTURE(i);
    const Run& run = *runs[size_t(i)];
    CHECK(run.out.error.empty());
    CHECK(run.out.code == 0);
    CHECK(run.ctx.out.buffer == "status 200 body 8\ndelayed\n");
  }
  CHECK(srv.served() == kGuests);
  // Every guest's request was held by the server at the same moment (the
  // server answers none before all are there): the 200 waits overlapped
  // on the one loop thread.
  CHECK(srv.most() == kGuests);
  CHECK(elapsed_ms >= uint64_t(kDelayMs));
}
