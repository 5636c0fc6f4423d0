// streams.cpp — the in-memory and file stream kinds (see streams.h).
#include "hostfns/streams.h"

#include <algorithm>
#include <string>

#include "fs/fs_error.h"

namespace wippy::hostfns {

namespace {

StreamOutcome fs_failed(const char* op, fs::FsErrc code) {
  return StreamOutcome::failed(std::string(op) + ": " + fs::fs_errc_name(code), fs::fs_errc_to_errno(code));
}

}  // namespace

std::optional<fs::FsErrc> file_quota_check(const fs::File& file, uint64_t max_file_bytes, bool append,
                                           uint64_t offset, uint64_t len) {
  if (max_file_bytes == 0 || len == 0) return std::nullopt;
  if (append) {
    auto st = file.stat();
    if (!st) return st.error();
    offset = st->size;
  }
  if (offset > max_file_bytes || len > max_file_bytes - offset) return fs::FsErrc::InsufficientSpace;
  return std::nullopt;
}

Result<StreamOutcome> BufferInput::read(uint64_t len, std::vector<uint8_t>& out) {
  out.clear();
  if (*pos_ >= data_->size()) return StreamOutcome::closed();
  size_t n = size_t(std::min<uint64_t>({len, data_->size() - *pos_, kMaxRead}));
  out.assign(data_->begin() + long(*pos_), data_->begin() + long(*pos_ + n));
  *pos_ += n;
  return StreamOutcome::done(n);
}

Result<StreamOutcome> BufferOutput::write(std::span<const uint8_t> bytes) {
  sink_->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return StreamOutcome::done(bytes.size());
}

Result<StreamOutcome> FileInput::read(uint64_t len, std::vector<uint8_t>& out) {
  out.resize(size_t(std::min(len, kMaxRead)));
  if (out.empty()) return StreamOutcome::done();
  auto n = file_->read_at(out.data(), out.size(), offset_);
  if (!n) {
    out.clear();
    return fs_failed("read", n.error());
  }
  out.resize(*n);
  if (*n == 0) return StreamOutcome::closed();
  offset_ += *n;
  return StreamOutcome::done(*n);
}

Result<StreamOutcome> FileOutput::write(std::span<const uint8_t> bytes) {
  if (auto over = file_quota_check(*file_, max_bytes_, append_, offset_, bytes.size())) return fs_failed("write", *over);
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = append_ ? file_->append(bytes.data() + done, bytes.size() - done)
                     : file_->write_at(bytes.data() + done, bytes.size() - done, offset_);
    if (!n) return fs_failed("write", n.error());
    if (*n == 0) return fs_failed("write", fs::FsErrc::Io);  // no progress: give up rather than spin
    done += *n;
    if (!append_) offset_ += *n;
  }
  return StreamOutcome::done(done);
}

}  // namespace wippy::hostfns
