// streams.h — the host objects behind wasi:io/streams resources.
// Contract: an InputStream reads either a host file descriptor (not owned)
// or an in-memory byte source with a shared read position (a WasiCtx's
// stdin buffer); an OutputStream writes either a host descriptor (not
// owned) or appends to an in-memory sink (a WasiCtx capture buffer). The
// pointed-to buffers belong to the WasiCtx and outlive every stream.
// Operations report StreamStatus: ok, closed (end of stream / peer gone) or
// failed (an OS error, described by `error`). Blocking operations park the
// running fiber on the descriptor (dispatcher) when called in a fiber and
// block the thread otherwise; a cancelled or expired fiber ends them with a
// Trap error, which the caller must return to the guest as is.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dispatcher/pollable.h"
#include "interp/result.h"

namespace wippy::hostfns {

enum class StreamStatus : uint8_t { ok, closed, failed };

struct StreamOutcome {
  StreamStatus status = StreamStatus::ok;
  std::string error;  // for failed: what went wrong
  uint64_t count = 0; // bytes read / written / skipped
};

class InputStream {
 public:
  static InputStream from_fd(int fd) { InputStream s; s.fd_ = fd; return s; }
  static InputStream from_buffer(const std::string* data, size_t* pos) {
    InputStream s; s.data_ = data; s.pos_ = pos; return s;
  }

  // Up to `len` bytes into `out` (cleared first). Non-blocking: may return
  // ok with no bytes when nothing is available yet.
  Result<StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out);
  // Waits until at least one byte or the end of the stream is available.
  Result<StreamOutcome> blocking_read(uint64_t len, std::vector<uint8_t>& out);
  disp::Pollable subscribe() const;

 private:
  Result<StreamOutcome> read_fd(uint64_t len, std::vector<uint8_t>& out, bool block);
  int fd_ = -1;
  const std::string* data_ = nullptr;
  size_t* pos_ = nullptr;
};

class OutputStream {
 public:
  // How many bytes check-write offers at once.
  static constexpr uint64_t kWriteBudget = 65536;

  static OutputStream to_fd(int fd) { OutputStream s; s.fd_ = fd; return s; }
  static OutputStream to_buffer(std::string* sink) { OutputStream s; s.sink_ = sink; return s; }

  // kWriteBudget when a write would not block now, else 0.
  Result<StreamOutcome> check_write() const;
  // Writes every byte (waiting for the descriptor as needed; writes are
  // unbuffered, so there is nothing left to flush afterwards).
  Result<StreamOutcome> write(const uint8_t* data, size_t len);
  disp::Pollable subscribe() const;

 private:
  int fd_ = -1;
  std::string* sink_ = nullptr;
};

}  // namespace wippy::hostfns
