// fd_stream.h — streams over a host file descriptor (a pipe, a tty, a
// socket): the stream.h interface with real backpressure.
// Contract: the stream does not close its descriptor; `keep` (optional) is
// the descriptor's owner, held until the stream and every Pollable it
// handed out are gone, so the descriptor number cannot be reused under
// them. Reads and writes never wait except in blocking_read /
// blocking_flush / write_all (which park only the calling fiber, or block
// the thread outside a fiber). The descriptor may be blocking (inherited
// stdio): then a write simply completes in full.
// Output: check_write grants kWriteBudget minus the bytes still kept from
// earlier writes when the descriptor is writable (or nothing is kept), else
// 0. write() writes what the descriptor takes now and keeps the rest
// (never more than the permit allowed: a longer write fails with
// last-operation-failed); later check_write / flush / write calls send the
// kept bytes first. EPIPE / ECONNRESET are `closed`; other errors are
// failed, and stay so. A `socket` output writes with send(MSG_NOSIGNAL), so
// a vanished peer is `closed` even where SIGPIPE is not ignored.
// Wait timeout (set_wait_timeout, 0 = none; a socket's
// limits.socket_timeout_ms): a wait for readiness starts a clock when the
// stream is first subscribed to, or a blocking call first waits, without
// progress since; bytes moved stop it. Pollables from subscribe() share
// the clock (wait_clock.h): they turn ready when it runs out, and a wait on
// one kept across progress starts it again. From then on the stream fails
// (sticky) with last-operation-failed, os_error ETIMEDOUT.
#pragma once
#include <memory>
#include <string>

#include "dispatcher/clock.h"
#include "dispatcher/stream.h"
#include "dispatcher/wait_clock.h"

namespace wippy::disp {

// The failure of a stream whose wait timed out ("OP: timed out, no
// progress within N ms", os_error ETIMEDOUT).
StreamOutcome timed_out(const WaitClock& clock, const char* op);

class FdInputStream final : public InputStream {
 public:
  explicit FdInputStream(int fd, std::shared_ptr<const void> keep = {}) : fd_(fd), keep_(std::move(keep)) {}
  Result<StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out) override;
  Pollable subscribe() override {
    clock_.arm();
    return Pollable::readable(fd_, keep_).until(clock_);
  }
  void close() override { closed_ = true; }
  void set_wait_timeout(uint64_t ns) { clock_.set_timeout(ns); }

 private:
  int fd_;
  std::shared_ptr<const void> keep_;
  bool closed_ = false;
  WaitClock clock_;
  StreamOutcome error_;  // sticky: a timeout
};

class FdOutputStream final : public OutputStream {
 public:
  explicit FdOutputStream(int fd, std::shared_ptr<const void> keep = {}, bool socket = false)
      : fd_(fd), keep_(std::move(keep)), socket_(socket) {}
  ~FdOutputStream() override;  // one last non-blocking attempt to send kept bytes

  Result<StreamOutcome> check_write() override;
  Result<StreamOutcome> write(std::span<const uint8_t> bytes) override;
  Result<StreamOutcome> flush() override;
  Result<StreamOutcome> blocking_flush() override;
  // Writes straight through (no readiness check per chunk), waiting only
  // while kept bytes remain.
  Result<StreamOutcome> write_all(std::span<const uint8_t> bytes) override;
  Pollable subscribe() override;
  void close() override { closed_ = true; }

  size_t kept() const { return pending_.size() - sent_; }
  void set_wait_timeout(uint64_t ns) { clock_.set_timeout(ns); }

 private:
  // Sends kept bytes without waiting; false (with `state_` set) on an error.
  bool drain();
  StreamOutcome state() const;

  int fd_;
  std::shared_ptr<const void> keep_;
  bool socket_;
  std::string pending_;  // bytes accepted but not yet written, from sent_
  size_t sent_ = 0;
  bool closed_ = false;
  StreamOutcome error_;  // sticky: the first failure
  WaitClock clock_;
};

}  // namespace wippy::disp
