// filesystem_types.cpp — wasi:filesystem/types: the descriptor methods that
// act on the descriptor itself (the *-at path methods are in
// filesystem_paths.cpp, read-directory in filesystem_dirs.cpp).
// As in wasmtime: file-only methods on a directory fail with
// bad-descriptor; streams, read and write need a file opened for reading /
// writing (else bad-descriptor); read returns at most 1 MiB and reports the
// end of the file only when nothing was read. Mutations through a
// descriptor of a read-only grant (set-size, set-times, write, streams
// cannot be opened for writing there) fail with read-only. stat, get-type,
// get-flags, sync, advise and metadata-hash need no rights beyond the
// descriptor. is-same-object compares device and inode.
#include <algorithm>

#include "hostfns/filesystem.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns::wasifs {


namespace {

constexpr uint64_t kMaxRead = 1 << 20;

fs::FsResult<fs::FileStat> stat_of(const Descriptor& d) {
  if (d.dir) return fs::stat_at(*d.dir, ".", fs::Follow::Yes);
  return d.file->stat();
}

// The reply `of(stat)` for d's stat, or the stat's error code.
template <class T, class Of>
FsReply<T> reply_of_stat(const Descriptor& d, Of of) {
  auto st = stat_of(d);
  if (!st) return FsOut<T>(fs_fail(st.error()));
  return FsOut<T>(wit_ok(of(*st)));
}

// The streams are children of the descriptor `self`.
FsReply<Own<>> read_via_stream(WasiCtx& ctx, const Descriptor& d, const Self& self, uint64_t offset) {
  if (!d.file || !d.file->opened_for_read()) return FsOut<Own<>>(fs_fail(ErrorCode::bad_descriptor));
  auto rep = ctx.state.table->insert<disp::InputStream>(std::make_shared<FileInput>(d.file, offset), self.rep());
  if (!rep) return rep.error();
  return FsOut<Own<>>(wit_ok(Own<>(ctx.state.types.input_stream, *rep)));
}

FsReply<Own<>> write_via_stream(WasiCtx& ctx, const Descriptor& d, const Self& self, std::optional<uint64_t> offset) {
  if (!d.file || !d.file->opened_for_write()) return FsOut<Own<>>(fs_fail(ErrorCode::bad_descriptor));
  auto s = std::make_shared<FileOutput>(d.file, offset, ctx.limits.max_file_bytes);
  auto rep = ctx.state.table->insert<disp::OutputStream>(std::move(s), self.rep());
  if (!rep) return rep.error();
  return FsOut<Own<>>(wit_ok(Own<>(ctx.state.types.output_stream, *rep)));
}

FsOut<> set_times(const Descriptor& d, const NewTimestamp& atim, const NewTimestamp& mtim) {
  auto a = timespec_of(atim);
  if (!a.is_ok()) return fs_fail(a.error());
  auto m = timespec_of(mtim);
  if (!m.is_ok()) return fs_fail(m.error());
  if (d.dir) return done(fs::set_times_at(*d.dir, ".", fs::Follow::Yes, a.value(), m.value()));
  return done(d.file->set_times(a.value(), m.value()));
}

FsOut<std::tuple<std::vector<uint8_t>, bool>> read(const Descriptor& d, uint64_t len, uint64_t offset) {
  if (!d.file) return fs_fail(ErrorCode::bad_descriptor);
  std::vector<uint8_t> buf(size_t(std::min(len, kMaxRead)));
  auto n = d.file->read_at(buf.data(), buf.size(), offset);
  if (!n) return fs_fail(n.error());
  buf.resize(*n);
  const bool end = *n == 0 && len > 0;
  return wit_ok(std::make_tuple(std::move(buf), end));
}

FsOut<uint64_t> write(const Descriptor& d, const std::vector<uint8_t>& buf, uint64_t offset, uint64_t max_bytes) {
  if (!d.file) return fs_fail(ErrorCode::bad_descriptor);
  if (auto over = file_quota_check(*d.file, max_bytes, false, offset, buf.size())) return fs_fail(*over);
  auto n = d.file->write_at(buf.data(), buf.size(), offset);
  if (!n) return fs_fail(n.error());
  return wit_ok(uint64_t(*n));
}

FsOut<DescriptorType> get_type(const Descriptor& d) {
  if (d.dir) return wit_ok(DescriptorType::directory);
  auto st = d.file->stat();
  if (!st) return fs_fail(st.error());
  return wit_ok(descriptor_type(st->type));
}

}  // namespace

