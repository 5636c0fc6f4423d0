// module_source.cpp — see module_source.h.
#include "runtime/module_source.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "runtime/confined_path.h"
#include "runtime/module_hash.h"

namespace wippy {

Result<std::vector<uint8_t>> read_module(const Registry& reg, const FunctionEntry& fn) {
  auto fail = [&](ErrorKind k, std::string_view msg) {
    return make_error(k, fmt::format("entry {}: {}", fn.id, msg));
  };
  if (fn.kind != FunctionKind::Wasm)
    return fail(ErrorKind::Other, "a function.wat entry has no module file");
  const FsDirectoryEntry* dir = reg.find_fs(fn.fs);
  if (!dir) return fail(ErrorKind::Invalid, fmt::format("fs {} is not an fs.directory entry", fn.fs));
  Result<std::filesystem::path> file = confine_path(dir->directory, fn.path);
  if (!file) return fail(ErrorKind::Invalid, file.error().message);
  std::ifstream in(*file, std::ios::binary);
  if (!in)
    return fail(ErrorKind::Io, fmt::format("cannot read module {}", file->string()));
  if (!contained_on_disk(dir->directory, *file))
    return fail(ErrorKind::Invalid,
                fmt::format("path {} resolves outside directory {}", fn.path, dir->id));
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(ErrorKind::Io, fmt::format("cannot read module {}", file->string()));
  if (Result<void> ok = verify_hash(bytes, fn.hash); !ok) return fail(ok.error().kind, ok.error().message);
  return bytes;
}

}  // namespace wippy
