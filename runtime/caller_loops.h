// caller_loops.h — the dispatcher loops that calls made outside any fiber
// run on (a Runtime without workers, an api::Instance called from plain
// threads). A loop costs far more to make than a small call (an epoll
// instance, an eventfd, a time-slice thread, an alternate signal stack), so
// the loop a thread makes for its first call is kept for its later calls.
// Contract:
//  * At most `capacity` loops are kept, one per calling thread, first come;
//    a thread beyond them (or a call from inside a kept loop's run, outside
//    any fiber) gets a loop of its own for the call's duration.
//  * A kept loop serves only the thread that made it: its alternate signal
//    stack is that thread's. It lives until the CallerLoops is destroyed.
//  * A call that does not finish (its fiber parked with nothing left to
//    wake it) takes its loop, and the fibers it left, with it.
//  * A process forked after a call inherits loops without their time-slice
//    threads (and with epoll instances shared with the parent): the child
//    leaves them alone (never destroyed: that would join threads the child
//    does not have) and makes its own.
//  * Thread-safe: the list is guarded by a mutex, held only to find, add or
//    drop a loop, never while a call runs.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.h"
#include "dispatcher/loop.h"

namespace wippy {

class CallerLoops {
 public:
  explicit CallerLoops(disp::LoopOptions opts, size_t capacity = 8) : opts_(opts), capacity_(capacity) {}
  ~CallerLoops();
  CallerLoops(const CallerLoops&) = delete;
  CallerLoops& operator=(const CallerLoops&) = delete;

  // Runs `body` on a new fiber of this thread's loop and runs the loop until
  // it has nothing left to do. `watch`, when given, sees the loop and the
  // fiber once spawned, and (nullptr, {}) once the loop has run, before any
  // loop is destroyed (an interrupt request is posted to it meanwhile).
  // Errors: no loop or fiber could be made (Exhaustion for the fiber), or
  // the body did not finish.
  Result<void> run(const std::function<void()>& body,
                   const std::function<void(disp::Loop*, disp::FiberHandle)>& watch = {});

  // How many loops are kept (for tests).
  size_t kept() const;

 private:
  struct Kept {
    std::unique_ptr<disp::Loop> loop;
    std::thread::id thread;
    pid_t pid = 0;
  };
  // This thread's kept loop, made when there is room; null when the call
  // needs a loop of its own.
  Result<disp::Loop*> find_or_make();
  void drop(disp::Loop* loop);

  const disp::LoopOptions opts_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Kept> kept_;
};

}  // namespace wippy
