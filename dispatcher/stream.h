// stream.h — the byte-stream interface behind wasi:io/streams resources.
// Contract: an InputStream / OutputStream is implemented once per kind of
// source or sink (a host descriptor: fd_stream.h; stdio capture buffers and
// files: hostfns/streams.h; sockets: net/). The WASI host functions see only
// this interface, so a new kind plugs in by subclassing and handing the
// object to the resource table; nothing else changes.
// Every operation reports a StreamOutcome: ok, closed (end of stream / peer
// gone) or failed (an OS error: `error` describes it, `os_error` is its
// errno, 0 when there is none). A Result error (a Trap) means the calling
// fiber was cancelled or its deadline passed while waiting: the caller
// returns it to the guest as is. A producer may attach a `cause` to a
// failure (e.g. the HTTP error behind a body stream's failure) that the
// layer turning it into a wasi:io error keeps for whoever recognises it.
// Input: read() never waits and may return ok with no bytes; blocking_read()
// waits (on subscribe()) until at least one byte or the end is there.
// Output, with real backpressure: check_write() grants a permit of `count`
// bytes (0 while the sink cannot take more, e.g. a full socket buffer);
// write() must stay within the permit and never waits: a granted permit is
// honoured (bytes the sink cannot take at once are kept and written by
// later calls). flush() starts writing what is kept; blocking_flush() waits
// until all of it is written. subscribe() is ready when check_write would
// grant a non-zero permit (or report closed / failed).
// close() ends a stream early (shutdown of a socket direction); later calls
// report closed. Streams belong to one thread.
#pragma once
#include <any>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dispatcher/pollable.h"

namespace wippy::disp {

enum class StreamStatus : uint8_t { ok, closed, failed };

struct StreamOutcome {
  StreamStatus status = StreamStatus::ok;
  std::string error;  // failed: what went wrong
  int os_error = 0;   // failed: the errno behind it, 0 if none
  uint64_t count = 0; // bytes read / written / permitted
  std::any cause;     // failed: the producer's own error value, if any

  static StreamOutcome done(uint64_t n = 0) {
    StreamOutcome o;
    o.count = n;
    return o;
  }
  static StreamOutcome closed() {
    StreamOutcome o;
    o.status = StreamStatus::closed;
    return o;
  }
  // failed: "OP: strerror(err)".
  static StreamOutcome failed(const char* op, int err);
  static StreamOutcome failed(std::string why, int err = 0) {
    StreamOutcome o;
    o.status = StreamStatus::failed;
    o.error = std::move(why);
    o.os_error = err;
    return o;
  }
  bool ok() const { return status == StreamStatus::ok; }
};

class InputStream {
 public:
  // One read returns at most this much.
  static constexpr uint64_t kMaxRead = 1 << 20;

  virtual ~InputStream() = default;
  // Up to `len` bytes into `out` (cleared first); never waits.
  virtual Result<StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out) = 0;
  // Waits until read() returns bytes, the end, or an error.
  virtual Result<StreamOutcome> blocking_read(uint64_t len, std::vector<uint8_t>& out);
  virtual Pollable subscribe() = 0;
  virtual void close() {}
};

class OutputStream {
 public:
  // The permit check_write grants a sink that can take bytes now.
  static constexpr uint64_t kWriteBudget = 65536;

  virtual ~OutputStream() = default;
  virtual Result<StreamOutcome> check_write() = 0;
  virtual Result<StreamOutcome> write(std::span<const uint8_t> bytes) = 0;
  virtual Result<StreamOutcome> flush() { return StreamOutcome::done(); }
  virtual Result<StreamOutcome> blocking_flush() { return flush(); }
  virtual Pollable subscribe() = 0;
  virtual void close() {}

  // Writes every byte, waiting for permits as needed, then blocking_flush
  // (wasi's blocking-write-and-flush, without its 4096-byte cap). `count`
  // is the number of bytes written.
  virtual Result<StreamOutcome> write_all(std::span<const uint8_t> bytes);
  // Waits on subscribe() until check_write grants a permit (or reports
  // closed / failed).
  Result<StreamOutcome> wait_permit();

 protected:
  // The end of write_all: blocking_flush, then done(n).
  Result<StreamOutcome> flush_written(uint64_t n);
};

}  // namespace wippy::disp
