// fd_stream.cpp — FdInputStream / FdOutputStream (see fd_stream.h).
#include "dispatcher/fd_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "dispatcher/wait.h"

namespace wippy::disp {

namespace {

bool fd_writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, 0) > 0;  // POLLERR/POLLHUP count: the next write reports them
}

bool peer_gone(int err) { return err == EPIPE || err == ECONNRESET; }

// Writes data[done..len) until all is written or the descriptor would
// block; 0, or the errno that stopped it.
int write_some(int fd, bool socket, const char* data, size_t len, size_t& done) {
  while (done < len) {
    ssize_t n = socket ? ::send(fd, data + done, len - done, MSG_NOSIGNAL) : ::write(fd, data + done, len - done);
    if (n >= 0) {
      done += size_t(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return errno;
  }
  return 0;
}

}  // namespace

StreamOutcome timed_out(const WaitClock& clock, const char* op) {
  return StreamOutcome::failed(fmt::format("{}: timed out, no progress within {} ms", op, clock.timeout() / 1000000),
                               ETIMEDOUT);
}

Result<StreamOutcome> FdInputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  out.clear();
  if (closed_) return StreamOutcome::closed();
  if (!error_.ok()) return error_;
  if (len == 0) return StreamOutcome::done();
  // Nothing to read now: a timed-out wait fails the stream.
  auto nothing = [this, &out]() -> StreamOutcome {
    out.clear();
    if (clock_.expired()) return error_ = timed_out(clock_, "read");
    return StreamOutcome::done();
  };
  out.resize(size_t(std::min(len, kMaxRead)));
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return nothing();  // (a blocking descriptor must not block the thread)
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n > 0) {
      out.resize(size_t(n));
      clock_.progress();
      return StreamOutcome::done(uint64_t(n));
    }
    if (n < 0 && errno == EINTR) continue;
    int err = n < 0 ? errno : 0;
    out.clear();
    if (n == 0 || peer_gone(err)) return StreamOutcome::closed();
    if (err == EAGAIN || err == EWOULDBLOCK) return nothing();
    return StreamOutcome::failed("read", err);
  }
}

FdOutputStream::~FdOutputStream() {
  if (kept() > 0 && error_.ok() && !closed_) drain();
}

StreamOutcome FdOutputStream::state() const {
  if (!error_.ok()) return error_;
  if (closed_) return StreamOutcome::closed();
  return StreamOutcome::done();
}

bool FdOutputStream::drain() {
  const size_t before = sent_;
  const int err = write_some(fd_, socket_, pending_.data(), pending_.size(), sent_);
  if (sent_ > before) clock_.progress();
  if (err) {
    error_ = peer_gone(err) ? StreamOutcome::closed() : StreamOutcome::failed("write", err);
    return false;
  }
  if (sent_ == pending_.size()) {
    pending_.clear();
    sent_ = 0;
  }
  return true;
}

Result<StreamOutcome> FdOutputStream::check_write() {
  StreamOutcome s = state();
  if (!s.ok()) return s;
  if (kept() > 0 && !drain()) return state();
  // The budget less what is still kept, when the descriptor takes bytes now.
  if (fd_writable(fd_)) {
    clock_.progress();
    return StreamOutcome::done(kWriteBudget - kept());
  }
  if (clock_.expired()) return error_ = timed_out(clock_, "write");
  return StreamOutcome::done(0);
}

Result<StreamOutcome> FdOutputStream::write(std::span<const uint8_t> bytes) {
  StreamOutcome s = state();
  if (!s.ok()) return s;
  if (kept() > 0 && !drain()) return state();
  size_t done = 0;
  if (kept() == 0) {
    if (int err = write_some(fd_, socket_, reinterpret_cast<const char*>(bytes.data()), bytes.size(), done)) {
      error_ = peer_gone(err) ? StreamOutcome::closed() : StreamOutcome::failed("write", err);
      return error_;
    }
    if (done > 0) clock_.progress();
  }
  if (done < bytes.size()) {
    if (kept() + (bytes.size() - done) > kWriteBudget)
      return StreamOutcome::failed("write: more bytes than check-write permitted");
    pending_.append(reinterpret_cast<const char*>(bytes.data()) + done, bytes.size() - done);
  }
  return StreamOutcome::done(bytes.size());
}

Result<StreamOutcome> FdOutputStream::flush() {
  StreamOutcome s = state();
  if (!s.ok()) return s;
  drain();
  return state();
}

Result<StreamOutcome> FdOutputStream::blocking_flush() {
  for (;;) {
    StreamOutcome s = state();
    if (!s.ok()) return s;
    if (!drain()) return state();
    if (kept() == 0) return StreamOutcome::done();
    if (clock_.expired()) return error_ = timed_out(clock_, "flush");
    if (clock_.timeout() == 0) {
      auto w = wait_fd(fd_, true);
      if (!w) return w.error();
      continue;
    }
    clock_.arm();
    Pollable p = Pollable::writable(fd_, keep_).until(clock_);
    Pollable* one[1] = {&p};
    auto w = wait_any(one);
    if (!w) return w.error();
  }
}

Result<StreamOutcome> FdOutputStream::write_all(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    if (kept() > 0) {
      auto f = blocking_flush();
      if (!f || !f->ok()) return f;
    }
    size_t n = std::min<size_t>(kWriteBudget, bytes.size() - done);
    auto w = write(bytes.subspan(done, n));
    if (!w || !w->ok()) return w;
    done += n;
  }
  return flush_written(done);
}

Pollable FdOutputStream::subscribe() {
  if (!state().ok()) return Pollable::always();
  clock_.arm();
  return Pollable::writable(fd_, keep_).until(clock_);
}

}  // namespace wippy::disp
