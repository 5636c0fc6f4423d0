// confined_path.h — resolving a registry path inside an fs.directory.
// A path as written in a registry ("/module.wasm", "lib/x.wasm") names a file
// inside the directory: a leading '/' is the directory's root, and a path
// whose normal form climbs out of it ("../x", "/a/../../x") is refused.
// contained_on_disk also follows symlinks, for use just before opening.
#pragma once
#include <filesystem>
#include <string_view>

#include "interp/result.h"

namespace wippy {

// root / inner, lexically normalised; an error when inner leaves root or
// names root itself.
Result<std::filesystem::path> confine_path(const std::filesystem::path& root,
                                           std::string_view inner);

// True when `file`, with symlinks resolved, still lies inside `root`.
bool contained_on_disk(const std::filesystem::path& root, const std::filesystem::path& file);

}  // namespace wippy
