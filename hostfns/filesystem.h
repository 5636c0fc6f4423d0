// filesystem.h — what the wasi:filesystem host files share (internal to
// hostfns/filesystem_*.cpp; wasi.h has the public add_filesystem()).
// A Descriptor is the host object behind a `descriptor` handle: a directory
// (an fs::Dir, with the grant's rights and mount) or an open file (an
// fs::File), shared with the streams made from it, plus the
// descriptor-flags get-flags reports. Streams made from a descriptor are its
// children in the instance's resource table (WasiState::table), so the
// descriptor (and its place in limits.max_open_files) lives while they do.
// FsHost bundles the two resource types and the WasiCtx; the binding
// lambdas capture it by value. Writes past limits.max_file_bytes fail with
// insufficient-space.
// Every path operation is confined by fs/ (fs/resolve.h, fs/path_ops.h):
// escapes are not-permitted, mutations of a read-only grant read-only.
// Unknown handles trap; everything else is an error-code.
#pragma once
#include <memory>

#include "base/result.h"
#include "component/bind.h"
#include "fs/dir.h"
#include "fs/dir_reader.h"
#include "fs/file.h"
#include "fs/file_stat.h"
#include "fs/fs_error.h"
#include "fs/path_ops.h"
#include "hostfns/filesystem_wit.h"
#include "hostfns/wasi_ctx.h"

namespace wippy::hostfns {

namespace wasifs {

using component::Borrow;
using component::HostInterface;
using component::Own;
using component::wit_ok;

struct Descriptor {
  std::shared_ptr<const fs::Dir> dir;    // set for a directory
  std::shared_ptr<const fs::File> file;  // set for anything else
  DescriptorFlags flags{};               // what get-flags reports (read/write/mutate-directory)
  std::shared_ptr<const void> fd_slot;   // opened by the guest: its place in limits.max_open_files
};

// The entries of one directory, read lazily.
struct DirStream {
  explicit DirStream(fs::DirReader r) : reader(std::move(r)) {}
  fs::DirReader reader;
};

// The filesystem resource types; bound(ctx) gives them on ctx's table
// (with ctx set), as one call of an instance uses them.
struct FsHost {
  WasiCtx* ctx = nullptr;
  component::HostResource<Descriptor> descriptors;
  component::HostResource<DirStream> dir_streams;

  FsHost bound(WasiCtx& c) const { return {&c, in(c, descriptors), in(c, dir_streams)}; }
};

// What get-flags reports for a directory: read, and mutate-directory when
// its grant is writable (mutations are governed by the grant).
inline DescriptorFlags dir_flags(const fs::Dir& d) {
  return d.writable() ? DescriptorFlags::read | DescriptorFlags::mutate_directory : DescriptorFlags::read;
}

using Self = Borrow<Descriptor>;  // the `self` of a descriptor method

template <class T = void>
using FsOut = component::WitResult<T, ErrorCode>;
template <class T = void>
using FsReply = Result<FsOut<T>>;

ErrorCode error_code(fs::FsErrc e);
inline component::WitErr<ErrorCode> fs_fail(fs::FsErrc e) { return component::wit_err(error_code(e)); }
inline component::WitErr<ErrorCode> fs_fail(ErrorCode e) { return component::wit_err(e); }
// ok, or the error of an fs/ operation.
inline FsOut<> done(const fs::FsResult<void>& r) {
  if (!r) return fs_fail(r.error());
  return component::wit_ok();
}

DescriptorType descriptor_type(fs::FileType t);
DescriptorStat descriptor_stat(const fs::FileStat& st);
MetadataHashValue metadata_hash(const fs::FileStat& st);
// no-change -> UTIME_OMIT, now -> UTIME_NOW; nanoseconds >= 1e9 is invalid,
// seconds beyond time_t overflow.
FsOut<struct timespec> timespec_of(const NewTimestamp& t);
// The per-topic parts, called by add_filesystem (filesystem_preopens.cpp).
void add_descriptor_methods(component::HostInterface& types, const FsHost& h);  // filesystem_types.cpp
void add_path_methods(component::HostInterface& types, const FsHost& h);        // filesystem_paths.cpp
void add_directory_methods(component::HostInterface& types, const FsHost& h);   // filesystem_dirs.cpp
void add_filesystem_error_code(component::HostInterface& types);  // filesystem_errors.cpp

}  // namespace wasifs

}  // namespace wippy::hostfns