void add_descriptor_methods(HostInterface& types, const FsHost& h) {
  auto descs = h.descriptors;

  types.func("[method]descriptor.read-via-stream", [descs](WasiCtx& ctx, Self self, uint64_t offset) -> FsReply<Own<>> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    return read_via_stream(ctx, **d, self, offset);
  });
  types.func("[method]descriptor.write-via-stream", [descs](WasiCtx& ctx, Self self, uint64_t offset) -> FsReply<Own<>> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    return write_via_stream(ctx, **d, self, offset);
  });
  types.func("[method]descriptor.append-via-stream", [descs](WasiCtx& ctx, Self self) -> FsReply<Own<>> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    return write_via_stream(ctx, **d, self, std::nullopt);
  });
  types.func("[method]descriptor.advise",
             [descs](WasiCtx& ctx, Self self, uint64_t offset, uint64_t len, Advice advice) -> FsReply<> {
               auto d = in(ctx, descs).get(self);
               if (!d) return d.error();
               if (!(*d)->file) return FsOut<>(fs_fail(ErrorCode::bad_descriptor));
               return done((*d)->file->advise(offset, len, fs::Advice(int(advice))));
             });
  for (bool data_only : {true, false}) {
    types.func(data_only ? "[method]descriptor.sync-data" : "[method]descriptor.sync",
               [descs, data_only](WasiCtx& ctx, Self self) -> FsReply<> {
                 auto d = in(ctx, descs).get(self);
                 if (!d) return d.error();
                 const Descriptor& x = **d;
                 return done(x.dir ? x.dir->sync(data_only) : x.file->sync(data_only));
               });
  }
  types.func("[method]descriptor.get-flags", [descs](WasiCtx& ctx, Self self) -> FsReply<DescriptorFlags> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    return FsOut<DescriptorFlags>(wit_ok((*d)->flags));
  });
  types.func("[method]descriptor.get-type", [descs](WasiCtx& ctx, Self self) -> FsReply<DescriptorType> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    return get_type(**d);
  });
  types.func("[method]descriptor.set-size", [descs](WasiCtx& ctx, Self self, uint64_t size) -> FsReply<> {
    auto d = in(ctx, descs).get(self);
    if (!d) return d.error();
    if (!(*d)->file) return FsOut<>(fs_fail(ErrorCode::bad_descriptor));
    if (ctx.limits.max_file_bytes != 0 && size > ctx.limits.max_file_bytes)
      return FsOut<>(fs_fail(ErrorCode::insufficient_space));
    return done((*d)->file->set_size(size));
  });
  types.func("[method]descriptor.set-times",
             [descs](WasiCtx& ctx, Self self, NewTimestamp atim, NewTimestamp mtim) -> FsReply<> {
               auto d = in(ctx, descs).get(self);
               if (!d) return d.error();
               return set_times(**d, atim, mtim);
             });
  types.func("[method]descriptor.read",
             [descs](WasiCtx& ctx, Self self, uint64_t len, uint64_t offset) -> FsReply<std::tuple<std::vector<uint8_t>, bool>> {
               auto d = in(ctx, descs).get(self);
               if (!d) return d.error();
               return read(**d, len, offset);
             });
  types.func("[method]descriptor.write",
             [descs](WasiCtx& ctx, Self self, std::vector<uint8_t> buf, uint64_t offset) -> FsReply<uint64_t> {
               auto d = in(ctx, descs).get(self);
               if (!d) return d.error();
               return write(**d, buf, offset, ctx.limits.max_file_bytes);
             });
  types.func("[method]descriptor.stat", [descs](WasiCtx& ctx, Self self) -> FsReply<DescriptorStat> {
    WIPPY_HOST_SELF(d, descs, self);
    return reply_of_stat<DescriptorStat>(d, descriptor_stat);
  });
  types.func("[method]descriptor.is-same-object", [descs](WasiCtx& ctx, Self self, Self other) -> Result<bool> {
    auto a = in(ctx, descs).get(self);
    if (!a) return a.error();
    auto b = in(ctx, descs).get(other);
    if (!b) return b.error();
    auto sa = stat_of(**a);
    auto sb = stat_of(**b);
    return sa.ok() && sb.ok() && sa->dev == sb->dev && sa->ino == sb->ino;
  });
  types.func("[method]descriptor.metadata-hash", [descs](WasiCtx& ctx, Self self) -> FsReply<MetadataHashValue> {
    WIPPY_HOST_SELF(d, descs, self);
    return reply_of_stat<MetadataHashValue>(d, metadata_hash);
  });
}

}  // namespace wippy::hostfns::wasifs
