// filesystem_paths.cpp — wasi:filesystem/types: the descriptor methods that
// take a path relative to a directory descriptor (open-at, stat-at,
// create-directory-at, remove-directory-at, unlink-file-at, rename-at,
// link-at, symlink-at, readlink-at, set-times-at, metadata-hash-at).
// A file descriptor as the base is not-directory (wasmtime). Paths are
// resolved by fs/ beneath the directory: absolute paths, ".." above it and
// symlinks leaving it are not-permitted; mutations of a read-only grant are
// read-only before the path is looked at; rename-at and link-at between
// different grants are cross-device. link-at with symlink-follow is
// invalid (wasmtime). open-at, as in wasmtime: `directory` with create,
// exclusive or truncate is invalid; the file is opened for reading unless
// only `write` is asked; create and truncate open it for writing too;
// exclusive counts only with create; without symlink-follow a final symlink
// fails with loop. Unlike wasmtime, the sync flags are honoured (O_SYNC,
// O_DSYNC, O_RSYNC) rather than refused, and asking for mutate-directory
// on a read-only grant is read-only (as the WIT text specifies). Opens
// never block (O_NONBLOCK, so a FIFO cannot hang the thread). Created
// files get mode 0666 and directories 0777, less the umask.
#include <fcntl.h>
#include <sys/stat.h>

#include "base/utf8.h"
#include "fs/open_entry.h"
#include "hostfns/filesystem.h"
#include "hostfns/host_util.h"

namespace wippy::hostfns::wasifs {


namespace {

fs::Follow follow_of(PathFlags f) { return has(f, PathFlags::symlink_follow) ? fs::Follow::Yes : fs::Follow::No; }

FsReply<Own<Descriptor>> open_at(const FsHost& h, const fs::Dir& dir, PathFlags pf, const std::string& path,
                                 OpenFlags of, DescriptorFlags df) {
  using Out = FsOut<Own<Descriptor>>;
  const bool create = has(of, OpenFlags::create);
  const bool truncate = has(of, OpenFlags::truncate);
  const bool want_dir = has(of, OpenFlags::directory);
  if (want_dir && (create || truncate || has(of, OpenFlags::exclusive))) return Out(fs_fail(ErrorCode::invalid));
  if (has(df, DescriptorFlags::mutate_directory) && !dir.writable()) return Out(fs_fail(ErrorCode::read_only));
  const bool write = has(df, DescriptorFlags::write) || create || truncate;
  const bool read = has(df, DescriptorFlags::read) || !has(df, DescriptorFlags::write);
  int flags = (read && write) ? O_RDWR : write ? O_WRONLY : O_RDONLY;
  if (create) flags |= O_CREAT | (has(of, OpenFlags::exclusive) ? O_EXCL : 0);
  if (truncate) flags |= O_TRUNC;
  if (want_dir) flags |= O_DIRECTORY;
  if (follow_of(pf) == fs::Follow::No) flags |= O_NOFOLLOW;
  if (has(df, DescriptorFlags::file_integrity_sync)) flags |= O_SYNC;
  if (has(df, DescriptorFlags::data_integrity_sync)) flags |= O_DSYNC;
  if (has(df, DescriptorFlags::requested_write_sync)) flags |= O_RSYNC;

  // limits.max_open_files: checked before anything is opened.
  auto slot = h.ctx->state.open_files.acquire();
  if (!slot) return Out(fs_fail(ErrorCode::quota));
  auto opened = fs::open_entry(dir, path, flags, 0666);
  if (!opened) return Out(fs_fail(opened.error()));
  auto desc = std::make_shared<Descriptor>();
  desc->fd_slot = std::move(slot);
  if (opened->dir) {
    desc->dir = std::make_shared<const fs::Dir>(std::move(*opened->dir));
    desc->flags = dir_flags(*desc->dir);
  } else {
    desc->file = std::make_shared<const fs::File>(std::move(*opened->file));
    constexpr DescriptorFlags kSync = DescriptorFlags::file_integrity_sync | DescriptorFlags::data_integrity_sync |
                                      DescriptorFlags::requested_write_sync;
    desc->flags = (df & kSync) | (read ? DescriptorFlags::read : DescriptorFlags{}) |
                  (write ? DescriptorFlags::write : DescriptorFlags{});
  }
  auto own = h.descriptors.add(std::move(desc));
  if (!own) return own.error();
  return Out(wit_ok(std::move(*own)));
}

FsOut<std::string> readlink_at(const fs::Dir& dir, const std::string& path) {
  auto text = fs::readlink_at(dir, path);
  if (!text) return fs_fail(text.error());
  if (!valid_utf8(*text)) return fs_fail(ErrorCode::illegal_byte_sequence);
  return wit_ok(std::move(*text));
}

FsOut<> link_at(const fs::Dir& from, PathFlags pf, const std::string& old_path, const fs::Dir& to,
                const std::string& new_path) {
  if (!from.writable() || !to.writable()) return fs_fail(ErrorCode::read_only);
  if (has(pf, PathFlags::symlink_follow)) return fs_fail(ErrorCode::invalid);
  return done(fs::link_at(from, old_path, fs::Follow::No, to, new_path));
}

FsOut<> set_times_at(const fs::Dir& dir, PathFlags pf, const std::string& path, const NewTimestamp& atim,
                     const NewTimestamp& mtim) {
  auto a = timespec_of(atim);
  if (!a.is_ok()) return fs_fail(a.error());
  auto m = timespec_of(mtim);
  if (!m.is_ok()) return fs_fail(m.error());
  return done(fs::set_times_at(dir, path, follow_of(pf), a.value(), m.value()));
}

}  // namespace

void add_path_methods(HostInterface& types, const FsHost& h) {
  auto descs = h.descriptors;
  // Looks up `self`; on success calls fn(dir) (returning FsOut<T>), on a
  // file descriptor answers not-directory.
  auto at = [descs]<class T, class F>(WasiCtx& ctx, const Self& self, F&& fn) -> FsReply<T> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    if (!(*d)->dir) return FsOut<T>(fs_fail(ErrorCode::not_directory));
    return FsOut<T>(fn(*(*d)->dir));
  };

