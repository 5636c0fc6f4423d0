// filesystem_errors.cpp — error codes: fs::FsErrc onto the WIT error-code
// enum (one case each; Other, an errno WASI has no case for, is `io` as in
// wasmtime), and filesystem-error-code, which recovers the code of a
// wasi:io/error made by a failed stream operation (none for errors that
// did not come from the OS).
#include "fs/fs_error.h"
#include "hostfns/filesystem.h"
#include "hostfns/host_util.h"

namespace wippy::hostfns::wasifs {

ErrorCode error_code(fs::FsErrc e) {
  using fs::FsErrc;
  switch (e) {
    case FsErrc::Access: return ErrorCode::access;
    case FsErrc::WouldBlock: return ErrorCode::would_block;
    case FsErrc::Busy: return ErrorCode::busy;
    case FsErrc::Exist: return ErrorCode::exist;
    case FsErrc::TooBig: return ErrorCode::file_too_large;
    case FsErrc::Interrupted: return ErrorCode::interrupted;
    case FsErrc::Invalid: return ErrorCode::invalid;
    case FsErrc::Io: return ErrorCode::io;
    case FsErrc::IsDirectory: return ErrorCode::is_directory;
    case FsErrc::Loop: return ErrorCode::loop;
    case FsErrc::TooManyLinks: return ErrorCode::too_many_links;
    case FsErrc::NameTooLong: return ErrorCode::name_too_long;
    case FsErrc::NoEntry: return ErrorCode::no_entry;
    case FsErrc::NoMemory: return ErrorCode::insufficient_memory;
    case FsErrc::InsufficientSpace: return ErrorCode::insufficient_space;
    case FsErrc::NotDirectory: return ErrorCode::not_directory;
    case FsErrc::NotEmpty: return ErrorCode::not_empty;
    case FsErrc::Unsupported: return ErrorCode::unsupported;
    case FsErrc::NotPermitted: return ErrorCode::not_permitted;
    case FsErrc::ReadOnly: return ErrorCode::read_only;
    case FsErrc::CrossDevice: return ErrorCode::cross_device;
    case FsErrc::BadDescriptor: return ErrorCode::bad_descriptor;
    case FsErrc::Quota: return ErrorCode::quota;
    case FsErrc::TextFileBusy: return ErrorCode::text_file_busy;
    case FsErrc::Overflow: return ErrorCode::overflow;
    case FsErrc::NoDevice: return ErrorCode::no_device;
    case FsErrc::NoSuchDevice: return ErrorCode::no_such_device;
    case FsErrc::Already: return ErrorCode::already;
    case FsErrc::InProgress: return ErrorCode::in_progress;
    case FsErrc::Deadlock: return ErrorCode::deadlock;
    case FsErrc::NoLock: return ErrorCode::no_lock;
    case FsErrc::MessageSize: return ErrorCode::message_size;
    case FsErrc::IllegalByteSequence: return ErrorCode::illegal_byte_sequence;
    case FsErrc::NotRecoverable: return ErrorCode::not_recoverable;
    case FsErrc::NoTty: return ErrorCode::no_tty;
    case FsErrc::Pipe: return ErrorCode::pipe;
    case FsErrc::InvalidSeek: return ErrorCode::invalid_seek;
    case FsErrc::Other: break;
  }
  return ErrorCode::io;
}

void add_filesystem_error_code(component::HostInterface& types) {
  types.func("filesystem-error-code", [](WasiCtx& ctx, component::Borrow<> err) -> Result<std::optional<ErrorCode>> {
    IoError* e = ctx.state.table->get<IoError>(err.rep());
    if (!e) return host_trap(fmt::format("filesystem-error-code: unknown error handle (rep {})", err.rep()));
    if (!e->code) return std::optional<ErrorCode>{};
    return std::optional<ErrorCode>(error_code(*e->code));
  });
}

}  // namespace wippy::hostfns::wasifs
