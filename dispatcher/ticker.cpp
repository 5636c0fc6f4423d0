// ticker.cpp — the watchdog loop that raises should-yield flags.
#include "dispatcher/ticker.h"

#include <chrono>

#include "dispatcher/clock.h"
#include "dispatcher/fiber.h"

namespace wippy::disp {

Ticker::Ticker(SliceShared& shared, uint64_t slice_ns, uint64_t tick_ns)
    : shared_(shared), slice_ns_(slice_ns), tick_ns_(tick_ns == 0 ? 1000000 : tick_ns),
      thread_([this] { main(); }) {}

Ticker::~Ticker() {
  {
    std::lock_guard<std::mutex> lk(shared_.mu);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Ticker::wake_if_parked() {
  if (!parked_.load(std::memory_order_seq_cst)) return;
  {
    std::lock_guard<std::mutex> lk(shared_.mu);
    parked_.store(false, std::memory_order_relaxed);
  }
  cv_.notify_all();
}

void Ticker::main() {
  std::unique_lock<std::mutex> lk(shared_.mu);
  uint64_t last_epoch = ~uint64_t{0};
  uint64_t seen_since = 0;  // when this ticker first saw the current epoch
  uint64_t idle_since = 0;  // when this ticker first saw the loop idle (0: not idle)
  while (!stop_) {
    cv_.wait_for(lk, std::chrono::nanoseconds(tick_ns_));
    if (stop_) break;
    if (shared_.idle.load(std::memory_order_acquire)) {
      const uint64_t now = now_ns();
      if (idle_since == 0) idle_since = now;
      if (now - idle_since < kParkAfterNs) continue;
      // Park. The loop stores idle = false before it reads parked_, and this
      // thread stores parked_ before it reads idle again (both seq_cst): one
      // of the two sees the other, so the loop cannot turn active unseen.
      parked_.store(true, std::memory_order_seq_cst);
      if (shared_.idle.load(std::memory_order_seq_cst))
        cv_.wait(lk, [&] { return stop_ || !parked_.load(std::memory_order_relaxed); });
      parked_.store(false, std::memory_order_relaxed);
      idle_since = 0;
      last_epoch = ~uint64_t{0};  // measure the next slice afresh
      continue;
    }
    idle_since = 0;
    Fiber* f = shared_.running.load(std::memory_order_acquire);
    const uint64_t epoch = shared_.epoch.load(std::memory_order_relaxed);
    const uint64_t now = now_ns();
    if (f == nullptr || epoch != last_epoch) {
      // A switch happened since the last look: the running fiber has been
      // running at most since now. Measuring from here under-estimates, so
      // a flag is never raised early.
      last_epoch = epoch;
      seen_since = now;
      if (f == nullptr) continue;
    }
    bool raise = slice_ns_ != 0 && now - seen_since >= slice_ns_;
    const uint64_t dl = f->deadline.load(std::memory_order_relaxed);
    if (dl != 0 && now >= dl) raise = true;
    if (raise) raise_yield_flag(*f);
  }
}

}  // namespace wippy::disp
