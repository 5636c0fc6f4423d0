// wasi_preview1_fd.cpp — the preview1 fd_* functions on the fd table of
// wasi_preview1_host.h.
// Stdio fds read and write the WasiCtx's streams (dispatcher streams:
// waits park only the calling fiber); a closed stream is `pipe` on write
// and the end (0 bytes) on read. Files keep their own position; reads and
// writes are positional on the fs::File (append mode writes at the end),
// writes past limits.max_file_bytes are nospc and write nothing. As in
// wasmtime: file-only calls on a directory are badf (fd_read, fd_write,
// fd_seek... ) and positional calls and seeks on stdio are spipe; fd_readdir
// on a file is notdir. fd_readdir lists ".", ".." and then the entries, the
// cookie being the index of the next one; the last entry is cut off when
// the buffer fills (the guest sees bufused == buf_len and asks again).
// Sockets: fd_read / fd_write are sock_recv / sock_send (wasi_preview1_sock.cpp),
// positional calls spipe, the filetype socket_stream.
// fd_renumber needs both fds open and closes `to`. fd_prestat_* answer
// only for preopens (badf otherwise). fd_fdstat_set_flags accepts append
// and nonblock; set_rights may only narrow. Out-of-bounds pointers are
// fault before anything happens.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "fs/dir_reader.h"
#include "fs/path_ops.h"
#include "hostfns/streams.h"
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns::p1 {

namespace {

Errno stream_errno(const disp::StreamOutcome& o) {
  if (o.status == disp::StreamStatus::closed) return Errno::pipe;
  return o.os_error ? errno_of(fs::fs_errc_from_errno(o.os_error)) : Errno::io;
}

// The errno of calls that need a file, given what `fd` is.
Errno not_a_file(const Fd* fd) {
  if (!fd) return Errno::badf;
  if (std::holds_alternative<DirFd>(fd->obj)) return Errno::badf;
  return Errno::spipe;  // stdio: no position
}

Result<Errno> write_iovs(Call& c, Fd& fd, const std::vector<IoBuf>& bufs, std::optional<uint64_t> at,
                         uint64_t& written) {
  if (auto* out = std::get_if<StdoutFd>(&fd.obj)) {
    if (at) return Errno::spipe;
    for (const IoBuf& b : bufs) {
      auto r = out->stream->write_all({b.data, b.len});
      if (!r) return r.error();
      if (!r->ok()) return written ? Errno::success : stream_errno(*r);
      written += b.len;
    }
    return Errno::success;
  }
  if (std::holds_alternative<StdinFd>(fd.obj)) return Errno::badf;
  if (socket_of(&fd)) return at ? Errno::spipe : socket_write(fd, bufs, written);
  FileFd* f = file_of(&fd);
  if (!f) return not_a_file(&fd);
  // As the 0.2 host (and wasmtime): fd_write needs an fd opened for
  // writing (badf); fd_pwrite asks the file, which refuses for a read-only
  // grant first (rofs).
  if (!at && !f->file->opened_for_write()) return Errno::badf;
  const bool append = !at && (fd.fdflags & kFdAppend);
  uint64_t pos = at.value_or(f->pos);
  uint64_t total = 0;
  for (const IoBuf& b : bufs) total += b.len;
  if (auto over = file_quota_check(*f->file, c.ctx().limits.max_file_bytes, append, pos, total))
    return errno_of(*over);
  for (const IoBuf& b : bufs) {
    size_t done = 0;
    while (done < b.len) {
      auto n = append ? f->file->append(b.data + done, b.len - done) : f->file->write_at(b.data + done, b.len - done, pos);
      if (!n) return written ? Errno::success : errno_of(n.error());
      if (*n == 0) return written ? Errno::success : Errno::io;
      done += *n;
      written += *n;
      pos += *n;
    }
  }
  if (!at) {
    if (append) {
      auto st = f->file->stat();
      if (st) f->pos = st->size;
    } else {
      f->pos = pos;
    }
  }
  return Errno::success;
}

Result<Errno> read_iovs(Fd& fd, const std::vector<IoBuf>& bufs, std::optional<uint64_t> at, uint64_t& nread) {
  if (auto* in = std::get_if<StdinFd>(&fd.obj)) {
    if (at) return Errno::spipe;
    uint64_t want = 0;
    for (const IoBuf& b : bufs) want += b.len;
    if (want == 0) return Errno::success;
    std::vector<uint8_t> got;
    auto r = in->stream->blocking_read(want, got);
    if (!r) return r.error();
    if (r->status == disp::StreamStatus::failed) return stream_errno(*r);
    size_t off = 0;
    for (const IoBuf& b : bufs) {
      size_t n = std::min<size_t>(b.len, got.size() - off);
      if (n) std::memcpy(b.data, got.data() + off, n);
      off += n;
    }
    nread = off;
    return Errno::success;
  }
  if (std::holds_alternative<StdoutFd>(fd.obj)) return Errno::badf;
  if (socket_of(&fd)) return at ? Errno::spipe : socket_read(fd, bufs, nread);
  FileFd* f = file_of(&fd);
  if (!f) return not_a_file(&fd);
  uint64_t pos = at.value_or(f->pos);
  for (const IoBuf& b : bufs) {
    if (b.len == 0) continue;
    auto n = f->file->read_at(b.data, b.len, pos);
    if (!n) return nread ? Errno::success : errno_of(n.error());
    nread += *n;
    pos += *n;
    if (*n < b.len) break;
  }
  if (!at) f->pos = pos;
  return Errno::success;
}

Result<Errno> rw(Call& c, bool write, std::optional<uint64_t> at, uint32_t result_ptr) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  auto bufs = load_iovecs(c.mem, c.u32(1), c.u32(2));
  if (!bufs || !c.mem.fits(result_ptr, 4)) return Errno::fault;
  uint64_t n = 0;
  auto r = write ? write_iovs(c, *fd, *bufs, at, n) : read_iovs(*fd, *bufs, at, n);
  if (!r || *r != Errno::success) return r;
  c.mem.store<uint32_t>(result_ptr, uint32_t(n));
  return Errno::success;
}

Result<Errno> fd_write(Call& c) { return rw(c, true, std::nullopt, c.u32(3)); }
Result<Errno> fd_read(Call& c) { return rw(c, false, std::nullopt, c.u32(3)); }
Result<Errno> fd_pwrite(Call& c) { return rw(c, true, c.u64(3), c.u32(4)); }
Result<Errno> fd_pread(Call& c) { return rw(c, false, c.u64(3), c.u32(4)); }

Result<Errno> fd_seek(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  FileFd* f = file_of(fd);
  if (!f) return not_a_file(fd);
  int64_t offset = int64_t(c.u64(1));
  uint32_t whence = c.u32(2);
  if (!c.mem.fits(c.u32(3), 8)) return Errno::fault;
  int64_t base = 0;
  if (whence == 1) {
    base = int64_t(f->pos);
  } else if (whence == 2) {
    auto st = f->file->stat();
    if (!st) return errno_of(st.error());
    base = int64_t(st->size);
  } else if (whence != 0) {
    return Errno::inval;
  }
  int64_t target = 0;
  if (__builtin_add_overflow(base, offset, &target) || target < 0) return Errno::inval;
  f->pos = uint64_t(target);
  c.mem.store<uint64_t>(c.u32(3), f->pos);
  return Errno::success;
}

Result<Errno> fd_tell(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  FileFd* f = file_of(fd);
  if (!f) return not_a_file(fd);
  return c.mem.store<uint64_t>(c.u32(1), f->pos) ? Errno::success : Errno::fault;
}

Result<Errno> fd_close(Call& c) { return c.host.fds.erase(c.u32(0)) ? Errno::success : Errno::badf; }

int stdio_host_fd(const WasiCtx& ctx, const Fd& fd, uint32_t n) {
  if (std::holds_alternative<StdinFd>(fd.obj)) return ctx.in.fd;
  return n == 2 ? ctx.err.fd : ctx.out.fd;
}

// The filetype of an fd: stdio is a character device only when its host
// descriptor is a terminal (what isatty() in the guest asks).
fs::FsResult<FileType> type_of(const WasiCtx& ctx, const Fd& fd, uint32_t n) {
  if (std::holds_alternative<DirFd>(fd.obj)) return FileType::directory;
  if (std::holds_alternative<SocketFd>(fd.obj)) return FileType::socket_stream;
  if (const auto* f = std::get_if<FileFd>(&fd.obj)) {
    auto st = f->file->stat();
    if (!st) return st.error();
    return filetype_of(st->type);
  }
  int host = stdio_host_fd(ctx, fd, n);
  return host >= 0 && ::isatty(host) ? FileType::character_device : FileType::unknown;
}

Result<Errno> fd_fdstat_get(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  uint8_t* out = c.mem.at(c.u32(1), 24);
  if (!out) return Errno::fault;
  auto type = type_of(c.ctx(), *fd, c.u32(0));
  if (!type) return errno_of(type.error());
  std::memset(out, 0, 24);
  out[0] = uint8_t(*type);
  std::memcpy(out + 2, &fd->fdflags, 2);
  std::memcpy(out + 8, &fd->rights_base, 8);
  std::memcpy(out + 16, &fd->rights_inheriting, 8);
  return Errno::success;
}

Result<Errno> fd_fdstat_set_flags(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  uint32_t flags = c.u32(1);
  if (flags & ~uint32_t(kFdAppend | kFdNonblock)) return Errno::inval;
  fd->fdflags = uint16_t((fd->fdflags & ~(kFdAppend | kFdNonblock)) | flags);
  return Errno::success;
}

Result<Errno> fd_fdstat_set_rights(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  uint64_t base = c.u64(1), inheriting = c.u64(2);
  if ((base & ~fd->rights_base) || (inheriting & ~fd->rights_inheriting)) return Errno::notcapable;
  fd->rights_base = base;
  fd->rights_inheriting = inheriting;
  return Errno::success;
}

Result<Errno> fd_filestat_get(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  uint8_t* out = c.mem.at(c.u32(1), 64);
  if (!out) return Errno::fault;
  fs::FsResult<fs::FileStat> st = fs::FileStat{};
  if (auto* d = dir_of(fd)) st = fs::stat_at(*d->dir, ".", fs::Follow::Yes);
  else if (auto* f = file_of(fd)) st = f->file->stat();
  if (!st) return errno_of(st.error());
  put_filestat(out, *st);
  if (!file_of(fd) && !dir_of(fd)) {
    auto type = type_of(c.ctx(), *fd, c.u32(0));
    out[16] = uint8_t(type ? *type : FileType::unknown);
  }
  return Errno::success;
}

Result<Errno> fd_filestat_set_size(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  FileFd* f = file_of(fd);
  if (!f) return Errno::badf;
  uint64_t size = c.u64(1);
  uint64_t cap = c.ctx().limits.max_file_bytes;
  if (cap != 0 && size > cap) return Errno::nospc;
  auto r = f->file->set_size(size);
  return r ? Errno::success : errno_of(r.error());
}

}  // namespace

