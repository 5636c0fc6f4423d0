// net_bench.cpp — net-bench: loopback TCP through net/ (fibers on one
// dispatcher loop) against native blocking sockets on threads, in the same
// run. Reported, never asserted.
//   net-bench [MiB] [connections]     defaults: 256 MiB echoed, 5000 connects
// echo: a client streams MiB bytes to an echo server and reads them back
// (writer and reader concurrently); MiB/s of payload echoed.
// connect: connect + close of a fresh socket against an accepting server;
// connections per second. The net/ run is repeated with a connecting fiber
// that never yields when a connect needs no wait (as net::blocking did
// before): it fills the listener's backlog before the acceptor runs, and
// each overflowing SYN waits 1 s for its retransmit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "net/socket.h"
#include "tests/unit/loop_or_exit.h"

using namespace wippy;
using net::Socket;

namespace {

constexpr size_t kChunk = 64 * 1024;

double seconds_since(uint64_t t0) { return double(disp::now_ns() - t0) / 1e9; }

Socket must_listen() {
  auto s = Socket::create(net::Family::ipv4, net::Proto::tcp);
  if (!s || !s->bind(net::make_socket_address(net::loopback(net::Family::ipv4), 0)) || !s->listen(1024)) {
    std::fprintf(stderr, "net-bench: cannot listen on 127.0.0.1\n");
    std::exit(1);
  }
  return std::move(*s);
}

bool write_all(Socket& s, const uint8_t* p, size_t n) {
  while (n > 0) {
    auto w = net::blocking(s, true, disp::kNever, [&] { return s.write({p, n}); });
    if (!w) return false;
    p += *w;
    n -= *w;
  }
  return true;
}

double net_echo(size_t total) {
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  Socket server = must_listen();
  const net::SocketAddress addr = *server.local_address();
  double secs = 0;
  loop.spawn([&] {
    auto a = net::blocking(server, false, disp::kNever, [&] { return server.accept(); });
    if (!a) return;
    std::vector<uint8_t> buf(kChunk);
    for (;;) {
      auto n = net::blocking(a->socket, false, disp::kNever, [&] { return a->socket.read(buf); });
      if (!n || *n == 0 || !write_all(a->socket, buf.data(), *n)) break;
    }
  });
  loop.spawn([&] {
    auto s = Socket::create(net::Family::ipv4, net::Proto::tcp);
    if (!s || !s->connect(addr)) return;
    Socket& c = *s;
    const uint64_t t0 = disp::now_ns();
    auto writer = disp::Loop::current()->spawn([&] {
      std::vector<uint8_t> buf(kChunk, 'x');
      for (size_t sent = 0; sent < total; sent += kChunk)
        if (!write_all(c, buf.data(), std::min(kChunk, total - sent))) return;
      (void)c.shutdown(false, true);
    });
    std::vector<uint8_t> buf(kChunk);
    size_t got = 0;
    while (got < total) {
      auto n = net::blocking(c, false, disp::kNever, [&] { return c.read(buf); });
      if (!n || *n == 0) break;
      got += *n;
    }
    disp::this_fiber::join(writer);
    secs = seconds_since(t0);
  });
  loop.run();
  return double(total) / (1 << 20) / secs;
}

// A connect that never yields to the loop when it needs no wait: what
// net::blocking did before it yielded once per call (see socket.h).
net::NetResult<void> connect_without_yield(Socket& s, const net::SocketAddress& to) {
  auto started = s.start_connect(to);
  if (!started) return started.error();
  if (*started) return {};
  for (;;) {
    auto r = s.finish_connect();
    if (r.ok() || r.error() != net::ErrorCode::would_block) return r;
    if (auto w = s.wait_writable(); !w) return w.error();
  }
}

// yielding = false: the connecting fiber uses connect_without_yield.
double net_connects(int count, bool yielding = true) {
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  Socket server = must_listen();
  const net::SocketAddress addr = *server.local_address();
  double secs = 0;
  auto acceptor = loop.spawn([&] {
    for (;;) {
      auto a = net::blocking(server, false, disp::kNever, [&] { return server.accept(); });
      if (!a) return;  // cancelled
    }
  });
  loop.spawn([&] {
    const uint64_t t0 = disp::now_ns();
    for (int i = 0; i < count; ++i) {
      auto s = Socket::create(net::Family::ipv4, net::Proto::tcp);
      if (!s || !(yielding ? s->connect(addr) : connect_without_yield(*s, addr))) {
        std::fprintf(stderr, "net-bench: connect %d failed\n", i);
        break;
      }
    }
    secs = seconds_since(t0);
    disp::Loop::current()->cancel(acceptor);
  });
  loop.run();
  return count / secs;
}

// ---- native: blocking sockets, one thread per side ------------------------

int native_listen(sockaddr_in& addr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 1024) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "net-bench: native listen failed\n");
    std::exit(1);
  }
  return fd;
}

bool native_write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

double native_echo(size_t total) {
  sockaddr_in addr;
  int lfd = native_listen(addr);
  std::thread server([lfd] {
    int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    std::vector<uint8_t> buf(kChunk);
    for (;;) {
      ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
      if (n <= 0 || !native_write_all(c, buf.data(), size_t(n))) break;
    }
    ::close(c);
  });
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::exit(1);
  const uint64_t t0 = disp::now_ns();
  std::thread writer([c, total] {
    std::vector<uint8_t> buf(kChunk, 'x');
    for (size_t sent = 0; sent < total; sent += kChunk)
      if (!native_write_all(c, buf.data(), std::min(kChunk, total - sent))) return;
    ::shutdown(c, SHUT_WR);
  });
  std::vector<uint8_t> buf(kChunk);
  size_t got = 0;
  while (got < total) {
    ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    got += size_t(n);
  }
  writer.join();
  const double secs = seconds_since(t0);
  ::close(c);
  server.join();
  ::close(lfd);
  return double(total) / (1 << 20) / secs;
}

double native_connects(int count) {
  sockaddr_in addr;
  int lfd = native_listen(addr);
  std::thread server([lfd, count] {
    for (int i = 0; i < count; ++i) {
      int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      ::close(c);
    }
  });
  const uint64_t t0 = disp::now_ns();
  for (int i = 0; i < count; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::fprintf(stderr, "net-bench: native connect %d failed\n", i);
      ::close(c);
      break;
    }
    ::close(c);
  }
  const double secs = seconds_since(t0);
  server.join();
  ::close(lfd);
  return count / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const int conns = argc > 2 ? std::atoi(argv[2]) : 5000;
  const size_t total = mib << 20;
  std::printf("loopback TCP echo, %zu MiB each way:\n", mib);
  std::printf("  net/ (fibers, one loop thread)  %8.1f MiB/s\n", net_echo(total));
  std::printf("  native (blocking, 3 threads)    %8.1f MiB/s\n", native_echo(total));
  std::printf("connect+close, %d connections:\n", conns);
  std::printf("  net/ (fibers, one loop thread)  %8.0f /s\n", net_connects(conns));
  std::printf("  net/, connects never yielding   %8.0f /s   (before net::blocking yielded)\n",
              net_connects(conns, false));
  std::printf("  native (blocking, 2 threads)    %8.0f /s\n", native_connects(conns));
  return 0;
}
