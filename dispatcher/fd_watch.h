// fd_watch.h — callback-driven readiness and timers, for resolver libraries.
// Contract: this is the c-ares integration point. c-ares reports, through
// its socket-state callback, which sockets it wants watched for reading
// and/or writing, and through ares_timeout() when it next needs servicing.
// An FdWatch maps the first (set_interest per socket; the callback gets
// which directions are ready and then calls ares_process_fd), a LoopTimer
// the second. Callbacks run in the loop context (never inside a fiber, so
// they must not block), level-triggered: again on every loop iteration while
// the socket stays ready and interest remains. The resolving fiber itself
// parks on a manual Pollable that the c-ares completion callback notifies,
// so only that fiber waits. Both objects belong to the loop's thread, must
// be destroyed before the Loop, and may be destroyed from their own
// callback. At most one FdWatch per descriptor.
#pragma once
#include <cstdint>
#include <functional>

#include "dispatcher/errc.h"
#include "dispatcher/timer_heap.h"

namespace wippy::disp {

class Loop;

class FdWatch {
 public:
  using Callback = std::function<void(int fd, bool readable, bool writable)>;
  FdWatch(Loop& loop, int fd, Callback cb) : loop_(loop), fd_(fd), cb_(std::move(cb)) {}
  ~FdWatch() { (void)set_interest(false, false); }
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;

  // (false, false) stops watching. Errc::system if another FdWatch already
  // watches this descriptor; bad_fd if it is not open.
  Errc set_interest(bool read, bool write);
  int fd() const { return fd_; }
  bool wants_read() const { return read_; }
  bool wants_write() const { return write_; }

 private:
  friend class Loop;
  void dispatch(bool readable, bool writable);

  Loop& loop_;
  int fd_;
  Callback cb_;
  bool read_ = false;
  bool write_ = false;
  bool attached_ = false;
};

class LoopTimer {
 public:
  LoopTimer(Loop& loop, std::function<void()> cb);
  ~LoopTimer() { disarm(); }
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;

  void arm(uint64_t mono_ns);  // (re)arms; fires once at mono_ns
  void disarm();
  bool armed() const { return node_.queued(); }

 private:
  static void fired(TimerNode& t);

  Loop& loop_;
  std::function<void()> cb_;
  TimerNode node_;
};

}  // namespace wippy::disp
