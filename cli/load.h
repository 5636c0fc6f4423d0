// load.h — getting from files and script modules to validated Modules:
// reading a file, the bytes of a script module (text already encoded,
// binary as given, quote parsed now), and decode + validate.
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

// Binary of a script module; text errors come back as Malformed.
Result<std::vector<uint8_t>> module_bytes(const WastModule& m);

// decode_module + validate_module (errors keep their kind).
Result<std::shared_ptr<const Module>> compile_module(std::span<const uint8_t> bytes);

}  // namespace wippy::cli
