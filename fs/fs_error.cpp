// fs_error.cpp — names of FsErrc values and the errno → FsErrc mapping.
#include "fs/fs_error.h"

#include <cerrno>

namespace wippy::fs {

const char* fs_errc_name(FsErrc e) {
  switch (e) {
    case FsErrc::Access: return "access";
    case FsErrc::WouldBlock: return "would-block";
    case FsErrc::Busy: return "busy";
    case FsErrc::Exist: return "exist";
    case FsErrc::TooBig: return "file-too-large";
    case FsErrc::Interrupted: return "interrupted";
    case FsErrc::Invalid: return "invalid";
    case FsErrc::Io: return "io";
    case FsErrc::IsDirectory: return "is-directory";
    case FsErrc::Loop: return "loop";
    case FsErrc::TooManyLinks: return "too-many-links";
    case FsErrc::NameTooLong: return "name-too-long";
    case FsErrc::NoEntry: return "no-entry";
    case FsErrc::NoMemory: return "insufficient-memory";
    case FsErrc::InsufficientSpace: return "insufficient-space";
    case FsErrc::NotDirectory: return "not-directory";
    case FsErrc::NotEmpty: return "not-empty";
    case FsErrc::Unsupported: return "unsupported";
    case FsErrc::NotPermitted: return "not-permitted";
    case FsErrc::ReadOnly: return "read-only";
    case FsErrc::CrossDevice: return "cross-device";
    case FsErrc::BadDescriptor: return "bad-descriptor";
    case FsErrc::Quota: return "quota";
    case FsErrc::TextFileBusy: return "text-file-busy";
    case FsErrc::Overflow: return "overflow";
    case FsErrc::NoDevice: return "no-device";
    case FsErrc::NoSuchDevice: return "no-such-device";
    case FsErrc::Already: return "already";
    case FsErrc::InProgress: return "in-progress";
    case FsErrc::Deadlock: return "deadlock";
    case FsErrc::NoLock: return "no-lock";
    case FsErrc::MessageSize: return "message-size";
    case FsErrc::IllegalByteSequence: return "illegal-byte-sequence";
    case FsErrc::NotRecoverable: return "not-recoverable";
    case FsErrc::NoTty: return "no-tty";
    case FsErrc::Pipe: return "pipe";
    case FsErrc::InvalidSeek: return "invalid-seek";
    case FsErrc::Other: return "other";
  }
  return "other";
}

FsErrc fs_errc_from_errno(int err) {
  switch (err) {
    case EACCES: return FsErrc::Access;
    case EAGAIN: return FsErrc::WouldBlock;
    case EBUSY: return FsErrc::Busy;
    case EEXIST: return FsErrc::Exist;
    case EFBIG: return FsErrc::TooBig;
    case EINTR: return FsErrc::Interrupted;
    case EINVAL: return FsErrc::Invalid;
    case EIO: return FsErrc::Io;
    case EISDIR: return FsErrc::IsDirectory;
    case ELOOP: return FsErrc::Loop;
    case EMLINK: return FsErrc::TooManyLinks;
    case ENAMETOOLONG: return FsErrc::NameTooLong;
    case ENOENT: return FsErrc::NoEntry;
    case ENOMEM: return FsErrc::NoMemory;
    case ENOSPC: return FsErrc::InsufficientSpace;
    case ENOTDIR: return FsErrc::NotDirectory;
    case ENOTEMPTY: return FsErrc::NotEmpty;
    case ENOTSUP: return FsErrc::Unsupported;  // == EOPNOTSUPP on Linux
    case ENOSYS: return FsErrc::Unsupported;
    case EPERM: return FsErrc::NotPermitted;
    case EROFS: return FsErrc::ReadOnly;
    case EXDEV: return FsErrc::CrossDevice;
    case EBADF: return FsErrc::BadDescriptor;
    case EDQUOT: return FsErrc::Quota;
    case ETXTBSY: return FsErrc::TextFileBusy;
    case EOVERFLOW: return FsErrc::Overflow;
    case ENODEV: return FsErrc::NoDevice;
    case ENXIO: return FsErrc::NoSuchDevice;
    case EALREADY: return FsErrc::Already;
    case EINPROGRESS: return FsErrc::InProgress;
    case EDEADLK: return FsErrc::Deadlock;
    case ENOLCK: return FsErrc::NoLock;
    case EMSGSIZE: return FsErrc::MessageSize;
    case EILSEQ: return FsErrc::IllegalByteSequence;
    case ENOTRECOVERABLE: return FsErrc::NotRecoverable;
    case ENOTTY: return FsErrc::NoTty;
    case EPIPE: return FsErrc::Pipe;
    case ESPIPE: return FsErrc::InvalidSeek;
    default: return FsErrc::Other;
  }
}

}  // namespace wippy::fs
