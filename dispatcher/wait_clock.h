// wait_clock.h — the no-progress clock of a wait timeout (a socket's
// limits.socket_timeout_ms), shared by an I/O object and its pollables.
// Contract: a WaitClock is a handle; copies share one clock, so a Pollable
// bounded by it (Pollable::until) always sees the clock as it is now, not
// as it was when the pollable was made. Default-constructed (or with a
// timeout of 0) it has no timeout: it never runs, never expires, and
// allocates nothing. arm() starts the clock unless it runs and returns its
// end; progress() (bytes moved, a connection made) stops it; expired() is
// true once a running clock has reached its end. A wait on a pollable
// bounded by a stopped clock arms it (Loop::poll, wait_any), so a pollable
// kept across progress waits a full timeout again instead of turning ready
// at a stale deadline. One thread.
#pragma once
#include <cstdint>
#include <memory>

#include "dispatcher/clock.h"

namespace wippy::disp {

class WaitClock {
 public:
  WaitClock() = default;
  explicit WaitClock(uint64_t timeout_ns) { set_timeout(timeout_ns); }

  // ns == 0: no timeout. Sets the shared clock's timeout (stopping it).
  void set_timeout(uint64_t ns) {
    if (ns == 0 && !state_) return;
    if (!state_) state_ = std::make_shared<State>();
    state_->timeout_ns = ns;
    state_->end = kNever;
  }
  uint64_t timeout() const { return state_ ? state_->timeout_ns : 0; }
  // Starts the clock unless it runs; returns its end (kNever: no timeout).
  uint64_t arm() const {
    if (!state_ || state_->timeout_ns == 0) return kNever;
    if (state_->end == kNever) state_->end = deadline_after(state_->timeout_ns);
    return state_->end;
  }
  // The running clock's end; kNever when stopped or without a timeout.
  uint64_t end() const { return state_ ? state_->end : kNever; }
  void progress() const {
    if (state_) state_->end = kNever;
  }
  bool expired() const {
    const uint64_t e = end();
    return e != kNever && now_ns() >= e;
  }

 private:
  struct State {
    uint64_t timeout_ns = 0;
    uint64_t end = kNever;
  };
  std::shared_ptr<State> state_;
};

}  // namespace wippy::disp
