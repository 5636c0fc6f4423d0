// loop_io.cpp — the Loop's epoll side: descriptor interest, event dispatch,
// timers firing, and the cross-thread post queue (an eventfd).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "dispatcher/fd_watch.h"
#include "dispatcher/fiber.h"
#include "dispatcher/loop.h"

namespace wippy::disp {

Loop::FdState& Loop::fd_state(int fd) {
  auto& slot = fds_[fd];
  if (!slot) {
    slot = std::make_unique<FdState>();
    slot->fd = fd;
  }
  return *slot;
}

Errc Loop::fd_sync(FdState& s) {
  uint32_t want = 0;
  const bool watch_read = s.watch != nullptr && s.watch->read_;
  const bool watch_write = s.watch != nullptr && s.watch->write_;
  if (!s.readers.empty() || watch_read) want |= EPOLLIN | EPOLLRDHUP;
  if (!s.writers.empty() || watch_write) want |= EPOLLOUT;
  if (want == s.registered || s.always_ready) return Errc::ok;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = s.fd;
  const int op = s.registered == 0 ? EPOLL_CTL_ADD : want == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
  int rc = epoll_ctl(epfd_, op, s.fd, &ev);
  // The descriptor may have been closed and its number reused behind our back.
  if (rc != 0 && op == EPOLL_CTL_ADD && errno == EEXIST) rc = epoll_ctl(epfd_, EPOLL_CTL_MOD, s.fd, &ev);
  if (rc != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) rc = epoll_ctl(epfd_, EPOLL_CTL_ADD, s.fd, &ev);
  if (rc != 0 && op != EPOLL_CTL_DEL) {  // a failed DEL means the kernel already dropped it
    if (errno == EPERM) {  // regular files and the like: always ready, never block
      if (s.registered != 0) --fd_interest_;
      s.registered = 0;
      s.always_ready = true;
      return Errc::ok;
    }
    return errno == EBADF ? Errc::bad_fd : Errc::system;
  }
  if (s.registered == 0 && want != 0) ++fd_interest_;
  if (s.registered != 0 && want == 0) --fd_interest_;
  s.registered = want;
  return Errc::ok;
}

void Loop::fd_maybe_erase(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  const FdState& s = *it->second;
  if (s.registered == 0 && s.readers.empty() && s.writers.empty() && s.watch == nullptr) fds_.erase(it);
}

Errc Loop::fd_link(int fd, bool write, WaitNode& n) {
  if (fd < 0) return Errc::bad_fd;
  FdState& s = fd_state(fd);
  WaitList& list = write ? s.writers : s.readers;
  list.push_back(n);
  const Errc e = fd_sync(s);
  if (e != Errc::ok) {
    list.remove(n);
    (void)fd_sync(s);
    fd_maybe_erase(fd);
    return e;
  }
  if (s.always_ready) n.fired = true;
  return Errc::ok;
}

void Loop::fd_unlink(int fd, bool write, WaitNode& n) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  FdState& s = *it->second;
  (write ? s.writers : s.readers).remove(n);
  (void)fd_sync(s);
  fd_maybe_erase(fd);
}

void Loop::poll_io(int64_t timeout_ns) {
  int n;
  for (;;) {
    if (use_pwait2_) {
      timespec ts{};
      timespec* tsp = nullptr;
      if (timeout_ns >= 0) {
        ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
        ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
        tsp = &ts;
      }
      n = epoll_pwait2(epfd_, events_, static_cast<int>(std::size(events_)), tsp, nullptr);
      if (n < 0 && errno == ENOSYS) {  // kernel before 5.11
        use_pwait2_ = false;
        continue;
      }
    } else {
      const int ms = timeout_ns < 0 ? -1
                                    : static_cast<int>(std::min<int64_t>((timeout_ns + 999999) / 1000000, INT_MAX));
      n = epoll_wait(epfd_, events_, static_cast<int>(std::size(events_)), ms);
    }
    if (n >= 0) break;
    if (errno == EINTR) return;
    std::fprintf(stderr, "wippy: epoll wait failed: %s\n", std::strerror(errno));
    std::abort();  // the loop's own epoll descriptor broke: an invariant violation
  }
  dispatch_events(n);
}

void Loop::dispatch_events(int n) {
  bool posted = false;
  for (int i = 0; i < n; ++i) {
    const uint32_t ev = events_[i].events;
    const int fd = events_[i].data.fd;
    if (fd == eventfd_) {
      posted = true;
      continue;
    }
    // Looked up per event: a callback earlier in this batch may have removed
    // (or replaced) the record.
    auto it = fds_.find(fd);
    if (it == fds_.end()) continue;
    FdState& s = *it->second;
    const bool rd = (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    const bool wr = (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
    if (rd) wake_list(s.readers);
    if (wr) wake_list(s.writers);
    if (FdWatch* w = s.watch) w->dispatch(rd, wr);  // last: may erase s
  }
  if (posted || has_posts_.load(std::memory_order_acquire)) run_posts();
}

void Loop::fire_timers() {
  if (timers_.empty()) return;
  const uint64_t now = now_ns();
  const uint64_t limit = timers_.next_seq();  // timers armed by callbacks wait for the next round
  while (TimerNode* t = timers_.top()) {
    if (t->deadline > now || t->seq >= limit) break;
    timers_.pop();
    t->fire(*t);
  }
}

void Loop::post(std::function<void()> fn) {
  bool first;
  {
    std::lock_guard<std::mutex> lk(post_mu_);
    first = posts_.empty();
    posts_.push_back(std::move(fn));
    has_posts_.store(true, std::memory_order_release);
  }
  if (first) {
    const uint64_t one = 1;
    ssize_t w = write(eventfd_, &one, sizeof one);
    (void)w;  // EAGAIN only when the counter is saturated: already signalled
  }
}

void Loop::release_ref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    const uint64_t one = 1;
    ssize_t w = write(eventfd_, &one, sizeof one);  // let a waiting run() re-check
    (void)w;
  }
}

void Loop::run_posts() {
  uint64_t count;
  ssize_t r = read(eventfd_, &count, sizeof count);
  (void)r;
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lk(post_mu_);
    batch.swap(posts_);
    has_posts_.store(false, std::memory_order_relaxed);
  }
  for (auto& fn : batch) fn();
}

}  // namespace wippy::disp
