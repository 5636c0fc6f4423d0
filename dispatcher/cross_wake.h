// cross_wake.h — a wake-up one thread signals and another waits for (a
// call handed to a worker thread and its caller, say).
// Contract:
//  * make() creates one on an eventfd (an error when none can be opened).
//  * signal() may be called from any thread, any number of times; a
//    wait() returns once at least one signal() happened since the last
//    wait() returned (signals before wait() count).
//  * wait() in a fiber parks only that fiber; outside one it blocks the
//    thread. It returns only after a signal, even when the fiber is
//    cancelled or past its deadline (then it blocks the thread): the
//    signalling side may still be using the waiter's data until it signals.
#pragma once
#include "interp/result.h"

namespace wippy::disp {

class CrossWake {
 public:
  static Result<CrossWake> make();
  CrossWake(CrossWake&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  CrossWake& operator=(CrossWake&& o) noexcept;
  CrossWake(const CrossWake&) = delete;
  CrossWake& operator=(const CrossWake&) = delete;
  ~CrossWake();

  void signal();
  void wait();

 private:
  explicit CrossWake(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace wippy::disp
