// mount_table.h — the guest's view: absolute guest paths mapped to Dirs.
// add() takes a normalized absolute guest path (repeated and trailing
// slashes are dropped; "." and ".." components are Invalid; a second mount
// at the same path is Exist). lookup() finds the mount with the longest
// component-wise prefix of an absolute guest path and returns the rest as a
// path relative to that mount's Dir ("." when the path is the mount point).
// "." components are dropped from the rest; ".." are kept, so resolution
// beneath the Dir refuses any climb above the mount (NotPermitted). A path
// no mount covers is NoEntry; a relative guest path is Invalid.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "fs/dir.h"
#include "fs/fs_error.h"

namespace wippy::fs {

struct Mount {
  std::string guest_path;  // normalized, e.g. "/" or "/data/in"
  Dir dir;
};

struct MountLookup {
  const Mount* mount = nullptr;
  std::string relative;  // relative to mount->dir; "." for the mount point itself
};

class MountTable {
 public:
  FsResult<void> add(std::string_view guest_path, Dir dir);
  FsResult<MountLookup> lookup(std::string_view guest_path) const;
  const std::vector<Mount>& mounts() const { return mounts_; }

 private:
  std::vector<Mount> mounts_;
};

}  // namespace wippy::fs
