// load.h — getting from files and script modules to validated Modules:
// reading a file, the binary of an input file (a core module or a
// component, binary or text), the bytes of a script module (text already
// encoded, binary as given, quote parsed now), and decode + validate.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "interp/module.h"
#include "interp/result.h"
#include "interp/text/wast.h"

namespace wippy::cli {

// A regular file of at most kMaxInputFileBytes (runtime/source_file.h):
// directories, FIFOs and devices are errors, never a hang or unbounded read.
inline constexpr uint64_t kMaxInputFileBytes = uint64_t{1} << 30;
Result<std::string> read_file(const std::string& path);

// The binary of input file `path`: read as given when it starts with the
// wasm magic, else (a .wat name, or text starting with '(' or ';') encoded
// from the text format — a component when its first form is `(component`,
// else a core module. Errors name the file: "PATH: ..." (read errors as
// read_file gives them), text errors "PATH:LINE:COL: message" (Malformed).
Result<std::vector<uint8_t>> read_input_binary(const std::string& path);

// Binary of a script module; text errors come back as Malformed.
Result<std::vector<uint8_t>> module_bytes(const WastModule& m);

// decode_module + validate_module (errors keep their kind).
Result<std::shared_ptr<const Module>> compile_module(std::span<const uint8_t> bytes);

}  // namespace wippy::cli
