// file_stat.h — what stat reports about a file, as a plain value.
// FileType follows the WASI descriptor-type cases; from_stat converts a
// Linux struct stat.
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <ctime>

namespace wippy::fs {

enum class FileType {
  Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
};

FileType file_type_from_mode(mode_t mode);

struct FileStat {
  FileType type = FileType::Unknown;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t nlink = 0;
  std::uint64_t size = 0;
  std::uint32_t mode = 0;  // permission bits and file-type bits as Linux gives them
  struct timespec atime {};
  struct timespec mtime {};
  struct timespec ctime {};

  static FileStat from_stat(const struct stat& st);
};

}  // namespace wippy::fs
