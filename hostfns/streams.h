// streams.h — the stream kinds hostfns adds to the disp::InputStream /
// OutputStream interface (dispatcher/stream.h; host descriptors are
// dispatcher/fd_stream.h, sockets net/).
// Contract: BufferInput reads an in-memory byte source with a shared read
// position (a WasiCtx's stdin buffer) and then reports `closed`;
// BufferOutput appends to an in-memory sink (a capture buffer). The
// pointed-to buffers belong to the WasiCtx and outlive every stream.
// FileInput reads an open fs::File from its own position onward (the end
// of the file is `closed`); FileOutput writes one at its own advancing
// position or at the end (append). Files stay open while a stream holds
// them and never make a caller wait, so check-write always grants
// kWriteBudget and subscribe is always ready. `max_file_bytes` (0 = no
// limit) caps the file size a write may reach: past it the write fails
// with ENOSPC (wasi: insufficient-space) and writes nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/stream.h"
#include "fs/file.h"

namespace wippy::hostfns {

using disp::StreamOutcome;
using disp::StreamStatus;

class BufferInput final : public disp::InputStream {
 public:
  BufferInput(const std::string* data, size_t* pos) : data_(data), pos_(pos) {}
  Result<StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out) override;
  disp::Pollable subscribe() override { return disp::Pollable::always(); }

 private:
  const std::string* data_;
  size_t* pos_;
};

class BufferOutput final : public disp::OutputStream {
 public:
  explicit BufferOutput(std::string* sink) : sink_(sink) {}
  Result<StreamOutcome> check_write() override { return StreamOutcome::done(kWriteBudget); }
  Result<StreamOutcome> write(std::span<const uint8_t> bytes) override;
  disp::Pollable subscribe() override { return disp::Pollable::always(); }

 private:
  std::string* sink_;
};

class FileInput final : public disp::InputStream {
 public:
  FileInput(std::shared_ptr<const fs::File> file, uint64_t offset) : file_(std::move(file)), offset_(offset) {}
  Result<StreamOutcome> read(uint64_t len, std::vector<uint8_t>& out) override;
  disp::Pollable subscribe() override { return disp::Pollable::always(); }

 private:
  std::shared_ptr<const fs::File> file_;
  uint64_t offset_;
};

class FileOutput final : public disp::OutputStream {
 public:
  // At `offset` onward, or appending when `offset` is empty.
  FileOutput(std::shared_ptr<const fs::File> file, std::optional<uint64_t> offset, uint64_t max_file_bytes)
      : file_(std::move(file)), offset_(offset.value_or(0)), append_(!offset), max_bytes_(max_file_bytes) {}
  Result<StreamOutcome> check_write() override { return StreamOutcome::done(kWriteBudget); }
  Result<StreamOutcome> write(std::span<const uint8_t> bytes) override;
  disp::Pollable subscribe() override { return disp::Pollable::always(); }

 private:
  std::shared_ptr<const fs::File> file_;
  uint64_t offset_;
  bool append_;
  uint64_t max_bytes_;
};

// The error of a write that would take a file past `max_file_bytes` (0 =
// no limit) when writing `len` bytes at `offset` (append: at the end), or
// an empty optional when it may proceed.
std::optional<fs::FsErrc> file_quota_check(const fs::File& file, uint64_t max_file_bytes, bool append,
                                           uint64_t offset, uint64_t len);

}  // namespace wippy::hostfns
