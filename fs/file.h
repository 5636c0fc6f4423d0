// file.h — an open file beneath a Dir, with the rights it was opened with.
// File remembers whether its grant is writable and whether it was opened
// for writing: set_size / set_times on a file from a read-only grant fail
// with ReadOnly; set_size on a file not opened for writing fails with
// BadDescriptor (as ftruncate would).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string_view>

#include "fs/dir.h"
#include "fs/file_stat.h"
#include "fs/fs_error.h"
#include "fs/unique_fd.h"

namespace wippy::fs {

class File {
 public:
  // openat_beneath(dir, path, flags, mode), keeping the rights.
  static FsResult<File> open(const Dir& dir, std::string_view path, int flags, mode_t mode = 0);

  int fd() const { return fd_.get(); }
  Access grant() const { return grant_; }
  bool opened_for_write() const { return for_write_; }

  FsResult<FileStat> stat() const;
  FsResult<void> set_size(std::uint64_t size) const;
  FsResult<void> set_times(struct timespec atime, struct timespec mtime) const;

 private:
  File(UniqueFd fd, Access grant, bool for_write)
      : fd_(std::move(fd)), grant_(grant), for_write_(for_write) {}
  UniqueFd fd_;
  Access grant_;
  bool for_write_;
};

}  // namespace wippy::fs
