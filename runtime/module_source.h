// module_source.h — fetching a function entry's module bytes.
// read_module reads a function.wasm entry's file from its fs.directory (the
// path confined inside that directory, symlinks included) and returns the
// bytes only after their SHA-256 matched the entry's hash. Errors name the
// entry: "entry ns:f: hash mismatch: expected <hex>, got <hex>".
#pragma once
#include <cstdint>
#include <vector>

#include "interp/result.h"
#include "runtime/registry.h"

namespace wippy {

Result<std::vector<uint8_t>> read_module(const Registry& reg, const FunctionEntry& fn);

}  // namespace wippy
