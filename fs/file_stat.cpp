// file_stat.cpp — struct stat → FileStat.
#include "fs/file_stat.h"

namespace wippy::fs {

FileType file_type_from_mode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFBLK: return FileType::BlockDevice;
    case S_IFCHR: return FileType::CharacterDevice;
    case S_IFDIR: return FileType::Directory;
    case S_IFIFO: return FileType::Fifo;
    case S_IFLNK: return FileType::SymbolicLink;
    case S_IFREG: return FileType::RegularFile;
    case S_IFSOCK: return FileType::Socket;
    default: return FileType::Unknown;
  }
}

FileStat FileStat::from_stat(const struct stat& st) {
  FileStat s;
  s.type = file_type_from_mode(st.st_mode);
  s.dev = static_cast<std::uint64_t>(st.st_dev);
  s.ino = static_cast<std::uint64_t>(st.st_ino);
  s.nlink = static_cast<std::uint64_t>(st.st_nlink);
  s.size = st.st_size < 0 ? 0 : static_cast<std::uint64_t>(st.st_size);
  s.mode = static_cast<std::uint32_t>(st.st_mode);
  s.atime = st.st_atim;
  s.mtime = st.st_mtim;
  s.ctime = st.st_ctim;
  return s;
}

}  // namespace wippy::fs
