// module_source.h — fetching a function entry's module bytes or WAT text.
// read_module reads a function.wasm entry's file from its fs.directory (the
// path confined inside that directory, symlinks included) through
// source_file.h: a regular file of at most limits.max_module_bytes, hashed
// while it is read, returned only after its SHA-256 matched the entry's
// hash. Errors name the entry: "entry ns:f: hash mismatch: expected <hex>,
// got <hex>". read_wat_file reads a function.wat `source: file://` the same
// way (no hash), confined to `root`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/shared_bytes.h"
#include "runtime/registry.h"

namespace wippy {

Result<SharedBytes> read_module(const Registry& reg, const FunctionEntry& fn);

// `inner` beneath `root` (named `root_name` in messages); at most max_bytes.
Result<std::string> read_wat_file(const std::filesystem::path& root, std::string_view root_name,
                                  std::string_view inner, uint64_t max_bytes);

}  // namespace wippy
