// decode.h — binary format decoder: bytes -> Module (not yet validated).
// Every section of WebAssembly 2.0 (SIMD opcodes decoded too). Malformed
// input is ErrorKind::Malformed with a message naming the byte offset, using
// the spec's wording where it has one ("unexpected end", "section size
// mismatch", "malformed UTF-8 encoding", "integer too large", ...).
// Function bodies are scanned instruction by instruction so that illegal
// opcodes and bad immediates are reported here, not by the validator.
#pragma once
#include <cstdint>
#include <span>

#include "base/result.h"
#include "interp/module.h"

namespace wippy {

// The span form copies the bytes into the Module; the SharedBytes form
// keeps a reference to them (e.g. a slice of the component holding it).
Result<Module> decode_module(std::span<const uint8_t> bytes);
Result<Module> decode_module(SharedBytes bytes);

}  // namespace wippy
