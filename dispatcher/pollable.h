// pollable.h — things a fiber can wait for, the shape of wasi:io/poll.
// Contract: a Pollable is a deadline on the monotonic clock
// (subscribe-instant / subscribe-duration), readiness of a file descriptor,
// or a manual condition set by notify() (for in-process producers: a pipe
// buffer, a finished future, a c-ares answer). ready() never blocks.
// Loop::block / Loop::poll (and this_fiber::block / poll) park the calling
// fiber until one is ready. A Pollable must outlive every wait on it and
// belongs to one thread; notify() from another thread goes through
// Loop::post. It may be moved only while no fiber waits on it. An fd
// Pollable does not own its descriptor.
#pragma once
#include <cstdint>

#include "dispatcher/clock.h"
#include "dispatcher/wait_list.h"

namespace wippy::disp {

class Pollable {
 public:
  enum class Kind : uint8_t { deadline, readable, writable, manual };

  static Pollable at(uint64_t mono_ns) { return Pollable(Kind::deadline, -1, mono_ns); }
  static Pollable after(uint64_t ns) { return Pollable(Kind::deadline, -1, deadline_after(ns)); }
  static Pollable readable(int fd) { return Pollable(Kind::readable, fd, 0); }
  static Pollable writable(int fd) { return Pollable(Kind::writable, fd, 0); }
  static Pollable manual(bool initially_ready = false) {
    Pollable p(Kind::manual, -1, 0);
    p.set_ = initially_ready;
    return p;
  }

  Pollable(Pollable&& o) noexcept;
  Pollable& operator=(Pollable&& o) noexcept;
  Pollable(const Pollable&) = delete;
  Pollable& operator=(const Pollable&) = delete;
  ~Pollable();

  Kind kind() const { return kind_; }
  int fd() const { return fd_; }
  uint64_t deadline() const { return deadline_; }
  bool has_waiters() const { return !waiters_.empty(); }

  // Deadline: now >= deadline. Fd: poll(2) with zero timeout reports the
  // direction (or an error / hang-up, so the next I/O call sees it).
  // Manual: notify() was called and reset() has not been since.
  bool ready() const;

  void notify();  // manual only: become ready and wake every waiting fiber
  void reset();   // manual only: become not ready

 private:
  friend class Loop;
  Pollable(Kind k, int fd, uint64_t deadline) : kind_(k), fd_(fd), deadline_(deadline) {}

  Kind kind_;
  bool set_ = false;
  int fd_ = -1;
  uint64_t deadline_ = 0;
  WaitList waiters_;  // manual only
};

}  // namespace wippy::disp
