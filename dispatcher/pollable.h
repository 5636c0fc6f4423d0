// pollable.h — things a fiber can wait for, the shape of wasi:io/poll.
// Contract: a Pollable is a deadline on the monotonic clock
// (subscribe-instant / subscribe-duration), readiness of a file descriptor,
// or a shared Event that an in-process producer sets (a pipe buffer, a
// finished future, a c-ares answer, a socket's connect state machine).
// Pollables are values: copies of an event pollable share its Event, so
// Event::notify() wakes every fiber waiting on any copy. An fd Pollable may
// hold `keep`, the owner of its descriptor, so the descriptor stays open
// (its number cannot be reused) while any pollable on it lives.
// ready_now() is THE readiness routine: Pollable::ready(), Loop::poll and
// the ppoll fallback of wait.h all decide readiness through it (one clock
// read for deadlines, one poll(2) for every descriptor, an error or hang-up
// counting as ready so the next I/O call reports it).
// An Event belongs to one thread; notify() from another thread goes
// through Loop::post. Destroying an Event while fibers wait on it aborts
// (it cannot happen through Pollables, which keep their Event alive).
// An fd or event Pollable may also be bounded by a WaitClock (until(),
// wait_clock.h): it is then also ready once that clock has run out, and a
// wait on it starts the clock if it is stopped, so the wait is bounded (a
// socket's limits.socket_timeout_ms, a DNS lookup); the I/O call that
// follows reports the timeout. The clock is shared, never copied: progress
// made after the pollable was handed out moves its deadline too.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dispatcher/clock.h"
#include "dispatcher/wait_clock.h"
#include "dispatcher/wait_list.h"

namespace wippy::disp {

class Event {
 public:
  explicit Event(bool initially_set = false) : set_(initially_set) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event();

  bool is_set() const { return set_; }
  void notify();  // become set and wake every waiting fiber
  void reset();   // become not set
  bool has_waiters() const { return !waiters_.empty(); }

 private:
  friend class Loop;
  bool set_;
  WaitList waiters_;
};

class Pollable {
 public:
  enum class Kind : uint8_t { deadline, readable, writable, event };

  static Pollable at(uint64_t mono_ns) { return Pollable(Kind::deadline, -1, mono_ns); }
  static Pollable after(uint64_t ns) { return Pollable(Kind::deadline, -1, deadline_after(ns)); }
  // Ready at once and forever (in-memory streams, regular files).
  static Pollable always() { return at(0); }
  static Pollable readable(int fd, std::shared_ptr<const void> keep = {}) {
    Pollable p(Kind::readable, fd, kNever);
    p.keep_ = std::move(keep);
    return p;
  }
  static Pollable writable(int fd, std::shared_ptr<const void> keep = {}) {
    Pollable p(Kind::writable, fd, kNever);
    p.keep_ = std::move(keep);
    return p;
  }
  static Pollable on(std::shared_ptr<Event> ev) {
    Pollable p(Kind::event, -1, kNever);
    p.event_ = std::move(ev);
    return p;
  }
  // A pollable on a new Event of its own.
  static Pollable manual(bool initially_ready = false) { return on(std::make_shared<Event>(initially_ready)); }

  // fd and event kinds: also ready once `clock` has run out (see above).
  Pollable until(WaitClock clock) && {
    if (kind_ != Kind::deadline) clock_ = std::move(clock);
    return std::move(*this);
  }

  Kind kind() const { return kind_; }
  int fd() const { return fd_; }
  // deadline kind: when it is ready (0: at once); fd and event kinds: when
  // it turns ready anyway, as its clock stands now (kNever: only when the
  // descriptor / event is).
  uint64_t deadline() const { return kind_ == Kind::deadline ? deadline_ : clock_.end(); }
  // For a wait: deadline(), after starting a stopped clock.
  uint64_t arm_deadline() const { return kind_ == Kind::deadline ? deadline_ : clock_.arm(); }
  const std::shared_ptr<Event>& event() const { return event_; }

  bool ready() const;  // never blocks (ready_now on this one pollable)

  void notify();  // event only: Event::notify
  void reset();   // event only: Event::reset

 private:
  friend class Loop;
  Pollable(Kind k, int fd, uint64_t deadline) : kind_(k), fd_(fd), deadline_(deadline) {}

  Kind kind_;
  int fd_ = -1;
  uint64_t deadline_ = 0;             // deadline kind only
  WaitClock clock_;                   // fd and event kinds: until()
  std::shared_ptr<Event> event_;      // event only
  std::shared_ptr<const void> keep_;  // fd kinds: keeps the descriptor's owner alive
};

// Appends to `out` the ascending indices of the entries of `list` that are
// ready now. Never blocks.
void ready_now(std::span<const Pollable* const> list, std::vector<uint32_t>& out);
inline void ready_now(std::span<Pollable* const> list, std::vector<uint32_t>& out) {
  ready_now(std::span<const Pollable* const>(list.data(), list.size()), out);
}

}  // namespace wippy::disp