// utimensat(2) times from preview1 fstflags (shared with path_filestat_set_times).
std::optional<std::pair<timespec, timespec>> times_of(uint64_t atim, uint64_t mtim, uint32_t flags) {
  if (flags & ~uint32_t(kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow)) return std::nullopt;
  if ((flags & kFstAtim) && (flags & kFstAtimNow)) return std::nullopt;
  if ((flags & kFstMtim) && (flags & kFstMtimNow)) return std::nullopt;
  auto one = [](uint64_t ns, bool set, bool now) {
    timespec t{};
    if (now) t.tv_nsec = UTIME_NOW;
    else if (!set) t.tv_nsec = UTIME_OMIT;
    else t = {time_t(ns / 1000000000u), long(ns % 1000000000u)};
    return t;
  };
  return std::make_pair(one(atim, flags & kFstAtim, flags & kFstAtimNow),
                        one(mtim, flags & kFstMtim, flags & kFstMtimNow));
}

namespace {

Result<Errno> fd_filestat_set_times(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  auto t = times_of(c.u64(1), c.u64(2), c.u32(3));
  if (!t) return Errno::inval;
  fs::FsResult<void> r = fs::FsErrc::BadDescriptor;
  if (auto* d = dir_of(fd)) r = fs::set_times_at(*d->dir, ".", fs::Follow::Yes, t->first, t->second);
  else if (auto* f = file_of(fd)) r = f->file->set_times(t->first, t->second);
  return r ? Errno::success : errno_of(r.error());
}

Result<Errno> fd_advise(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  FileFd* f = file_of(fd);
  if (!f) return Errno::badf;
  uint32_t advice = c.u32(3);
  if (advice > 5) return Errno::inval;
  auto r = f->file->advise(c.u64(1), c.u64(2), fs::Advice(advice));
  return r ? Errno::success : errno_of(r.error());
}

// Grows the file to offset+len when it is shorter (never shrinks).
Result<Errno> fd_allocate(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  FileFd* f = file_of(fd);
  if (!f) return Errno::badf;
  uint64_t end = 0;
  if (__builtin_add_overflow(c.u64(1), c.u64(2), &end)) return Errno::fbig;
  auto st = f->file->stat();
  if (!st) return errno_of(st.error());
  if (st->size >= end) return Errno::success;
  uint64_t cap = c.ctx().limits.max_file_bytes;
  if (cap != 0 && end > cap) return Errno::nospc;
  auto r = f->file->set_size(end);
  return r ? Errno::success : errno_of(r.error());
}

Result<Errno> sync(Call& c, bool data_only) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  fs::FsResult<void> r = fs::FsErrc::Invalid;  // stdio: nothing to sync
  if (auto* d = dir_of(fd)) r = d->dir->sync(data_only);
  else if (auto* f = file_of(fd)) r = f->file->sync(data_only);
  return r ? Errno::success : errno_of(r.error());
}
Result<Errno> fd_sync(Call& c) { return sync(c, false); }
Result<Errno> fd_datasync(Call& c) { return sync(c, true); }

