// wasi_preview1_path.cpp — the preview1 path_* functions. Every path is
// resolved by fs/ beneath the directory fd (fs/resolve.h, path_ops.h):
// absolute paths, ".." above it and symlinks leaving it are perm,
// mutations of a read-only grant rofs, rename and link between grants
// xdev — the same rules as the 0.2 host. A base fd that is a file is
// notdir, an unknown one badf; a path that is not UTF-8 is ilseq (as the
// 0.2 host, which takes WIT strings); out-of-bounds pointers are fault.
// path_open, as wasmtime's preview1: the file is opened for reading when
// the rights ask fd_read or fd_readdir, for writing when they ask
// fd_write, fd_datasync, fd_allocate or fd_filestat_set_size, or fdflags
// has append, or oflags creat / trunc; with neither, for reading.
// oflags directory with creat, excl or trunc is inval; without
// symlink_follow a final symlink is loop. The new fd keeps the rights asked
// for (narrowed to what its kind supports) and counts against
// limits.max_open_files (past it: nfile). path_link with symlink_follow is
// inval (wasmtime). path_readlink truncates to the buffer (as readlink(2)).
#include <fcntl.h>

#include <algorithm>

#include "base/utf8.h"
#include "fs/open_entry.h"
#include "fs/path_ops.h"
#include "hostfns/filesystem.h"
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns::p1 {

namespace {

fs::Follow follow_of(uint32_t lookupflags) {
  return (lookupflags & kLookupSymlinkFollow) ? fs::Follow::Yes : fs::Follow::No;
}

// The directory fd `fd` and the path at ptr/len, or the errno.
struct At {
  DirFd* dir = nullptr;
  std::string path;
  Errno err = Errno::success;
};

At at(Call& c, uint32_t fd, uint32_t ptr, uint32_t len) {
  At a;
  Fd* f = c.host.fds.get(fd);
  if (!f) return {nullptr, {}, Errno::badf};
  a.dir = dir_of(f);
  if (!a.dir) return {nullptr, {}, Errno::notdir};
  auto s = c.mem.string(ptr, len);
  if (!s) return {nullptr, {}, Errno::fault};
  if (!wippy::valid_utf8(*s)) return {nullptr, {}, Errno::ilseq};
  a.path = std::move(*s);
  return a;
}

Errno done(const fs::FsResult<void>& r) { return r ? Errno::success : errno_of(r.error()); }

Result<Errno> path_open(Call& c) {
  At a = at(c, c.u32(0), c.u32(2), c.u32(3));
  if (a.err != Errno::success) return a.err;
  const uint32_t dirflags = c.u32(1), oflags = c.u32(4), fdflags = c.u32(7);
  const uint64_t base = c.u64(5), inheriting = c.u64(6);
  if (!c.mem.fits(c.u32(8), 4)) return Errno::fault;
  const bool create = oflags & kOCreat, trunc = oflags & kOTrunc, excl = oflags & kOExcl;
  const bool want_dir = oflags & kODirectory;
  if (want_dir && (create || excl || trunc)) return Errno::inval;
  constexpr uint64_t kWriteRights =
      rights::fd_write | rights::fd_datasync | rights::fd_allocate | rights::fd_filestat_set_size;
  const bool write = (base & kWriteRights) || (fdflags & kFdAppend) || create || trunc;
  const bool read = (base & (rights::fd_read | rights::fd_readdir)) || !write;
  int flags = (read && write) ? O_RDWR : write ? O_WRONLY : O_RDONLY;
  if (create) flags |= O_CREAT | (excl ? O_EXCL : 0);
  if (trunc) flags |= O_TRUNC;
  if (want_dir) flags |= O_DIRECTORY;
  if (follow_of(dirflags) == fs::Follow::No) flags |= O_NOFOLLOW;
  if (fdflags & kFdSync) flags |= O_SYNC;
  if (fdflags & kFdDsync) flags |= O_DSYNC;
  if (fdflags & kFdRsync) flags |= O_RSYNC;

  auto slot = c.ctx().state.open_files.acquire();  // limits.max_open_files
  if (!slot) return Errno::nfile;
  auto opened = fs::open_entry(*a.dir->dir, a.path, flags, 0666);
  if (!opened) return errno_of(opened.error());
  Fd fd;
  fd.fdflags = uint16_t(fdflags & (kFdAppend | kFdNonblock | kFdSync | kFdDsync | kFdRsync));
  if (opened->dir) {
    fd.obj = DirFd{std::make_shared<const fs::Dir>(std::move(*opened->dir)), std::nullopt, std::move(slot)};
    fd.rights_base = base & rights::dir;
    fd.rights_inheriting = inheriting & (rights::dir | rights::file);
  } else {
    fd.obj = FileFd{std::make_shared<const fs::File>(std::move(*opened->file)), 0, std::move(slot)};
    fd.rights_base = base & rights::file;
    fd.rights_inheriting = inheriting & rights::file;
  }
  auto n = c.host.fds.insert(std::move(fd));
  if (!n) return Errno::mfile;
  c.mem.store<uint32_t>(c.u32(8), *n);
  return Errno::success;
}

Result<Errno> path_filestat_get(Call& c) {
  At a = at(c, c.u32(0), c.u32(2), c.u32(3));
  if (a.err != Errno::success) return a.err;
  uint8_t* out = c.mem.at(c.u32(4), 64);
  if (!out) return Errno::fault;
  auto st = fs::stat_at(*a.dir->dir, a.path, follow_of(c.u32(1)));
  if (!st) return errno_of(st.error());
  put_filestat(out, *st);
  return Errno::success;
}

Result<Errno> path_filestat_set_times(Call& c) {
  At a = at(c, c.u32(0), c.u32(2), c.u32(3));
  if (a.err != Errno::success) return a.err;
  auto t = times_of(c.u64(4), c.u64(5), c.u32(6));
  if (!t) return Errno::inval;
  return done(fs::set_times_at(*a.dir->dir, a.path, follow_of(c.u32(1)), t->first, t->second));
}

// A call (fd, path_ptr, path_len) that runs op(dir, path) on the path it names.
template <class Op>
Result<Errno> on_path(Call& c, Op op) {
  At a = at(c, c.u32(0), c.u32(1), c.u32(2));
  if (a.err != Errno::success) return a.err;
  return done(op(*a.dir->dir, a.path));
}

Result<Errno> path_create_directory(Call& c) {
  return on_path(c, [](const fs::Dir& d, std::string_view p) { return fs::mkdir_at(d, p); });
}

Result<Errno> path_remove_directory(Call& c) {
  return on_path(c, [](const fs::Dir& d, std::string_view p) { return fs::rmdir_at(d, p); });
}

Result<Errno> path_unlink_file(Call& c) {
  return on_path(c, [](const fs::Dir& d, std::string_view p) { return fs::unlink_at(d, p); });
}

Result<Errno> path_rename(Call& c) {
  At from = at(c, c.u32(0), c.u32(1), c.u32(2));
  if (from.err != Errno::success) return from.err;
  At to = at(c, c.u32(3), c.u32(4), c.u32(5));
  if (to.err != Errno::success) return to.err;
  return done(fs::rename_at(*from.dir->dir, from.path, *to.dir->dir, to.path));
}

Result<Errno> path_link(Call& c) {
  At from = at(c, c.u32(0), c.u32(2), c.u32(3));
  if (from.err != Errno::success) return from.err;
  At to = at(c, c.u32(4), c.u32(5), c.u32(6));
  if (to.err != Errno::success) return to.err;
  if (!from.dir->dir->writable() || !to.dir->dir->writable()) return Errno::rofs;
  if (c.u32(1) & kLookupSymlinkFollow) return Errno::inval;
  return done(fs::link_at(*from.dir->dir, from.path, fs::Follow::No, *to.dir->dir, to.path));
}

Result<Errno> path_symlink(Call& c) {
  auto target = c.mem.string(c.u32(0), c.u32(1));
  if (!target) return Errno::fault;
  if (!wippy::valid_utf8(*target)) return Errno::ilseq;
  At a = at(c, c.u32(2), c.u32(3), c.u32(4));
  if (a.err != Errno::success) return a.err;
  return done(fs::symlink_at(*target, *a.dir->dir, a.path));
}

Result<Errno> path_readlink(Call& c) {
  At a = at(c, c.u32(0), c.u32(1), c.u32(2));
  if (a.err != Errno::success) return a.err;
  uint32_t cap = c.u32(4);
  uint8_t* buf = c.mem.at(c.u32(3), cap);
  if (!buf || !c.mem.fits(c.u32(5), 4)) return Errno::fault;
  auto text = fs::readlink_at(*a.dir->dir, a.path);
  if (!text) return errno_of(text.error());
  uint32_t n = uint32_t(std::min<size_t>(cap, text->size()));
  std::memcpy(buf, text->data(), n);
  c.mem.store<uint32_t>(c.u32(5), n);
  return Errno::success;
}

constexpr FuncDef kFuncs[] = {
    {"path_create_directory", "iii", true, path_create_directory},
    {"path_filestat_get", "iiiii", true, path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", true, path_filestat_set_times},
    {"path_link", "iiiiiii", true, path_link},
    {"path_open", "iiiiiIIii", true, path_open},
    {"path_readlink", "iiiiii", true, path_readlink},
    {"path_remove_directory", "iii", true, path_remove_directory},
    {"path_rename", "iiiiii", true, path_rename},
    {"path_symlink", "iiiii", true, path_symlink},
    {"path_unlink_file", "iii", true, path_unlink_file},
};

}  // namespace

std::span<const FuncDef> path_funcs() { return kFuncs; }

}  // namespace wippy::hostfns::p1