  types.func("[method]descriptor.open-at",
             [h](WasiCtx& ctx, Self self, PathFlags pf, std::string path, OpenFlags of, DescriptorFlags df)
                 -> FsReply<Own<Descriptor>> {
               const FsHost here = h.bound(ctx);
               auto d = here.descriptors.get(self);
               if (!d) return d.error();
               if (!(*d)->dir) return FsOut<Own<Descriptor>>(fs_fail(ErrorCode::not_directory));
               return open_at(here, *(*d)->dir, pf, path, of, df);
             });
  types.func("[method]descriptor.create-directory-at", [at](WasiCtx& ctx, Self self, std::string path) -> FsReply<> {
    return at.template operator()<void>(ctx, self, [&](const fs::Dir& dir) { return done(fs::mkdir_at(dir, path)); });
  });
  types.func("[method]descriptor.remove-directory-at", [at](WasiCtx& ctx, Self self, std::string path) -> FsReply<> {
    return at.template operator()<void>(ctx, self, [&](const fs::Dir& dir) { return done(fs::rmdir_at(dir, path)); });
  });
  types.func("[method]descriptor.unlink-file-at", [at](WasiCtx& ctx, Self self, std::string path) -> FsReply<> {
    return at.template operator()<void>(ctx, self, [&](const fs::Dir& dir) { return done(fs::unlink_at(dir, path)); });
  });
  types.func("[method]descriptor.symlink-at", [at](WasiCtx& ctx, Self self, std::string target, std::string path) -> FsReply<> {
    return at.template operator()<void>(
        ctx, self, [&](const fs::Dir& dir) { return done(fs::symlink_at(target, dir, path)); });
  });
  types.func("[method]descriptor.readlink-at", [at](WasiCtx& ctx, Self self, std::string path) -> FsReply<std::string> {
    return at.template operator()<std::string>(ctx, self, [&](const fs::Dir& dir) { return readlink_at(dir, path); });
  });
  types.func("[method]descriptor.stat-at", [at](WasiCtx& ctx, Self self, PathFlags pf, std::string path) -> FsReply<DescriptorStat> {
    return at.template operator()<DescriptorStat>(ctx, self, [&](const fs::Dir& dir) -> FsOut<DescriptorStat> {
      auto st = fs::stat_at(dir, path, follow_of(pf));
      if (!st) return fs_fail(st.error());
      return wit_ok(descriptor_stat(*st));
    });
  });
  types.func("[method]descriptor.metadata-hash-at",
             [at](WasiCtx& ctx, Self self, PathFlags pf, std::string path) -> FsReply<MetadataHashValue> {
               return at.template operator()<MetadataHashValue>(
                   ctx, self, [&](const fs::Dir& dir) -> FsOut<MetadataHashValue> {
                     auto st = fs::stat_at(dir, path, follow_of(pf));
                     if (!st) return fs_fail(st.error());
                     return wit_ok(metadata_hash(*st));
                   });
             });
  types.func("[method]descriptor.set-times-at",
             [at](WasiCtx& ctx, Self self, PathFlags pf, std::string path, NewTimestamp atim, NewTimestamp mtim) -> FsReply<> {
               return at.template operator()<void>(
                   ctx, self, [&](const fs::Dir& dir) { return set_times_at(dir, pf, path, atim, mtim); });
             });
  // rename-at and link-at: both descriptors must be directories.
  types.func("[method]descriptor.rename-at",
             [at, descs](WasiCtx& ctx, Self self, std::string old_path, Self other, std::string new_path) -> FsReply<> {
               auto o = in(ctx, descs).get(other);
               if (!o) return o.error();
               const fs::Dir* to = (*o)->dir.get();
               return at.template operator()<void>(ctx, self, [&](const fs::Dir& from) -> FsOut<> {
                 if (!to) return fs_fail(ErrorCode::not_directory);
                 return done(fs::rename_at(from, old_path, *to, new_path));
               });
             });
  types.func("[method]descriptor.link-at",
             [at, descs](WasiCtx& ctx, Self self, PathFlags pf, std::string old_path, Self other, std::string new_path)
                 -> FsReply<> {
               auto o = in(ctx, descs).get(other);
               if (!o) return o.error();
               const fs::Dir* to = (*o)->dir.get();
               return at.template operator()<void>(ctx, self, [&](const fs::Dir& from) -> FsOut<> {
                 if (!to) return fs_fail(ErrorCode::not_directory);
                 return link_at(from, pf, old_path, *to, new_path);
               });
             });
}

}  // namespace wippy::hostfns::wasifs
