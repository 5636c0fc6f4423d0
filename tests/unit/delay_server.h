// delay_server.h — a loopback HTTP/1.1 server (TestServer of
// test_http_server.h) that holds requests and counts how many it holds at
// once; for the many-guests wasi:http test and `wippy-bench http-guests`.
// Contract: every request on a connection (keep-alive) is answered
// "200, Content-Length: 8, delayed\n" after it has waited until `gather`
// requests were held together — or 60 s passed, so a host that never gets
// there fails a test instead of hanging it — and then `delay_ms`.
// most() is the most requests held at one moment, served() how many were
// answered. gather 1: a plain delay.
#pragma once
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "test_http_server.h"

namespace wippy::testing {

class DelayServer {
 public:
  DelayServer(int gather, int delay_ms)
      : gather_(gather), delay_ms_(delay_ms), server_([this](ServerConn& c) { serve(c); }) {}

  uint16_t port() const { return server_.port(); }
  int accepts() const { return server_.accepts(); }
  int most() {
    std::lock_guard<std::mutex> lk(mu_);
    return most_;
  }
  int served() {
    std::lock_guard<std::mutex> lk(mu_);
    return served_;
  }
  void reset_counts() {
    std::lock_guard<std::mutex> lk(mu_);
    most_ = held_;
    served_ = 0;
  }

 private:
  void serve(ServerConn& c) {
    for (;;) {
      if (c.read_head().empty()) return;
      {
        std::unique_lock<std::mutex> lk(mu_);
        most_ = std::max(most_, ++held_);
        cv_.notify_all();
        cv_.wait_for(lk, std::chrono::seconds(60), [this] { return most_ >= gather_; });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
      {
        std::lock_guard<std::mutex> lk(mu_);
        --held_;
        ++served_;
      }
      if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ndelayed\n")) return;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = 0, most_ = 0, served_ = 0;
  const int gather_, delay_ms_;
  TestServer server_;  // last: its threads use the members above
};

}  // namespace wippy::testing
