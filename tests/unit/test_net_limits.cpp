// Unit tests for the socket limits of WasiLimits (max_open_sockets,
// socket_timeout_ms) and the sockets_tcp guest as a server: a host client
// connecting to a guest listener; waits on a silent peer or an idle
// listener ending in `timeout` (never a trap), progress restarting the
// clock; the stream-level wait timeout of dispatcher/fd_stream.h over a
// socketpair (also through a pollable kept across progress); an event
// pollable bounded by a WaitClock; and 1,000 guests each holding a TCP
// connection on one loop.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dispatcher/fd_stream.h"
#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "dispatcher/wait.h"
#include "guest_files.h"
#include "hostfns/wasi.h"
#include "net/socket.h"
#include "resident.h"
#include "socket_guest_run.h"
#include "test_loop.h"

using namespace wippy;
using namespace wippy::hostfns;
using wippy::testing::GuestOutcome;
using wippy::testing::host_listener;
using wippy::testing::port_of;
using wippy::testing::run_guest;
using wippy::testing::spawn_guest;

namespace {

constexpr uint64_t kMs = 1000000;

// Runs the guest with `ctx` beside the fibers already spawned on `loop`
// until the loop is done; checks the call ended normally with exit 0 and
// returns how long it took. on_done runs when the guest has finished.
uint64_t run_beside(disp::Loop& loop, const std::vector<uint8_t>& bytes, WasiCtx& ctx,
                    std::function<void()> on_done = {}) {
  const GuestOutcome g = run_guest(loop, bytes, ctx, std::move(on_done));
  CHECK(g.code == 0);
  return g.took;
}

// A guest run alone on its own loop, with no host peer.
struct GuestRun {
  WasiCtx ctx;
  int code = -1;
};
std::unique_ptr<GuestRun> run_alone(const char* guest, std::vector<std::string> args, const WasiLimits& limits) {
  std::vector<uint8_t> bytes = load_guest(guest);
  auto run = std::make_unique<GuestRun>();
  run->ctx.args = std::move(args);
  run->ctx.limits = limits;
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  run->code = run_guest(loop, bytes, run->ctx).code;
  return run;
}

// Gives `ctx` the guest's arguments and limits.socket_timeout_ms.
void set_args_and_timeout(WasiCtx& ctx, std::vector<std::string> args, uint64_t timeout_ms) {
  ctx.args = std::move(args);
  ctx.limits.socket_timeout_ms = timeout_ms;
}

// sockets_tcp set to `hold` a connection to a fresh host listener, with
// limits.socket_timeout_ms = timeout_ms.
struct HoldSetup {
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  std::unique_ptr<disp::Loop> loop = wippy::testing::make_loop();
  net::Socket srv = host_listener();
  WasiCtx ctx;
  explicit HoldSetup(uint64_t timeout_ms) {
    set_args_and_timeout(ctx, {"sockets_tcp", "hold", std::to_string(port_of(srv))}, timeout_ms);
  }
};

WasiLimits sockets_at_most(size_t n) {
  WasiLimits l;
  l.max_open_sockets = n;
  return l;
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Writes all of `data` to a connected socket, parking the fiber.
bool send_all(net::Socket& c, std::span<const uint8_t> data) {
  for (size_t off = 0; off < data.size();) {
    auto w = net::blocking(c, true, disp::kNever, [&] { return c.write(data.subspan(off)); });
    if (!w) return false;
    off += *w;
  }
  return true;
}

}  // namespace

TEST_CASE("socket limits: limits.max_open_sockets refuses the socket past it with new-socket-limit") {
  SUBCASE("tcp: the listener fits, the client is one too many") {
    auto run = run_alone("sockets_tcp", {"sockets_tcp"}, sockets_at_most(1));  // max_open_files: default
    CHECK(run->code == 1);
    CHECK(run->ctx.out.buffer.find("create: new-socket-limit\n") != std::string::npos);
    CHECK(run->ctx.state.open_sockets.used() == 1);  // the listener, still in the exited guest's table
  }
  SUBCASE("tcp: two sockets allowed: the in-guest echo runs, then the third socket is refused") {
    // listener + client; the accepted one is the third
    auto run = run_alone("sockets_tcp", {"sockets_tcp"}, sockets_at_most(2));
    CHECK(run->ctx.out.buffer.find("accept: new-socket-limit\n") != std::string::npos);
    CHECK(run->ctx.out.buffer.find("echo: 307200") == std::string::npos);
  }
  SUBCASE("udp: the server socket fits, the client's creation fails in both rounds") {
    auto run = run_alone("sockets_udp", {"sockets_udp"}, sockets_at_most(1));
    CHECK(run->code == 0);
    CHECK(count_of(run->ctx.out.buffer, "create: new-socket-limit\n") == 2);
  }
  SUBCASE("unset (0): 10000 sockets one after another are all created") {
    auto run = run_alone("sockets_tcp", {"sockets_tcp", "churn", "10000"}, sockets_at_most(0));
    CHECK(run->ctx.out.buffer == "churn: 10000 sockets, 0 failed\ndone\n");
  }
}

TEST_CASE("wasi sockets: a host client connects to a guest TCP server and gets its bytes echoed") {
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  WasiCtx ctx;
  ctx.args = {"sockets_tcp", "serve", "0", "2"};
  GuestOutcome g;
  spawn_guest(loop, bytes, ctx, &g);
  std::vector<size_t> echoed;
  std::string client_error;
  loop.spawn([&] {
    // The guest prints its port once it listens (stdout is captured in
    // ctx.out.buffer, on this same thread).
    size_t nl;
    while ((nl = ctx.out.buffer.find('\n')) == std::string::npos) {
      if (g.code != -1 || !g.error.empty()) return;
      disp::this_fiber::sleep_for(1 * kMs);
    }
    const uint16_t port = uint16_t(std::stoi(ctx.out.buffer.substr(sizeof("listening ") - 1, nl)));
    for (size_t size : {size_t(200 * 1024), size_t(5)}) {
      auto c = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
      if (!c) return void(client_error = "create failed");
      if (auto r = c->connect(net::make_socket_address(net::loopback(net::Family::ipv4), port)); !r) {
        client_error = "connect failed";
        return;
      }
      std::vector<uint8_t> data(size);
      for (size_t i = 0; i < size; ++i) data[i] = uint8_t(i * 13 + i / 256);
      // Write in slices, reading back what has come meanwhile.
      std::vector<uint8_t> back;
      std::vector<uint8_t> buf(8192);
      for (size_t off = 0; off < size;) {
        const size_t n = std::min<size_t>(16384, size - off);
        if (!send_all(*c, std::span(data).subspan(off, n))) return void(client_error = "write failed");
        off += n;
        for (;;) {
          auto got = c->read(buf);
          if (!got || *got == 0) break;
          back.insert(back.end(), buf.begin(), buf.begin() + std::ptrdiff_t(*got));
        }
      }
      if (!c->shutdown(false, true)) return void(client_error = "shutdown failed");
      for (;;) {
        auto got = net::blocking(*c, false, disp::kNever, [&] { return c->read(buf); });
        if (!got) return void(client_error = "read failed");
        if (*got == 0) break;
        back.insert(back.end(), buf.begin(), buf.begin() + std::ptrdiff_t(*got));
      }
      if (back != data) return void(client_error = "echoed bytes differ");
      echoed.push_back(back.size());
    }
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK(g.error.empty());
  CHECK(client_error.empty());
  CHECK(g.code == 0);
  CHECK(echoed == std::vector<size_t>{200 * 1024, 5});
  const std::string& out = ctx.out.buffer;
  REQUIRE(out.find('\n') != std::string::npos);
  CHECK(out.substr(out.find('\n') + 1) ==
        "client 1 from 127.0.0.1: echoed 204800 bytes\nclient 2 from 127.0.0.1: echoed 5 bytes\ndone\n");
}

TEST_CASE("socket limits: limits.socket_timeout_ms ends a wait on a silent peer with a timeout, not a trap") {
  HoldSetup setup(100);
  auto& [bytes, loop_owner, srv, ctx] = setup;
  disp::Loop& loop = *loop_owner;
  bool accepted = false;
  auto peer = loop.spawn([&] {
    auto a = net::blocking(srv, false, disp::kNever, [&] { return srv.accept(); });
    accepted = a.ok();
    disp::this_fiber::sleep_for(60 * 1000 * kMs);  // holds the connection, silent, until cancelled
  });
  const uint64_t took = run_beside(loop, bytes, ctx, [peer] { disp::Loop::current()->cancel(peer); });
  CHECK(accepted);
  CHECK(ctx.out.buffer == "hold: 0 bytes\nhold read: failed: read: timed out, no progress within 100 ms\ndone\n");
  CHECK(took >= 100 * kMs);
}

TEST_CASE("socket limits: a connect the peer never answers ends in timeout") {
  // A listener whose accept queue is full drops further SYNs: the next
  // connect stays in progress (the kernel retries for minutes).
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  net::Socket srv = host_listener(1);
  const net::SocketAddress addr = *srv.local_address();
  std::vector<net::Socket> fill;
  for (int i = 0; i < 4; ++i) {
    auto c = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
    REQUIRE(c.ok());
    REQUIRE(c->start_connect(addr).ok());
    fill.push_back(std::move(*c));
  }
  ::usleep(50 * 1000);  // let the handshakes that fit complete
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  WasiCtx ctx;
  set_args_and_timeout(ctx, {"sockets_tcp", "deny", std::to_string(port_of(srv))}, 200);
  const uint64_t took = run_beside(loop, bytes, ctx);
  const std::string p = std::to_string(port_of(srv));
  CHECK(ctx.out.buffer == "connect 127.0.0.1:" + p + ": timeout\nbind 127.0.0.1:" + p + ": address-in-use\ndone\n");
  CHECK(took >= 200 * kMs);
}

TEST_CASE("socket limits: a UDP receive from a peer that never answers ends in timeout") {
  std::vector<uint8_t> bytes = load_guest("sockets_udp");
  auto silent = net::Socket::create(net::Family::ipv4, net::Proto::udp);
  REQUIRE(silent.ok());
  REQUIRE(silent->bind(net::make_socket_address(net::loopback(net::Family::ipv4), 0)).ok());
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  WasiCtx ctx;
  set_args_and_timeout(ctx, {"sockets_udp", std::to_string(port_of(*silent))}, 100);
  const uint64_t took = run_beside(loop, bytes, ctx);
  const std::string& out = ctx.out.buffer;
  CHECK_MESSAGE(out.find("ipv4 client: family ipv4, remote port matches: yes\nreceive: timeout\n") != std::string::npos,
                out);
  CHECK(out.ends_with("receive: timeout\ndone\n"));
  CHECK(took >= 100 * kMs);
}

TEST_CASE("socket limits: a listener nobody connects to reports accept: timeout") {
  WasiLimits limits;
  limits.socket_timeout_ms = 50;
  auto run = run_alone("sockets_tcp", {"sockets_tcp", "serve", "0", "1"}, limits);
  CHECK(run->code == 0);
  const std::string& out = run->ctx.out.buffer;
  REQUIRE(out.find('\n') != std::string::npos);
  CHECK(out.substr(out.find('\n') + 1) == "accept: timeout\ndone\n");
}

TEST_CASE("socket limits: progress restarts the clock; gaps under the timeout never time out") {
  HoldSetup setup(1500);
  auto& [bytes, loop_owner, srv, ctx] = setup;
  disp::Loop& loop = *loop_owner;
  constexpr int kPieces = 6;  // 6 x 300 ms: longer than one timeout in all
  loop.spawn([&] {
    auto a = net::blocking(srv, false, disp::kNever, [&] { return srv.accept(); });
    if (!a) return;
    const uint8_t piece[3] = {'a', 'b', 'c'};
    for (int i = 0; i < kPieces; ++i) {
      disp::this_fiber::sleep_for(300 * kMs);
      if (!send_all(a->socket, piece)) return;
    }
  });  // the accepted socket closes here: the guest sees the end
  const uint64_t took = run_beside(loop, bytes, ctx);
  CHECK(ctx.out.buffer == "hold: 18 bytes\nhold read: closed\ndone\n");
  CHECK(took >= 1500 * kMs);
}

TEST_CASE("fd streams: a wait timeout fails a stalled flush and readies the pollables, sticky") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  disp::FdOutputStream out(sv[0], {}, true);
  disp::FdInputStream in(sv[1]);
  out.set_wait_timeout(80 * kMs);
  in.set_wait_timeout(80 * kMs);
  std::string flush_error, read_error, write_error;
  int flush_errno = 0;
  bool pollable_ready = false;
  uint64_t flush_took = 0;
  bool steps_ok = true;
  loop.spawn([&] {
    // Nobody reads sv[1]: blocking-write-and-flush of more than the socket
    // buffers hold stalls in its flush.
    std::vector<uint8_t> big(size_t(16) << 20, 'x');
    const uint64_t t0 = disp::now_ns();
    auto f = out.write_all(big);
    flush_took = disp::now_ns() - t0;
    if (!f) return void(steps_ok = false);
    flush_error = f->error;
    flush_errno = f->os_error;
    auto again = out.check_write();  // sticky
    if (!again) return void(steps_ok = false);
    write_error = again->error;
    // The reading side: drain what came, then wait on a silent stream.
    std::vector<uint8_t> buf;
    for (;;) {
      auto r = in.read(disp::InputStream::kMaxRead, buf);
      if (!r) return void(steps_ok = false);
      if (!r->ok() || buf.empty()) break;
    }
    disp::Pollable p = in.subscribe();
    disp::Pollable* one[1] = {&p};
    auto w = disp::this_fiber::poll(one);
    pollable_ready = w.err == disp::Errc::ok && w.ready.size() == 1;
    auto r = in.read(16, buf);
    if (!r) return void(steps_ok = false);
    read_error = r->error;
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK(steps_ok);
  CHECK(flush_error == "flush: timed out, no progress within 80 ms");
  CHECK(flush_errno == ETIMEDOUT);
  CHECK(flush_took >= 80 * kMs);
  CHECK(write_error == "flush: timed out, no progress within 80 ms");
  CHECK(pollable_ready);
  CHECK(read_error == "read: timed out, no progress within 80 ms");
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST_CASE("wasi sockets: 1000 guests each hold a TCP connection at once on one dispatcher thread") {
  constexpr int kGuests = 1000;
  std::vector<uint8_t> bytes = load_guest("sockets_tcp");
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  net::Socket srv = host_listener(kGuests);
  const std::string port = std::to_string(port_of(srv));
  std::vector<std::unique_ptr<WasiCtx>> ctxs;
  std::vector<GuestOutcome> outcomes(kGuests);
  const size_t rss_before = testing::resident_bytes();
  for (int i = 0; i < kGuests; ++i) {
    ctxs.push_back(std::make_unique<WasiCtx>());
    ctxs.back()->args = {"sockets_tcp", "hold", port};
    spawn_guest(loop, bytes, *ctxs.back(), &outcomes[size_t(i)]);
  }
  size_t held = 0;
  size_t rss_held = 0;
  bool all_running = false;
  loop.spawn([&] {
    // Accept every guest's connection and keep them all open; only then
    // send each one byte and close, so all 1,000 are held at once.
    std::vector<net::Socket> conns;
    while (conns.size() < size_t(kGuests)) {
      auto a = net::blocking(srv, false, disp::kNever, [&] { return srv.accept(); });
      if (!a) return;
      conns.push_back(std::move(a->socket));
    }
    held = conns.size();
    rss_held = testing::resident_bytes();
    all_running = std::count_if(outcomes.begin(), outcomes.end(), [](const GuestOutcome& g) { return g.code == -1; }) ==
                  kGuests;
    const uint8_t one[1] = {'!'};
    for (net::Socket& c : conns) send_all(c, one);
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK(held == size_t(kGuests));
  CHECK(all_running);  // no guest had finished while the connections were held
  int ok = 0;
  std::string first_bad;
  for (size_t i = 0; i < size_t(kGuests); ++i) {
    const GuestOutcome& g = outcomes[i];
    if (g.code == 0 && g.error.empty() && ctxs[i]->out.buffer == "hold: 1 bytes\nhold read: closed\ndone\n")
      ++ok;
    else if (first_bad.empty())
      first_bad = "guest " + std::to_string(i) + ": exit " + std::to_string(g.code) + ", error '" + g.error +
                  "', stdout '" + ctxs[i]->out.buffer + "'";
  }
  CHECK_MESSAGE(ok == kGuests, first_bad);
  CHECK(loop.fiber_count() == 0);
  if (rss_before != 0 && rss_held > rss_before)
    MESSAGE("1000 guests holding a TCP connection: resident per guest (instance + fiber + 2 sockets) "
            << (rss_held - rss_before) / kGuests << " bytes");
}

TEST_CASE("fd streams: a pollable kept across progress waits again for the timeout, it does not spin") {
  // A guest may subscribe once and poll the same pollable for every read.
  // Bytes moved after the subscribe stop the clock; the kept pollable must
  // then neither turn ready at the old deadline forever (a busy loop that
  // never times out) nor wait unbounded: the next wait on it starts the
  // clock again and ends in the timeout.
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  disp::FdInputStream in(sv[1]);
  in.set_wait_timeout(60 * kMs);
  std::string read_error;
  int polls = 0;
  uint64_t waited = 0;
  loop.spawn([&] {
    disp::Pollable p = in.subscribe();  // the clock runs from here
    disp::Pollable* one[1] = {&p};
    REQUIRE(::write(sv[0], "x", 1) == 1);
    std::vector<uint8_t> buf;
    auto r = in.read(16, buf);  // progress: the clock stops
    REQUIRE((r && r->ok() && buf.size() == 1));
    disp::this_fiber::sleep_for(100 * kMs);  // past the first deadline
    const uint64_t t0 = disp::now_ns();
    while (polls < 1000) {
      ++polls;
      auto w = disp::this_fiber::poll(one);
      if (w.err != disp::Errc::ok) break;
      r = in.read(16, buf);
      if (!r || !r->ok()) break;
    }
    waited = disp::now_ns() - t0;
    if (r) read_error = r->error;
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK(read_error == "read: timed out, no progress within 60 ms");
  CHECK(polls <= 2);
  CHECK(waited >= 60 * kMs);
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST_CASE("wait clocks: an event pollable bounded by a clock turns ready when it runs out, in a fiber and outside") {
  // The shape of a DNS lookup's pollable under socket_timeout_ms: an event
  // nobody notifies, bounded by the stream's clock.
  disp::WaitClock clock(50 * kMs);
  auto ev = std::make_shared<disp::Event>();
  disp::Pollable p = disp::Pollable::on(ev).until(clock);
  CHECK(clock.end() == disp::kNever);  // stopped until a wait starts it
  CHECK_FALSE(p.ready());
  disp::Pollable* one[1] = {&p};
  // Outside a fiber (ppoll): formerly a Trap (only events); now bounded.
  uint64_t t0 = disp::now_ns();
  auto w = disp::wait_any(one);
  REQUIRE(w.ok());
  CHECK(w->size() == 1);
  CHECK(disp::now_ns() - t0 >= 50 * kMs);
  CHECK(clock.expired());
  CHECK_FALSE(ev->is_set());
  // In a fiber: progress stops the clock, the next wait starts it again.
  clock.progress();
  CHECK_FALSE(p.ready());
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  uint64_t waited = 0;
  bool notified_ready = false;
  loop.spawn([&] {
    const uint64_t t1 = disp::now_ns();
    auto r = disp::this_fiber::poll(one);
    waited = disp::now_ns() - t1;
    CHECK(r.err == disp::Errc::ok);
    CHECK(r.ready.size() == 1);
    // A notify before the clock runs out wakes the wait at once.
    clock.progress();
    loop.spawn([ev] { ev->notify(); });
    auto r2 = disp::this_fiber::poll(one);
    notified_ready = r2.err == disp::Errc::ok && r2.ready.size() == 1 && ev->is_set() && !clock.expired();
  });
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK(waited >= 50 * kMs);
  CHECK(notified_ready);
}
