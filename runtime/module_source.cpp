// module_source.cpp — see module_source.h.
#include "runtime/module_source.h"

#include <fmt/format.h>

#include "runtime/module_hash.h"
#include "runtime/source_file.h"

namespace wippy {

Result<SharedBytes> read_module(const Registry& reg, const FunctionEntry& fn) {
  auto fail = [&](ErrorKind k, std::string_view msg) {
    return make_error(k, fmt::format("entry {}: {}", fn.id, msg));
  };
  if (fn.kind != FunctionKind::Wasm)
    return fail(ErrorKind::Other, "a function.wat entry has no module file");
  const FsDirectoryEntry* dir = reg.find_fs(fn.fs);
  if (!dir) return fail(ErrorKind::Invalid, fmt::format("fs {} is not an fs.directory entry", fn.fs));
  Sha256 hasher;
  ReadSpec spec;
  spec.what = "module";
  spec.max_bytes = fn.limits.max_module_bytes;
  spec.limit_name = "limits.max_module_bytes";
  spec.root_name = dir->id;
  spec.hasher = &hasher;
  Result<SharedBytes> bytes = read_confined_file(dir->directory, fn.path, spec);
  if (!bytes) return fail(bytes.error().kind, bytes.error().message);
  if (Result<void> ok = check_digest(hasher.finish_hex(), fn.hash); !ok)
    return fail(ok.error().kind, ok.error().message);
  return bytes;
}

Result<std::string> read_wat_file(const std::filesystem::path& root, std::string_view root_name,
                                  std::string_view inner, uint64_t max_bytes) {
  ReadSpec spec;
  spec.what = "file";
  spec.max_bytes = max_bytes;
  spec.limit_name = "limits.max_module_bytes";
  spec.root_name = root_name;
  Result<SharedBytes> bytes = read_confined_file(root, inner, spec);
  if (!bytes) return bytes.error();
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace wippy
