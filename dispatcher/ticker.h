// ticker.h — the time-slice watchdog thread of one Loop (no signals).
// Contract: the loop publishes, at every switch, the running fiber and a
// switch counter in SliceShared (two relaxed stores). A Ticker thread wakes
// every `tick_ns` and, holding SliceShared::mu, looks at the running fiber:
// if the counter has not moved for at least `slice_ns` (slice_ns > 0), or the
// fiber's deadline has passed, it raises the fiber's should-yield flag (and
// its attached external flag). The interpreter polls that flag and calls its
// hook, which yields or ends the call. The loop frees fibers only while
// holding SliceShared::mu, so the fiber the ticker inspects is alive.
// An idle loop (outside run(), or blocked waiting for events) has no fiber
// to watch: once the ticker has seen it idle for kParkAfterNs it parks,
// waking no more, until the loop reports itself active (wake_if_parked, a
// seq_cst flag pair, so a wake-up is never lost). Destruction stops and
// joins the thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace wippy::disp {

struct Fiber;

struct SliceShared {
  std::mutex mu;
  std::atomic<Fiber*> running{nullptr};
  std::atomic<uint64_t> epoch{0};
  std::atomic<bool> idle{true};  // the loop is outside run() or blocked waiting
};

class Ticker {
 public:
  Ticker(SliceShared& shared, uint64_t slice_ns, uint64_t tick_ns);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // How long the loop stays idle before the ticker parks.
  static constexpr uint64_t kParkAfterNs = 50'000'000;
  // Called by the loop after it stored SliceShared::idle = false.
  void wake_if_parked();
  bool parked() const { return parked_.load(std::memory_order_acquire); }

 private:
  void main();

  SliceShared& shared_;
  const uint64_t slice_ns_;
  const uint64_t tick_ns_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by shared_.mu
  std::atomic<bool> parked_{false};  // set by the ticker, cleared under shared_.mu
  std::thread thread_;
};

}  // namespace wippy::disp
