// file.cpp — File: open beneath a Dir, stat, set-size, set-times.
#include "fs/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "fs/resolve.h"

namespace wippy::fs {

FsResult<File> File::open(const Dir& dir, std::string_view path, int flags, mode_t mode) {
  auto fd = openat_beneath(dir, path, flags, mode);
  if (!fd) return fd.error();
  const bool for_write = (flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH);
  return File(std::move(*fd), dir.access(), for_write);
}

FsResult<FileStat> File::stat() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return fs_errc_from_errno(errno);
  return FileStat::from_stat(st);
}

FsResult<void> File::set_size(std::uint64_t size) const {
  if (grant_ != Access::ReadWrite) return FsErrc::ReadOnly;
  if (!for_write_) return FsErrc::BadDescriptor;
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

}  // namespace wippy::fs
