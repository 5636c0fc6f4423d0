// dir.cpp — opening granted host directories, duplicating Dir handles,
// syncing a directory.
#include "fs/dir.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <unistd.h>

#include <cerrno>

namespace wippy::fs {

FsResult<Dir> Dir::open_host(const std::string& host_path, Access access, Resolver resolver) {
  if (host_path.empty()) return FsErrc::NoEntry;
  UniqueFd fd(::open(host_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return fs_errc_from_errno(errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fs_errc_from_errno(errno);
  return Dir(std::move(fd), access, resolver, MountId{st.st_dev, st.st_ino});
}

FsResult<Dir> Dir::duplicate() const { return duplicate(access_); }

FsResult<Dir> Dir::duplicate(Access access) const {
  UniqueFd fd(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  if (!fd.valid()) return fs_errc_from_errno(errno);
  Access narrowed = writable() ? access : Access::ReadOnly;
  return Dir(std::move(fd), narrowed, resolver_, mount_);
}

FsResult<Dir> Dir::with_resolver(Resolver resolver) const {
  auto d = duplicate();
  if (!d) return d.error();
  return Dir(UniqueFd(d->fd_.release()), access_, resolver, mount_);
}

FsResult<void> Dir::sync(bool data_only) const {
  UniqueFd fd(::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return fs_errc_from_errno(errno);
  int rc = data_only ? ::fdatasync(fd.get()) : ::fsync(fd.get());
  if (rc != 0) return fs_errc_from_errno(errno);
  return {};
}

}  // namespace wippy::fs
