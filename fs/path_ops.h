// path_ops.h — the path operations the WASI filesystem interface needs, each
// confined beneath a Dir (see resolve.h for the confinement rules).
//
// Errors, in the order they are checked:
//  * ReadOnly: any mutation on a read-only Dir (for rename and link: either
//    Dir), before the path is looked at.
//  * CrossDevice: rename/link between Dirs of different mounts (a hard link
//    or rename must not move a file from one grant into another).
//  * NoEntry (empty path), Invalid (NUL in a path), NotPermitted (absolute
//    path, ".." above the Dir, a symlink leaving it, an absolute symlink
//    target given to symlink_at — as wasmtime/cap-std do).
//  * then what Linux reports for the same operation: mkdir of an existing
//    name is Exist, rmdir "." is Invalid and ".." NotEmpty, unlink of a
//    directory is IsDirectory, rename of "." / ".." is Busy, link of a
//    directory is NotPermitted, readlink of a non-link is Invalid.
// Operations on the last component never follow it unless asked (Follow),
// and when they do, the link is expanded by hand and re-resolved beneath the
// Dir, so the kernel call itself never follows a symlink.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "fs/dir.h"
#include "fs/file_stat.h"
#include "fs/fs_error.h"
#include "fs/resolve.h"

namespace wippy::fs {

FsResult<FileStat> stat_at(const Dir& dir, std::string_view path, Follow follow);
FsResult<void> mkdir_at(const Dir& dir, std::string_view path, mode_t mode = 0777);
FsResult<void> rmdir_at(const Dir& dir, std::string_view path);
FsResult<void> unlink_at(const Dir& dir, std::string_view path);
FsResult<void> rename_at(const Dir& old_dir, std::string_view old_path, const Dir& new_dir,
                         std::string_view new_path);
// A hard link at new_path to the file at old_path (to the symlink itself
// when follow is No).
FsResult<void> link_at(const Dir& old_dir, std::string_view old_path, Follow follow,
                       const Dir& new_dir, std::string_view new_path);
// Creates a symlink at `path` whose text is `target`, stored as given;
// absolute targets are refused (NotPermitted), relative ones that leave the
// Dir are stored but refused whenever they are resolved.
FsResult<void> symlink_at(std::string_view target, const Dir& dir, std::string_view path);
FsResult<std::string> readlink_at(const Dir& dir, std::string_view path);
// Times as for utimensat(2): tv_nsec may be UTIME_NOW or UTIME_OMIT.
FsResult<void> set_times_at(const Dir& dir, std::string_view path, Follow follow,
                            struct timespec atime, struct timespec mtime);
FsResult<void> set_size_at(const Dir& dir, std::string_view path, std::uint64_t size);

}  // namespace wippy::fs
