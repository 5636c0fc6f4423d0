// input_file.h — files named on a command line, to validated Modules:
// reading a file (bounded, regular files only), the binary of an input file
// (a core module or a component, binary or text); compile_module
// (interp/compile_module.h, included here) makes the Module.
// Shared by `wippy-run run` and `inspect` and by the spec-script harness
// (wast/), which reads its scripts with read_input_file.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/shared_bytes.h"
#include "interp/compile_module.h"
#include "interp/module.h"

namespace wippy {

// A regular file of at most kMaxInputFileBytes (runtime/source_file.h):
// directories, FIFOs and devices are errors, never a hang or unbounded read.
inline constexpr uint64_t kMaxInputFileBytes = uint64_t{1} << 30;
Result<std::string> read_input_file(const std::string& path);

// The binary of input file `path`: read as given when it starts with the
// wasm magic, else (a .wat name, or text starting with '(' or ';') encoded
// from the text format — a component when its first form is `(component`,
// else a core module. Errors name the file: "PATH: ..." (read errors as
// read_input_file gives them), text errors "PATH:LINE:COL: message" (Malformed).
// `sha256`, when given, receives the lower-case hex SHA-256 of the binary
// returned (a binary file is hashed while it is read).
Result<SharedBytes> read_input_binary(const std::string& path, std::string* sha256 = nullptr);

}  // namespace wippy
