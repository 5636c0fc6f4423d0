// wasi_preview1_values.cpp — the shared pieces of the preview1 host (see
// wasi_preview1_host.h): fs/ errors as preview1 errno values (name for
// name; Other is `io`, as the preview1 adapter reports the 0.2 host's
// `io`), fs/ file types as preview1 filetypes (a FIFO is `unknown`, which
// preview1 has no case for), iovec lists read with bounds checks, and the
// fd table.
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns::p1 {

Errno errno_of(fs::FsErrc e) {
  using fs::FsErrc;
  switch (e) {
    case FsErrc::Access: return Errno::acces;
    case FsErrc::WouldBlock: return Errno::again;
    case FsErrc::Busy: return Errno::busy;
    case FsErrc::Exist: return Errno::exist;
    case FsErrc::TooBig: return Errno::fbig;
    case FsErrc::Interrupted: return Errno::intr;
    case FsErrc::Invalid: return Errno::inval;
    case FsErrc::Io: return Errno::io;
    case FsErrc::IsDirectory: return Errno::isdir;
    case FsErrc::Loop: return Errno::loop;
    case FsErrc::TooManyLinks: return Errno::mlink;
    case FsErrc::NameTooLong: return Errno::nametoolong;
    case FsErrc::NoEntry: return Errno::noent;
    case FsErrc::NoMemory: return Errno::nomem;
    case FsErrc::InsufficientSpace: return Errno::nospc;
    case FsErrc::NotDirectory: return Errno::notdir;
    case FsErrc::NotEmpty: return Errno::notempty;
    case FsErrc::Unsupported: return Errno::notsup;
    case FsErrc::NotPermitted: return Errno::perm;
    case FsErrc::ReadOnly: return Errno::rofs;
    case FsErrc::CrossDevice: return Errno::xdev;
    case FsErrc::BadDescriptor: return Errno::badf;
    case FsErrc::Quota: return Errno::dquot;
    case FsErrc::TextFileBusy: return Errno::txtbsy;
    case FsErrc::Overflow: return Errno::overflow;
    case FsErrc::NoDevice: return Errno::nodev;
    case FsErrc::NoSuchDevice: return Errno::nxio;
    case FsErrc::Already: return Errno::already;
    case FsErrc::InProgress: return Errno::inprogress;
    case FsErrc::Deadlock: return Errno::deadlk;
    case FsErrc::NoLock: return Errno::nolck;
    case FsErrc::MessageSize: return Errno::msgsize;
    case FsErrc::IllegalByteSequence: return Errno::ilseq;
    case FsErrc::NotRecoverable: return Errno::notrecoverable;
    case FsErrc::NoTty: return Errno::notty;
    case FsErrc::Pipe: return Errno::pipe;
    case FsErrc::InvalidSeek: return Errno::spipe;
    case FsErrc::Other: break;
  }
  return Errno::io;
}

FileType filetype_of(fs::FileType t) {
  switch (t) {
    case fs::FileType::BlockDevice: return FileType::block_device;
    case fs::FileType::CharacterDevice: return FileType::character_device;
    case fs::FileType::Directory: return FileType::directory;
    case fs::FileType::SymbolicLink: return FileType::symbolic_link;
    case fs::FileType::RegularFile: return FileType::regular_file;
    case fs::FileType::Socket: return FileType::socket_stream;
    case fs::FileType::Fifo:
    case fs::FileType::Unknown: break;
  }
  return FileType::unknown;
}

void put_filestat(uint8_t* out, const fs::FileStat& st) {
  auto ns = [](const timespec& t) {
    return t.tv_sec < 0 ? uint64_t(0) : uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
  };
  const uint64_t words[8] = {st.dev, st.ino, uint64_t(filetype_of(st.type)), st.nlink,
                             st.size, ns(st.atime), ns(st.mtime), ns(st.ctime)};
  std::memcpy(out, words, sizeof words);
}

std::optional<std::vector<IoBuf>> load_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count) {
  if (count > kMaxIovecs || !mem.fits(iovs, uint64_t(count) * 8)) return std::nullopt;
  std::vector<IoBuf> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t ptr = 0, len = 0;
    mem.load(iovs + uint64_t(i) * 8, ptr);
    mem.load(iovs + uint64_t(i) * 8 + 4, len);
    uint8_t* p = mem.at(ptr, len);
    if (!p) return std::nullopt;
    out.push_back({p, len});
  }
  return out;
}

Fd* FdTable::get(uint32_t fd) {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> FdTable::insert(Fd fd) {
  if (fds_.size() >= max) return std::nullopt;
  uint32_t n = 0;
  for (const auto& [k, v] : fds_) {  // the lowest free number
    if (k != n) break;
    ++n;
  }
  fds_.emplace(n, std::move(fd));
  return n;
}

FileFd* file_of(Fd* fd) { return fd ? std::get_if<FileFd>(&fd->obj) : nullptr; }
DirFd* dir_of(Fd* fd) { return fd ? std::get_if<DirFd>(&fd->obj) : nullptr; }
SocketFd* socket_of(Fd* fd) { return fd ? std::get_if<SocketFd>(&fd->obj) : nullptr; }

}  // namespace wippy::hostfns::p1
