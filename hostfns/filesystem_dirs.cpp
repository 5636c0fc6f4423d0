// filesystem_dirs.cpp — wasi:filesystem/types: read-directory and the
// directory-entry-stream resource. read-directory opens a new stream of
// the directory's entries (its own position; "." and ".." left out, as in
// wasmtime); a file descriptor is not-directory. Entries are read lazily,
// one per read-directory-entry, with the type of the entry itself (a
// symlink is symbolic-link); none marks the end. A name that is not UTF-8
// is illegal-byte-sequence.
#include "hostfns/filesystem.h"

#include "base/utf8.h"

namespace wippy::hostfns::wasifs {


void add_directory_methods(HostInterface& types, const FsHost& h) {
  auto descs = h.descriptors;
  auto streams = h.dir_streams;
  types.func("[method]descriptor.read-directory",
             [descs, streams](WasiCtx& ctx, Borrow<Descriptor> self) -> FsReply<Own<DirStream>> {
               using Out = FsOut<Own<DirStream>>;
               auto d = in(ctx, descs).get(self);
               if (!d) return d.error();
               if (!(*d)->dir) return Out(fs_fail(ErrorCode::not_directory));
               auto reader = fs::DirReader::open(*(*d)->dir, ".");
               if (!reader) return Out(fs_fail(reader.error()));
               auto own = in(ctx, streams).add(std::make_shared<DirStream>(std::move(*reader)), self.rep());
               if (!own) return own.error();
               return Out(wit_ok(std::move(*own)));
             });
  types.func("[method]directory-entry-stream.read-directory-entry",
             [streams](WasiCtx& ctx, Borrow<DirStream> self) -> FsReply<std::optional<DirectoryEntry>> {
               using Out = FsOut<std::optional<DirectoryEntry>>;
               auto s = in(ctx, streams).get(self);
               if (!s) return s.error();
               auto next = (*s)->reader.next();
               if (!next) return Out(fs_fail(next.error()));
               if (!*next) return Out(wit_ok(std::optional<DirectoryEntry>{}));
               fs::DirEntry& e = **next;
               if (!valid_utf8(e.name)) return Out(fs_fail(ErrorCode::illegal_byte_sequence));
               return Out(wit_ok(std::optional<DirectoryEntry>(DirectoryEntry{descriptor_type(e.type), std::move(e.name)})));
             });
}

}  // namespace wippy::hostfns::wasifs
