// file.h — an open file beneath a Dir, with the rights it was opened with.
// File remembers whether its grant is writable and whether it was opened
// for reading and for writing. Mutations through a file from a read-only
// grant (write_at, append, set_size, set_times) fail with ReadOnly; reading
// a file not opened for reading, or writing / resizing one not opened for
// writing, fails with BadDescriptor (as read(2) / write(2) would).
// read_at / write_at are positional (pread / pwrite: the descriptor has no
// shared position); append writes at the end of the file atomically
// (RWF_APPEND). Each does one system call (retrying EINTR) and returns the
// byte count, which may be short.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string_view>

#include "fs/dir.h"
#include "fs/file_stat.h"
#include "fs/fs_error.h"
#include "fs/unique_fd.h"

namespace wippy::fs {

// posix_fadvise advice, in the order of the WASI `advice` enum.
enum class Advice { Normal, Sequential, Random, WillNeed, DontNeed, NoReuse };

class File {
 public:
  // openat_beneath(dir, path, flags, mode), keeping the rights.
  static FsResult<File> open(const Dir& dir, std::string_view path, int flags, mode_t mode = 0);
  // Takes over fd, opened with Linux open(2) `flags`, under grant `grant`.
  static File adopt(UniqueFd fd, Access grant, int flags);

  int fd() const { return fd_.get(); }
  Access grant() const { return grant_; }
  bool opened_for_read() const { return for_read_; }
  bool opened_for_write() const { return for_write_; }

  FsResult<FileStat> stat() const;
  FsResult<void> set_size(std::uint64_t size) const;
  FsResult<void> set_times(struct timespec atime, struct timespec mtime) const;

  // 0 bytes read means the end of the file.
  FsResult<std::size_t> read_at(void* buf, std::size_t len, std::uint64_t offset) const;
  FsResult<std::size_t> write_at(const void* buf, std::size_t len, std::uint64_t offset) const;
  FsResult<std::size_t> append(const void* buf, std::size_t len) const;
  // fsync (data_only: fdatasync).
  FsResult<void> sync(bool data_only) const;
  FsResult<void> advise(std::uint64_t offset, std::uint64_t len, Advice advice) const;

 private:
  File(UniqueFd fd, Access grant, bool for_read, bool for_write)
      : fd_(std::move(fd)), grant_(grant), for_read_(for_read), for_write_(for_write) {}
  FsResult<void> check_write() const;
  UniqueFd fd_;
  Access grant_;
  bool for_read_;
  bool for_write_;
};

}  // namespace wippy::fs
