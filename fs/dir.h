// dir.h — a directory the host grants to a guest.
// A Dir owns an O_PATH|O_DIRECTORY descriptor of the granted directory (or of
// a directory beneath it), the access the grant gives (read-only or
// read-write), the resolution strategy used for paths beneath it, and the
// identity of the mount it belongs to (device and inode of the granted root),
// which subdirectory handles inherit. Every path given to the operations in
// resolve.h and path_ops.h is resolved beneath fd() and never leaves it.
#pragma once
#include <sys/types.h>

#include <string>

#include "fs/fs_error.h"
#include "fs/unique_fd.h"

namespace wippy::fs {

enum class Access { ReadOnly, ReadWrite };

// Auto uses openat2(2) with RESOLVE_BENEATH when the kernel has it and the
// manual component walk otherwise; Walk always uses the manual walk.
enum class Resolver { Auto, Walk };

struct MountId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const MountId&) const = default;
};

class Dir {
 public:
  // Opens a host directory (the host's configuration is trusted: symlinks in
  // host_path are followed). The opened directory becomes a mount root.
  static FsResult<Dir> open_host(const std::string& host_path, Access access,
                                 Resolver resolver = Resolver::Auto);

  // Adopts fd (must be an open directory descriptor) with the given rights.
  Dir(UniqueFd fd, Access access, Resolver resolver, MountId mount)
      : fd_(std::move(fd)), access_(access), resolver_(resolver), mount_(mount) {}

  int fd() const { return fd_.get(); }
  Access access() const { return access_; }
  bool writable() const { return access_ == Access::ReadWrite; }
  Resolver resolver() const { return resolver_; }
  MountId mount() const { return mount_; }

  // A second handle on the same directory with the same rights; `access`
  // may narrow (never widen) them.
  FsResult<Dir> duplicate() const;
  FsResult<Dir> duplicate(Access access) const;
  // The same directory handled with another resolution strategy.
  FsResult<Dir> with_resolver(Resolver resolver) const;

  // fsync (data_only: fdatasync) of the directory itself, through a
  // readable descriptor of it (fd() may be O_PATH).
  FsResult<void> sync(bool data_only) const;

 private:
  UniqueFd fd_;
  Access access_;
  Resolver resolver_;
  MountId mount_;
};

}  // namespace wippy::fs
