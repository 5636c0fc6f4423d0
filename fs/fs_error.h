// fs_error.h — errors of the fs layer as values.
// FsErrc is an errno-like code, one per case of the WASI filesystem
// error-code enum (Other stands for an errno WASI has no case for; the WASI
// host reports it as `io`); FsResult<T> holds either a T or an FsErrc. Escapes
// from a granted directory are NotPermitted; mutations of a read-only grant
// are ReadOnly. fs_errc_from_errno maps a Linux errno to the code, fs_errc_to_errno back.
#pragma once
#include <string_view>

#include "base/result.h"

namespace wippy::fs {

enum class FsErrc {
  Access,          // EACCES: host permission bits refuse it
  WouldBlock,      // EAGAIN
  Busy,            // EBUSY: e.g. renaming "." or ".."
  Exist,           // EEXIST
  TooBig,          // EFBIG
  Interrupted,     // EINTR
  Invalid,         // EINVAL: bad argument (NUL in a path, readlink of a non-link)
  Io,              // EIO
  IsDirectory,     // EISDIR
  Loop,            // ELOOP: too many symlinks, or O_NOFOLLOW met a symlink
  TooManyLinks,    // EMLINK
  NameTooLong,     // ENAMETOOLONG
  NoEntry,         // ENOENT (also the empty path)
  NoMemory,        // ENOMEM
  InsufficientSpace, // ENOSPC
  NotDirectory,    // ENOTDIR
  NotEmpty,        // ENOTEMPTY
  Unsupported,     // ENOTSUP / EOPNOTSUPP / ENOSYS
  NotPermitted,    // EPERM: the path (or a symlink in it) leaves the granted dir
  ReadOnly,        // EROFS: the grant is read-only
  CrossDevice,     // EXDEV: rename/link between different mounts or filesystems
  BadDescriptor,   // EBADF
  Quota,           // EDQUOT
  TextFileBusy,    // ETXTBSY
  Overflow,        // EOVERFLOW
  NoDevice,        // ENODEV
  NoSuchDevice,    // ENXIO
  Already,         // EALREADY
  InProgress,      // EINPROGRESS
  Deadlock,        // EDEADLK
  NoLock,          // ENOLCK
  MessageSize,     // EMSGSIZE
  IllegalByteSequence, // EILSEQ (also a name that is not UTF-8)
  NotRecoverable,  // ENOTRECOVERABLE
  NoTty,           // ENOTTY
  Pipe,            // EPIPE
  InvalidSeek,     // ESPIPE
  Other,           // anything else
};

const char* fs_errc_name(FsErrc e);
FsErrc fs_errc_from_errno(int err);
int fs_errc_to_errno(FsErrc code);  // the errno behind a code (EIO for Other)

template <class T>
using FsResult = Result<T, FsErrc>;

}  // namespace wippy::fs
