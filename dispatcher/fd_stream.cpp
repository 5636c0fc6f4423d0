// fd_stream.cpp — FdInputStream / FdOutputStream (see fd_stream.h).
#include "dispatcher/fd_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

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

Result<StreamOutcome> FdInputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  out.clear();
  if (closed_) return StreamOutcome::closed();
  if (len == 0) return StreamOutcome::done();
  out.resize(size_t(std::min(len, kMaxRead)));
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) {  // nothing now (a blocking descriptor must not block the thread)
      out.clear();
      return StreamOutcome::done();
    }
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n > 0) {
      out.resize(size_t(n));
      return StreamOutcome::done(uint64_t(n));
    }
    if (n < 0 && errno == EINTR) continue;
    int err = n < 0 ? errno : 0;
    out.clear();
    if (n == 0 || peer_gone(err)) return StreamOutcome::closed();
    if (err == EAGAIN || err == EWOULDBLOCK) return StreamOutcome::done();
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
  if (int err = write_some(fd_, socket_, pending_.data(), pending_.size(), sent_)) {
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
  return StreamOutcome::done(fd_writable(fd_) ? kWriteBudget - kept() : 0);
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
    auto w = wait_fd(fd_, true);
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
  return Pollable::writable(fd_, keep_);
}

}  // namespace wippy::disp