Result<Errno> fd_prestat_get(Call& c) {
  DirFd* d = dir_of(c.host.fds.get(c.u32(0)));
  if (!d || !d->preopen) return Errno::badf;
  if (!c.mem.fits(c.u32(1), 8)) return Errno::fault;
  c.mem.store<uint32_t>(c.u32(1), 0);  // tag 0: dir
  c.mem.store<uint32_t>(c.u32(1) + 4, uint32_t(d->preopen->size()));
  return Errno::success;
}

Result<Errno> fd_prestat_dir_name(Call& c) {
  DirFd* d = dir_of(c.host.fds.get(c.u32(0)));
  if (!d || !d->preopen) return Errno::badf;
  uint32_t len = c.u32(2);
  if (len < d->preopen->size()) return Errno::nametoolong;
  uint8_t* out = c.mem.at(c.u32(1), d->preopen->size());
  if (!out) return Errno::fault;
  std::memcpy(out, d->preopen->data(), d->preopen->size());
  return Errno::success;
}

// One dirent (24 bytes: d_next u64, d_ino u64, d_namlen u32, d_type u8)
// and its name, cut off at the end of the buffer.
void put_dirent(uint8_t* buf, uint32_t cap, uint32_t& used, uint64_t next, uint64_t ino, FileType type,
                const std::string& name) {
  uint8_t head[24] = {};
  uint32_t namlen = uint32_t(name.size());
  std::memcpy(head, &next, 8);
  std::memcpy(head + 8, &ino, 8);
  std::memcpy(head + 16, &namlen, 4);
  head[20] = uint8_t(type);
  uint32_t n = std::min<uint32_t>(24, cap - used);
  std::memcpy(buf + used, head, n);
  used += n;
  n = std::min<uint32_t>(namlen, cap - used);
  std::memcpy(buf + used, name.data(), n);
  used += n;
}

