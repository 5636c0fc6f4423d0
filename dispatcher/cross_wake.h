// cross_wake.h — a wake-up one thread signals and another waits for (a
// call handed to a worker thread and its caller, say), with no system
// call beyond what the waker's post and a futex need.
// Contract:
//  * A CrossWake is made by the waiting side, on the thread that will
//    wait(): inside a fiber it belongs to that fiber's loop, which it keeps
//    from reporting Stalled (Loop::add_ref) until wait() returns.
//  * signal() may be called once, from any thread.
//  * wait() returns once signal() has happened (before or during it). In a
//    fiber it parks only that fiber (the loop is woken by a post); outside
//    one it blocks the thread on a futex, after watching the flag for up to
//    `spin_ns` (a short call handed to a thread on another core answers
//    sooner than a futex sleep and wake-up take). It never returns early:
//    when the fiber is cancelled or past its deadline it blocks the thread instead,
//    because the signalling side may use the waiter's data until it
//    signals.
#pragma once
#include <cstdint>
#include <memory>

namespace wippy::disp {

class Loop;

class CrossWake {
 public:
  CrossWake();
  ~CrossWake();
  CrossWake(const CrossWake&) = delete;
  CrossWake& operator=(const CrossWake&) = delete;

  void signal();
  void wait(uint64_t spin_ns = 0);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // also held by the post that wakes the fiber
  Loop* loop_ = nullptr;            // the waiting fiber's loop; null: a plain thread
  bool waited_ = false;
};

}  // namespace wippy::disp
