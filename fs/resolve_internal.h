// resolve_internal.h — the two resolution strategies and parent lookup,
// shared by resolve.cpp and path_ops.cpp; not part of the fs interface.
// Neither strategy checks access rights: callers do that first.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "fs/dir.h"
#include "fs/fs_error.h"
#include "fs/unique_fd.h"

namespace wippy::fs::detail {

// The components of a '/'-separated path, empty ones dropped (so "a//b/" is
// {"a","b"} and "/" is {}); the views point into `path`.
std::vector<std::string_view> path_components(std::string_view path);

// Empty path → NoEntry, 4096 bytes or more → NameTooLong, NUL inside →
// Invalid, absolute → NotPermitted.
// Returns true (no error) when the path may be resolved.
FsResult<void> check_relative_path(std::string_view path);

// Strategy (a): openat2 with RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS.
// Returns Unsupported when the kernel lacks openat2.
FsResult<UniqueFd> resolve_by_openat2(int root, std::string_view path, int flags, mode_t mode);
// Strategy (b): component walk with O_PATH|O_NOFOLLOW opens and a stack of
// directory descriptors; symlinks are expanded by hand.
FsResult<UniqueFd> resolve_by_walk(int root, std::string_view path, int flags, mode_t mode);
// Picks the strategy for `resolver` (no rights check).
FsResult<UniqueFd> resolve_beneath(int root, Resolver resolver, std::string_view path,
                                   int flags, mode_t mode);

// The directory that holds a path's last component, opened (O_PATH)
// beneath the Dir, and that component's name. When the name is "." or "..",
// the whole path has been checked to stay beneath the Dir.
struct ParentRef {
  UniqueFd dir;
  std::string dir_path;   // the path text before the last component ("." if none)
  std::string name;       // last component, no slashes
  bool trailing_slash = false;
  bool dot_name() const { return name == "." || name == ".."; }
};
FsResult<ParentRef> open_parent(const Dir& dir, std::string_view path);

}  // namespace wippy::fs::detail