Result<Errno> fd_readdir(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  if (!fd) return Errno::badf;
  DirFd* d = dir_of(fd);
  if (!d) return Errno::notdir;
  uint32_t cap = c.u32(2);
  uint64_t cookie = c.u64(3);
  uint8_t* buf = c.mem.at(c.u32(1), cap);
  if (!buf || !c.mem.fits(c.u32(4), 4)) return Errno::fault;
  uint32_t used = 0;
  uint64_t index = 0;
  auto emit = [&](uint64_t ino, FileType type, const std::string& name) {
    if (index++ >= cookie && used < cap) put_dirent(buf, cap, used, index, ino, type, name);
  };
  for (const char* dot : {".", ".."}) {
    auto st = fs::stat_at(*d->dir, ".", fs::Follow::Yes);
    emit(st ? st->ino : 0, FileType::directory, dot);
  }
  auto reader = fs::DirReader::open(*d->dir, ".");
  if (!reader) return errno_of(reader.error());
  while (used < cap) {
    auto e = reader->next();
    if (!e) return errno_of(e.error());
    if (!*e) break;
    FileType type = filetype_of((*e)->type);
    if ((*e)->type == fs::FileType::Unknown) {
      auto st = fs::stat_at(*d->dir, (*e)->name, fs::Follow::No);
      if (st) type = filetype_of(st->type);
    }
    emit((*e)->ino, type, (*e)->name);
  }
  c.mem.store<uint32_t>(c.u32(4), used);
  return Errno::success;
}

Result<Errno> fd_renumber(Call& c) {
  uint32_t from = c.u32(0), to = c.u32(1);
  Fd* f = c.host.fds.get(from);
  if (!f || !c.host.fds.get(to)) return Errno::badf;
  if (from == to) return Errno::success;
  Fd moved = std::move(*f);
  c.host.fds.erase(from);
  c.host.fds.put(to, std::move(moved));
  return Errno::success;
}

constexpr FuncDef kFuncs[] = {
    {"fd_advise", "iIIi", true, fd_advise},
    {"fd_allocate", "iII", true, fd_allocate},
    {"fd_close", "i", true, fd_close},
    {"fd_datasync", "i", true, fd_datasync},
    {"fd_fdstat_get", "ii", true, fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", true, fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", true, fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", true, fd_filestat_get},
    {"fd_filestat_set_size", "iI", true, fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", true, fd_filestat_set_times},
    {"fd_pread", "iiiIi", true, fd_pread},
    {"fd_prestat_get", "ii", true, fd_prestat_get},
    {"fd_prestat_dir_name", "iii", true, fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", true, fd_pwrite},
    {"fd_read", "iiii", true, fd_read},
    {"fd_readdir", "iiiIi", true, fd_readdir},
    {"fd_renumber", "ii", true, fd_renumber},
    {"fd_seek", "iIii", true, fd_seek},
    {"fd_sync", "i", true, fd_sync},
    {"fd_tell", "ii", true, fd_tell},
    {"fd_write", "iiii", true, fd_write},
};

}  // namespace

std::span<const FuncDef> fd_funcs() { return kFuncs; }

}  // namespace wippy::hostfns::p1
