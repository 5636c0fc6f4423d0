// streams.cpp — InputStream / OutputStream over host descriptors,
// in-memory buffers and open files (see streams.h).
#include "hostfns/streams.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "hostfns/wait.h"

namespace wippy::hostfns {

namespace {

constexpr uint64_t kMaxRead = 1 << 20;  // one read returns at most this much

bool fd_ready(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0;  // POLLERR/POLLHUP count: the next call reports them
}

StreamOutcome failed(const char* op, int err) {
  StreamOutcome o;
  o.status = StreamStatus::failed;
  o.error = fmt::format("{}: {}", op, std::strerror(err));
  o.code = fs::fs_errc_from_errno(err);
  return o;
}

StreamOutcome failed(const char* op, fs::FsErrc code) {
  StreamOutcome o;
  o.status = StreamStatus::failed;
  o.error = fmt::format("{}: {}", op, fs::fs_errc_name(code));
  o.code = code;
  return o;
}

StreamOutcome closed() {
  StreamOutcome o;
  o.status = StreamStatus::closed;
  return o;
}

}  // namespace

Result<StreamOutcome> InputStream::read_fd(uint64_t len, std::vector<uint8_t>& out, bool block) {
  out.clear();
  if (len == 0) return StreamOutcome{};
  for (;;) {
    if (block) {
      auto w = wait_fd(fd_, false);
      if (!w) return w.error();
    } else if (!fd_ready(fd_, POLLIN)) {
      return StreamOutcome{};
    }
    out.resize(size_t(std::min(len, kMaxRead)));
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n > 0) {
      out.resize(size_t(n));
      StreamOutcome o;
      o.count = uint64_t(n);
      return o;
    }
    out.clear();
    if (n == 0) return closed();
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!block) return StreamOutcome{};
      continue;
    }
    return failed("read", errno);
  }
}

StreamOutcome InputStream::read_file(uint64_t len, std::vector<uint8_t>& out) {
  out.resize(size_t(std::min(len, kMaxRead)));
  if (out.empty()) return StreamOutcome{};
  auto n = file_->read_at(out.data(), out.size(), offset_);
  if (!n) {
    out.clear();
    return failed("read", n.error());
  }
  out.resize(*n);
  if (*n == 0) return closed();
  offset_ += *n;
  StreamOutcome o;
  o.count = *n;
  return o;
}

Result<StreamOutcome> InputStream::read(uint64_t len, std::vector<uint8_t>& out) {
  if (fd_ >= 0) return read_fd(len, out, false);
  if (file_) return read_file(len, out);
  out.clear();
  if (!data_ || *pos_ >= data_->size()) return closed();
  size_t n = size_t(std::min<uint64_t>({len, data_->size() - *pos_, kMaxRead}));
  out.assign(data_->begin() + long(*pos_), data_->begin() + long(*pos_ + n));
  *pos_ += n;
  StreamOutcome o;
  o.count = n;
  return o;
}

Result<StreamOutcome> InputStream::blocking_read(uint64_t len, std::vector<uint8_t>& out) {
  if (fd_ >= 0) return read_fd(len, out, true);
  return read(len, out);  // in-memory data and files never make a reader wait
}

disp::Pollable InputStream::subscribe() const {
  if (fd_ >= 0) return disp::Pollable::readable(fd_);
  return disp::Pollable::manual(true);
}

Result<StreamOutcome> OutputStream::check_write() const {
  StreamOutcome o;
  o.count = (sink_ || file_ || fd_ready(fd_, POLLOUT)) ? kWriteBudget : 0;
  return o;
}

StreamOutcome OutputStream::write_file(const uint8_t* data, size_t len) {
  size_t done = 0;
  while (done < len) {
    auto n = append_ ? file_->append(data + done, len - done)
                     : file_->write_at(data + done, len - done, offset_);
    if (!n) return failed("write", n.error());
    if (*n == 0) return failed("write", fs::FsErrc::Io);  // no progress: give up rather than spin
    done += *n;
    if (!append_) offset_ += *n;
  }
  StreamOutcome o;
  o.count = done;
  return o;
}

Result<StreamOutcome> OutputStream::write(const uint8_t* data, size_t len) {
  StreamOutcome o;
  if (file_) return write_file(data, len);
  if (sink_) {
    sink_->append(reinterpret_cast<const char*>(data), len);
    o.count = len;
    return o;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::write(fd_, data + done, len - done);
    if (n >= 0) {
      done += size_t(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      auto w = wait_fd(fd_, true);
      if (!w) return w.error();
      continue;
    }
    if (errno == EPIPE) return closed();
    return failed("write", errno);
  }
  o.count = done;
  return o;
}

disp::Pollable OutputStream::subscribe() const {
  if (fd_ >= 0) return disp::Pollable::writable(fd_);
  return disp::Pollable::manual(true);
}

}  // namespace wippy::hostfns
