// confined_path.h — the lexical check of a registry path inside a directory.
// A path as written in a registry ("/module.wasm", "lib/x.wasm") names a file
// inside the directory: a leading '/' is the directory's root, and a path
// whose normal form climbs out of it ("../x", "/a/../../x"), names the
// directory itself or holds a NUL byte is refused. Opening the file (with
// symlinks confined too) is source_file.h's read_confined_file.
#pragma once
#include <filesystem>
#include <string_view>

#include "base/result.h"

namespace wippy {

// An error when `value` holds a NUL byte (it would silently cut a path or
// name): "<label> a/b\0... contains a NUL byte", echoing only what precedes it.
Result<void> refuse_nul(std::string_view value, std::string_view label = "path");

// root / inner, lexically normalised; an error when inner leaves root or
// names root itself.
Result<std::filesystem::path> confine_path(const std::filesystem::path& root,
                                           std::string_view inner);

}  // namespace wippy
