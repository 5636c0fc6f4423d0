// file.cpp — File: open beneath a Dir, stat, set-size, set-times,
// positional reads and writes, appends, sync and advice.
#include "fs/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "fs/resolve.h"

namespace wippy::fs {

FsResult<File> File::open(const Dir& dir, std::string_view path, int flags, mode_t mode) {
  auto fd = openat_beneath(dir, path, flags, mode);
  if (!fd) return fd.error();
  return adopt(std::move(*fd), dir.access(), flags);
}

File File::adopt(UniqueFd fd, Access grant, int flags) {
  const int acc = flags & O_ACCMODE;
  const bool path_only = (flags & O_PATH) != 0;
  return File(std::move(fd), grant, !path_only && acc != O_WRONLY, !path_only && acc != O_RDONLY);
}

FsResult<FileStat> File::stat() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return fs_errc_from_errno(errno);
  return FileStat::from_stat(st);
}

FsResult<void> File::check_write() const {
  if (grant_ != Access::ReadWrite) return FsErrc::ReadOnly;
  if (!for_write_) return FsErrc::BadDescriptor;
  return {};
}

FsResult<void> File::set_size(std::uint64_t size) const {
  if (auto c = check_write(); !c) return c;
  if (size > static_cast<std::uint64_t>(INT64_MAX)) return FsErrc::TooBig;
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) return fs_errc_from_errno(errno);
  return {};
}

FsResult<void> File::set_times(struct timespec atime, struct timespec mtime) const {
  if (grant_ != Access::ReadWrite) return FsErrc::ReadOnly;
  const struct timespec times[2] = {atime, mtime};
  if (::futimens(fd_.get(), times) != 0) return fs_errc_from_errno(errno);
  return {};
}

FsResult<std::size_t> File::read_at(void* buf, std::size_t len, std::uint64_t offset) const {
  if (!for_read_) return FsErrc::BadDescriptor;
  if (offset > static_cast<std::uint64_t>(INT64_MAX)) return FsErrc::Invalid;
  for (;;) {
    ssize_t n = ::pread(fd_.get(), buf, len, static_cast<off_t>(offset));
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return fs_errc_from_errno(errno);
  }
}

FsResult<std::size_t> File::write_at(const void* buf, std::size_t len, std::uint64_t offset) const {
  if (auto c = check_write(); !c) return c.error();
  if (offset > static_cast<std::uint64_t>(INT64_MAX)) return FsErrc::TooBig;
  for (;;) {
    ssize_t n = ::pwrite(fd_.get(), buf, len, static_cast<off_t>(offset));
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return fs_errc_from_errno(errno);
  }
}

FsResult<std::size_t> File::append(const void* buf, std::size_t len) const {
  if (auto c = check_write(); !c) return c.error();
  struct iovec iov {const_cast<void*>(buf), len};
  for (;;) {
    ssize_t n = ::pwritev2(fd_.get(), &iov, 1, -1, RWF_APPEND);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EOPNOTSUPP && errno != EINVAL) return fs_errc_from_errno(errno);
    // A kernel without RWF_APPEND (before 4.16): write at the current end.
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) return fs_errc_from_errno(errno);
    return write_at(buf, len, static_cast<std::uint64_t>(st.st_size));
  }
}

FsResult<void> File::sync(bool data_only) const {
  int rc = data_only ? ::fdatasync(fd_.get()) : ::fsync(fd_.get());
  if (rc != 0) return fs_errc_from_errno(errno);
  return {};
}

FsResult<void> File::advise(std::uint64_t offset, std::uint64_t len, Advice advice) const {
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (offset > static_cast<std::uint64_t>(INT64_MAX) || len > static_cast<std::uint64_t>(INT64_MAX))
    return FsErrc::Invalid;
  int rc = ::posix_fadvise(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(len),
                           kAdvice[static_cast<int>(advice)]);
  if (rc != 0) return fs_errc_from_errno(rc);
  return {};
}

}  // namespace wippy::fs
