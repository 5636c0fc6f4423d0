// socket_guest_run.h — what the wasi:sockets unit tests (test_net_wasi.cpp,
// test_net_limits.cpp) share: a host TCP listener on 127.0.0.1, and a WASI
// command guest run in a fiber of a dispatcher loop beside host peers.
// spawn_guest() only spawns (the outcome is filled in when the guest
// ends; on_done then runs, e.g. to cancel a peer fiber); run_guest() runs
// the loop until every fiber is done and CHECKs that it finished and the
// call itself did not fail (a trap or an error, not an exit status).
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "hostfns/wasi.h"
#include "net/socket.h"

namespace wippy::testing {

// A listening TCP socket on 127.0.0.1, any port.
inline net::Socket host_listener(uint32_t backlog = 16) {
  auto srv = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
  REQUIRE(srv.ok());
  REQUIRE(srv->bind(net::make_socket_address(net::loopback(net::Family::ipv4), 0)).ok());
  REQUIRE(srv->listen(backlog).ok());
  return std::move(*srv);
}

inline uint16_t port_of(const net::Socket& s) { return net::port_of(*s.local_address()); }

struct GuestOutcome {
  int code = -1;        // the exit status, when the call returned
  std::string error;    // the call's failure, if any
  uint64_t took = 0;    // the call's duration, ns
};

// `bytes`, `ctx` and `out` must outlive the loop's run.
inline void spawn_guest(disp::Loop& loop, const std::vector<uint8_t>& bytes, hostfns::WasiCtx& ctx,
                        GuestOutcome* out, std::function<void()> on_done = {}) {
  loop.spawn([&bytes, &ctx, out, on_done = std::move(on_done)] {
    const uint64_t t0 = disp::now_ns();
    Store store;
    auto r = hostfns::run_wasi_command(store, bytes, ctx);
    out->took = disp::now_ns() - t0;
    if (r.ok()) out->code = *r;
    else out->error = r.error().message;
    if (on_done) on_done();
  });
}

inline GuestOutcome run_guest(disp::Loop& loop, const std::vector<uint8_t>& bytes, hostfns::WasiCtx& ctx,
                              std::function<void()> on_done = {}) {
  GuestOutcome out;
  spawn_guest(loop, bytes, ctx, &out, std::move(on_done));
  CHECK(loop.run() == disp::RunResult::finished);
  CHECK_MESSAGE(out.error.empty(), out.error);
  return out;
}

}  // namespace wippy::testing
