// open_entry.cpp — open_entry (see open_entry.h).
#include "fs/open_entry.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "fs/resolve.h"

namespace wippy::fs {

FsResult<OpenedEntry> open_entry(const Dir& dir, std::string_view path, int flags, mode_t mode) {
  auto fd = openat_beneath(dir, path, flags | O_NONBLOCK, mode);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return fs_errc_from_errno(errno);
  OpenedEntry out;
  if (S_ISDIR(st.st_mode)) {
    out.dir.emplace(std::move(*fd), dir.access(), dir.resolver(), dir.mount());
    return out;
  }
  if (flags & O_DIRECTORY) return FsErrc::NotDirectory;
  if (S_ISREG(st.st_mode)) ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) & ~O_NONBLOCK);
  out.file.emplace(File::adopt(std::move(*fd), dir.access(), flags));
  return out;
}

}  // namespace wippy::fs
