// streams.h — the host objects behind wasi:io/streams resources.
// Contract: an InputStream reads either a host file descriptor (not owned),
// an in-memory byte source with a shared read position (a WasiCtx's stdin
// buffer), or an open fs::File from its own position onward (shared with
// the wasi:filesystem descriptor it came from; each read advances the
// position; the end of the file is `closed`). An OutputStream writes a host
// descriptor (not owned), appends to an in-memory sink (a WasiCtx capture
// buffer), or writes an fs::File at its own advancing position or at the
// end of the file (append). The pointed-to buffers belong to the WasiCtx
// and outlive every stream; files stay open while a stream holds them.
// Reads and writes of files never wait (regular files are always ready).
// Operations report StreamStatus: ok, closed (end of stream / peer gone) or
// failed (an OS error, described by `error`, its code in `code`).
// Blocking operations park the running fiber on the descriptor
// (dispatcher) when called in a fiber and block the thread otherwise; a
// cancelled or expired fiber ends them with a Trap error, which the caller
// must return to the guest as is.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/pollable.h"
#include "fs/file.h"
#include "fs/fs_error.h"
#include "interp/result.h"

namespace wippy::hostfns {

enum class StreamStatus : uint8_t { ok, closed, failed };

struct StreamOutcome {
  StreamStatus status = StreamStatus::ok;
  std::string error;  // for failed: what went wrong
  std::optional<fs::FsErrc> code;  // for failed: the OS error, when there is one
  uint64_t count = 0; // bytes read / written / skipped
};

class InputStream {
 public:
  static InputStream from_fd(int fd) { InputStream s; s.fd_ = fd; return s; }
  static InputStream from_buffer(const std::string* data, size_t* pos) {
    InputStream s; s.data_ = data; s.pos_ = pos; return s;
  }
  static InputStream from_file(std::shared_ptr<const fs::File> file, uint64_t offset) {
    InputStream s; s.file_ = std::move(file); s.offset_ = offset; return s;
  }

  // Up to `len` bytes into `out` (cleared first). Non-blocking: may return
  // ok with no bytes when nothing is available yet.
  Result<StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out);
  // Waits until at least one byte or the end of the stream is available.
  Result<StreamOutcome> blocking_read(uint64_t len, std::vector<uint8_t>& out);
  disp::Pollable subscribe() const;

 private:
  Result<StreamOutcome> read_fd(uint64_t len, std::vector<uint8_t>& out, bool block);
  StreamOutcome read_file(uint64_t len, std::vector<uint8_t>& out);
  int fd_ = -1;
  const std::string* data_ = nullptr;
  size_t* pos_ = nullptr;
  std::shared_ptr<const fs::File> file_;
  uint64_t offset_ = 0;
};

class OutputStream {
 public:
  // How many bytes check-write offers at once.
  static constexpr uint64_t kWriteBudget = 65536;

  static OutputStream to_fd(int fd) { OutputStream s; s.fd_ = fd; return s; }
  static OutputStream to_buffer(std::string* sink) { OutputStream s; s.sink_ = sink; return s; }
  static OutputStream to_file(std::shared_ptr<const fs::File> file, uint64_t offset) {
    OutputStream s; s.file_ = std::move(file); s.offset_ = offset; return s;
  }
  static OutputStream append_to(std::shared_ptr<const fs::File> file) {
    OutputStream s; s.file_ = std::move(file); s.append_ = true; return s;
  }

  // kWriteBudget when a write would not block now, else 0.
  Result<StreamOutcome> check_write() const;
  // Writes every byte (waiting for the descriptor as needed; writes are
  // unbuffered, so there is nothing left to flush afterwards).
  Result<StreamOutcome> write(const uint8_t* data, size_t len);
  disp::Pollable subscribe() const;

 private:
  StreamOutcome write_file(const uint8_t* data, size_t len);
  int fd_ = -1;
  std::string* sink_ = nullptr;
  std::shared_ptr<const fs::File> file_;
  uint64_t offset_ = 0;
  bool append_ = false;
};

}  // namespace wippy::hostfns
