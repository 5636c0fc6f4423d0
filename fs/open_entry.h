// open_entry.h — opening a path beneath a Dir as whatever it turns out to
// be: a directory becomes a Dir (with the parent's rights, resolver and
// mount), anything else a File (opened with `flags`).
// Contract: the open goes through openat_beneath (resolve.h: the same
// confinement and read-only rules) with O_NONBLOCK added, so a FIFO cannot
// hang the thread; regular files are then made blocking again so reads and
// writes behave as on any file. `want_dir` (O_DIRECTORY in flags) refuses
// a non-directory with NotDirectory.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string_view>

#include "fs/dir.h"
#include "fs/file.h"
#include "fs/fs_error.h"

namespace wippy::fs {

struct OpenedEntry {
  std::optional<Dir> dir;    // set for a directory
  std::optional<File> file;  // set for anything else
};

FsResult<OpenedEntry> open_entry(const Dir& dir, std::string_view path, int flags, mode_t mode = 0666);

}  // namespace wippy::fs
