// fs_error.cpp — names of FsErrc values and the errno → FsErrc mapping.
#include "fs/fs_error.h"

#include <cerrno>
#include <utility>

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

namespace {

// errno <-> FsErrc; the first errno listed for a code is the one
// fs_errc_to_errno returns.
constexpr std::pair<int, FsErrc> kErrnoCodes[] = {
    {EACCES, FsErrc::Access},
    {EAGAIN, FsErrc::WouldBlock},
    {EBUSY, FsErrc::Busy},
    {EEXIST, FsErrc::Exist},
    {EFBIG, FsErrc::TooBig},
    {EINTR, FsErrc::Interrupted},
    {EINVAL, FsErrc::Invalid},
    {EIO, FsErrc::Io},
    {EISDIR, FsErrc::IsDirectory},
    {ELOOP, FsErrc::Loop},
    {EMLINK, FsErrc::TooManyLinks},
    {ENAMETOOLONG, FsErrc::NameTooLong},
    {ENOENT, FsErrc::NoEntry},
    {ENOMEM, FsErrc::NoMemory},
    {ENOSPC, FsErrc::InsufficientSpace},
    {ENOTDIR, FsErrc::NotDirectory},
    {ENOTEMPTY, FsErrc::NotEmpty},
    {ENOTSUP, FsErrc::Unsupported},
    {ENOSYS, FsErrc::Unsupported},
    {EPERM, FsErrc::NotPermitted},
    {EROFS, FsErrc::ReadOnly},
    {EXDEV, FsErrc::CrossDevice},
    {EBADF, FsErrc::BadDescriptor},
    {EDQUOT, FsErrc::Quota},
    {ETXTBSY, FsErrc::TextFileBusy},
    {EOVERFLOW, FsErrc::Overflow},
    {ENODEV, FsErrc::NoDevice},
    {ENXIO, FsErrc::NoSuchDevice},
    {EALREADY, FsErrc::Already},
    {EINPROGRESS, FsErrc::InProgress},
    {EDEADLK, FsErrc::Deadlock},
    {ENOLCK, FsErrc::NoLock},
    {EMSGSIZE, FsErrc::MessageSize},
    {EILSEQ, FsErrc::IllegalByteSequence},
    {ENOTRECOVERABLE, FsErrc::NotRecoverable},
    {ENOTTY, FsErrc::NoTty},
    {EPIPE, FsErrc::Pipe},
    {ESPIPE, FsErrc::InvalidSeek},
};

}  // namespace

FsErrc fs_errc_from_errno(int err) {
  for (const auto& [e, c] : kErrnoCodes)
    if (e == err) return c;
  return FsErrc::Other;
}

int fs_errc_to_errno(FsErrc code) {
  for (const auto& [e, c] : kErrnoCodes)
    if (c == code) return e;
  return EIO;  // Other
}

}  // namespace wippy::fs
