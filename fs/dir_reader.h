// dir_reader.h — reading the entries of a directory beneath a Dir.
// DirReader owns an open directory stream; next() yields entries one at a
// time (never "." or ".."), then an empty optional at the end.
#pragma once
#include <dirent.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fs/dir.h"
#include "fs/file_stat.h"
#include "fs/fs_error.h"

namespace wippy::fs {

struct DirEntry {
  std::string name;
  FileType type = FileType::Unknown;
  std::uint64_t ino = 0;
};

class DirReader {
 public:
  // Opens `path` (following symlinks, confined) beneath dir; "." is dir itself.
  static FsResult<DirReader> open(const Dir& dir, std::string_view path);

  DirReader(DirReader&& o) noexcept;
  DirReader& operator=(DirReader&& o) noexcept;
  DirReader(const DirReader&) = delete;
  DirReader& operator=(const DirReader&) = delete;
  ~DirReader();

  FsResult<std::optional<DirEntry>> next();

 private:
  explicit DirReader(DIR* d) : dir_(d) {}
  DIR* dir_ = nullptr;
};

}  // namespace wippy::fs
