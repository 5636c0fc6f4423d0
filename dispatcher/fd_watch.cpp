// fd_watch.cpp — FdWatch and LoopTimer on top of the Loop's fd table and
// timer heap.
#include "dispatcher/fd_watch.h"

#include "dispatcher/loop.h"

namespace wippy::disp {

Errc FdWatch::set_interest(bool read, bool write) {
  if (!read && !write) {
    if (!attached_) return Errc::ok;
    read_ = write_ = false;
    auto it = loop_.fds_.find(fd_);
    if (it != loop_.fds_.end()) {
      it->second->watch = nullptr;
      (void)loop_.fd_sync(*it->second);
      loop_.fd_maybe_erase(fd_);
    }
    attached_ = false;
    return Errc::ok;
  }
  if (fd_ < 0) return Errc::bad_fd;
  Loop::FdState& s = loop_.fd_state(fd_);
  if (s.watch != nullptr && s.watch != this) return Errc::system;
  s.watch = this;
  attached_ = true;
  const bool old_read = read_, old_write = write_;
  read_ = read;
  write_ = write;
  const Errc e = loop_.fd_sync(s);
  if (e != Errc::ok) {
    read_ = old_read;
    write_ = old_write;
    if (!read_ && !write_) {
      s.watch = nullptr;
      attached_ = false;
    }
    (void)loop_.fd_sync(s);
    loop_.fd_maybe_erase(fd_);
  }
  return e;
}

void FdWatch::dispatch(bool readable, bool writable) {
  const bool r = readable && read_;
  const bool w = writable && write_;
  if (r || w) cb_(fd_, r, w);  // may destroy *this
}

LoopTimer::LoopTimer(Loop& loop, std::function<void()> cb) : loop_(loop), cb_(std::move(cb)) {
  node_.owner = this;
  node_.fire = &LoopTimer::fired;
}

void LoopTimer::arm(uint64_t mono_ns) {
  loop_.timers_.remove(node_);
  loop_.timers_.push(node_, mono_ns);
}

void LoopTimer::disarm() {
  if (node_.queued()) loop_.timers_.remove(node_);  // an unarmed timer touches no loop
}

void LoopTimer::fired(TimerNode& t) {
  auto* self = static_cast<LoopTimer*>(t.owner);
  self->cb_();  // may destroy or re-arm *self
}

}  // namespace wippy::disp
