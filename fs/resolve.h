// resolve.h — opening paths confined beneath a granted directory.
// openat_beneath resolves `path` relative to dir.fd() and never leaves it:
// an absolute path, a ".." that would climb above the directory, or a symlink
// (at any depth, through any chain) whose target leaves it fails with
// FsErrc::NotPermitted; more than 40 symlinks give FsErrc::Loop. Symlinks
// are followed inside the directory; an absolute symlink target counts as an
// escape. On a read-only Dir, flags asking for write access, O_CREAT, O_TRUNC,
// O_APPEND or O_TMPFILE fail with FsErrc::ReadOnly before any lookup.
// The final symlink is followed unless flags has O_NOFOLLOW (then the open
// fails with Loop, or, with O_PATH, yields the link itself). A trailing slash
// requires a directory (with O_CREAT it is IsDirectory, as on Linux).
#pragma once
#include <sys/types.h>

#include <string_view>

#include "fs/dir.h"
#include "fs/fs_error.h"
#include "fs/unique_fd.h"

namespace wippy::fs {

enum class Follow { No, Yes };

// Most symlinks one resolution follows (Linux uses the same bound).
inline constexpr int kMaxSymlinks = 40;

// Whether openat2(2) works in this process (probed once, then cached).
bool openat2_available();

// flags are Linux open(2) flags; O_CLOEXEC is always added.
FsResult<UniqueFd> openat_beneath(const Dir& dir, std::string_view path, int flags,
                                  mode_t mode = 0);

// A Dir handle for a directory beneath `dir`, with the same rights and mount.
FsResult<Dir> open_subdir(const Dir& dir, std::string_view path, Follow follow = Follow::Yes);

}  // namespace wippy::fs
