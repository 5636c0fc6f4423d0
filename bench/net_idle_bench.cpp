// net_idle_bench.cpp — net-idle-bench: the memory an idle TCP connection
// costs, at N connections held at once (default 1000). Reported, never
// asserted.
//   net-idle-bench [connections] [GUEST_DIR]
// Each way is measured in a child process of its own (fork), as the growth
// of the resident set from just before the connections are made to when all
// N are open and idle; divided by N:
//  * native:  N blocking sockets, one thread each parked in recv(2) (the
//             thread-per-connection C client);
//  * net/:    N net::Socket clients, one dispatcher fiber each parked in
//             wait_readable on one loop;
//  * guests:  N sockets_tcp "hold" guests (tests/guests, from GUEST_DIR,
//             default <build>/tests/guests), each its own Store, WasiCtx and
//             fiber, parked in a poll on its input stream.
// The server side is the same in all three (one loop in the child accepting
// on 127.0.0.1 and holding the accepted sockets) and is included. Kernel
// socket buffers are not in the resident set; the figure is what user space
// pays per connection.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "exe_dir.h"
#include "hostfns/wasi.h"
#include "net/socket.h"
#include "tests/unit/loop_or_exit.h"
#include "tests/unit/resident.h"  // shared with the unit tests

using namespace wippy;
using wippy::testing::resident_bytes;

namespace {

net::Socket must_listen(uint32_t backlog) {
  auto s = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
  if (!s || !s->bind(net::make_socket_address(net::loopback(net::Family::ipv4), 0)) || !s->listen(backlog)) {
    std::fprintf(stderr, "net-idle-bench: cannot listen on 127.0.0.1\n");
    std::exit(1);
  }
  return std::move(*s);
}

// Accepts n connections on `srv` (a fiber of the current loop), holds them
// until `release` is set, then closes them all. Calls on_all once all n
// are open.
void accept_and_hold(net::Socket& srv, size_t n, const std::function<void()>& on_all) {
  std::vector<net::Socket> conns;
  conns.reserve(n);
  while (conns.size() < n) {
    auto a = net::blocking(srv, false, disp::kNever, [&] { return srv.accept(); });
    if (!a) return;
    conns.push_back(std::move(a->socket));
  }
  on_all();
}  // closing them wakes every client with end of stream

// native: one blocking thread per connection, parked in recv.
long native(size_t n) {
  net::Socket srv = must_listen(uint32_t(n));
  const net::SocketAddress addr = *srv.local_address();
  const size_t before = resident_bytes();
  std::atomic<size_t> connected{0};
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (size_t i = 0; i < n; ++i)
    threads.emplace_back([&] {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_storage ss{};
      socklen_t len = net::to_sockaddr(addr, ss);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) std::exit(1);
      ++connected;
      char b;
      while (::recv(fd, &b, 1, 0) > 0) {
      }
      ::close(fd);
    });
  long per = -1;
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  loop.spawn([&] {
    accept_and_hold(srv, n, [&] {
      while (connected.load() < n) disp::this_fiber::sleep_for(1000000);
      per = long((resident_bytes() - before) / n);
    });
  });
  loop.run();
  for (auto& t : threads) t.join();
  return per;
}

// net/: one fiber per client socket, parked in wait_readable.
long fibers(size_t n) {
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  net::Socket srv = must_listen(uint32_t(n));
  const net::SocketAddress addr = *srv.local_address();
  const size_t before = resident_bytes();
  size_t connected = 0;
  for (size_t i = 0; i < n; ++i)
    loop.spawn([&] {
      auto c = net::Socket::create(net::Family::ipv4, net::Proto::tcp);
      if (!c || !c->connect(addr)) std::exit(1);
      ++connected;
      uint8_t b[1];
      while (true) {
        auto r = net::blocking(*c, false, disp::kNever, [&] { return c->read(b); });
        if (!r || *r == 0) return;
      }
    });
  long per = -1;
  loop.spawn([&] {
    accept_and_hold(srv, n, [&] {
      while (connected < n) disp::this_fiber::sleep_for(1000000);
      per = long((resident_bytes() - before) / n);
    });
  });
  loop.run();
  return per;
}

// guests: the sockets_tcp guest in "hold" mode, one per connection.
long guests(size_t n, const std::vector<uint8_t>& wasm) {
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  net::Socket srv = must_listen(uint32_t(n));
  const std::string port = std::to_string(net::port_of(*srv.local_address()));
  struct Run {
    hostfns::WasiCtx ctx;
    int code = -1;
  };
  std::vector<std::unique_ptr<Run>> runs;
  const size_t before = resident_bytes();
  for (size_t i = 0; i < n; ++i) {
    runs.push_back(std::make_unique<Run>());
    Run& run = *runs.back();
    run.ctx.args = {"sockets_tcp", "hold", port};
    loop.spawn([&run, &wasm] {
      Store store;
      auto r = hostfns::run_wasi_command(store, wasm, run.ctx);
      if (r.ok()) run.code = *r;
    });
  }
  long per = -1;
  loop.spawn([&] {
    // Every guest has connected once the server holds n connections; a
    // short pause lets the last ones park in their poll.
    accept_and_hold(srv, n, [&] {
      disp::this_fiber::sleep_for(50 * 1000000);
      per = long((resident_bytes() - before) / n);
    });
  });
  loop.run();
  for (const auto& r : runs)
    if (r->code != 0 || r->ctx.out.buffer != "hold: 0 bytes\nhold read: closed\ndone\n") return -1;
  return per;
}

// Runs fn in a child process; its result comes back through a pipe.
long in_child(const std::function<long()>& fn) {
  int p[2];
  if (::pipe(p) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    const long v = fn();
    if (::write(p[1], &v, sizeof v) != sizeof v) _exit(1);
    _exit(0);
  }
  ::close(p[1]);
  long v = -1;
  if (::read(p[0], &v, sizeof v) != sizeof v) v = -1;
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? size_t(std::strtoul(argv[1], nullptr, 10)) : 1000;
  const std::string dir = argc > 2 ? argv[2] : bench::exe_dir() + "/../tests/guests";
  std::ifstream f(dir + "/sockets_tcp.component.wasm", std::ios::binary);
  if (!f || n == 0) {
    std::fprintf(stderr, "usage: net-idle-bench [connections] [GUEST_DIR with sockets_tcp.component.wasm]\n");
    return 1;
  }
  const std::vector<uint8_t> wasm((std::istreambuf_iterator<char>(f)), {});
  std::printf("idle TCP connections on 127.0.0.1: resident bytes per connection at %zu held at once\n", n);
  std::printf("  native: thread per connection, recv   %8ld\n", in_child([n] { return native(n); }));
  std::printf("  net/: fiber per connection, one loop  %8ld\n", in_child([n] { return fibers(n); }));
  const long g = in_child([n, &wasm] { return guests(n, wasm); });
  if (g < 0) {
    std::printf("  guests: FAIL (a guest did not hold and close as expected)\n");
    return 1;
  }
  std::printf("  sockets_tcp guest per connection       %8ld\n", g);
  return 0;
}
