// dir_reader.cpp — DirReader over fdopendir/readdir.
#include "fs/dir_reader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "fs/resolve_internal.h"

namespace wippy::fs {
namespace {

FileType type_from_dirent(unsigned char t) {
  switch (t) {
    case DT_BLK: return FileType::BlockDevice;
    case DT_CHR: return FileType::CharacterDevice;
    case DT_DIR: return FileType::Directory;
    case DT_FIFO: return FileType::Fifo;
    case DT_LNK: return FileType::SymbolicLink;
    case DT_REG: return FileType::RegularFile;
    case DT_SOCK: return FileType::Socket;
    default: return FileType::Unknown;
  }
}

}  // namespace

FsResult<DirReader> DirReader::open(const Dir& dir, std::string_view path) {
  auto fd = detail::resolve_beneath(dir.fd(), dir.resolver(), path, O_RDONLY | O_DIRECTORY, 0);
  if (!fd) return fd.error();
  DIR* d = ::fdopendir(fd->get());
  if (d == nullptr) return fs_errc_from_errno(errno);
  fd->release();  // the stream owns it now
  return DirReader(d);
}

DirReader::DirReader(DirReader&& o) noexcept : dir_(std::exchange(o.dir_, nullptr)) {}

DirReader& DirReader::operator=(DirReader&& o) noexcept {
  if (this != &o) {
    if (dir_ != nullptr) ::closedir(dir_);
    dir_ = std::exchange(o.dir_, nullptr);
  }
  return *this;
}

DirReader::~DirReader() {
  if (dir_ != nullptr) ::closedir(dir_);
}

FsResult<std::optional<DirEntry>> DirReader::next() {
  if (dir_ == nullptr) return FsErrc::BadDescriptor;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(dir_);
    if (e == nullptr) {
      if (errno != 0) return fs_errc_from_errno(errno);
      return std::optional<DirEntry>{};
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    DirEntry out;
    out.name = e->d_name;
    out.ino = static_cast<std::uint64_t>(e->d_ino);
    out.type = type_from_dirent(e->d_type);
    if (out.type == FileType::Unknown) {
      // Some filesystems leave d_type empty; ask for the entry itself (no follow).
      struct stat st {};
      if (::fstatat(::dirfd(dir_), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        out.type = file_type_from_mode(st.st_mode);
    }
    return std::optional<DirEntry>(std::move(out));
  }
}

}  // namespace wippy::fs
