// decode.h — binary format decoder: bytes -> Module (not yet validated).
// Every section of WebAssembly 2.0 (SIMD opcodes decoded too). Malformed
// input is ErrorKind::Malformed with a message naming the byte offset, using
// the spec's wording where it has one ("unexpected end", "section size
// mismatch", "malformed UTF-8 encoding", "integer too large", ...).
// Function bodies are scanned instruction by instruction so that illegal
// opcodes and bad immediates are reported here, not by the validator,
// unless DecodeOptions::scan_bodies is false (see there).
#pragma once
#include <cstdint>
#include <span>

#include "base/result.h"
#include "interp/module.h"

namespace wippy {

// The span form copies the bytes into the Module; the SharedBytes form
// keeps a reference to them (e.g. a slice of the component holding it).
struct DecodeOptions {
  // false: for a module that goes on to validate_module, which reads every
  // body anyway. Bodies are then not scanned here (Module::bodies_scanned
  // is false) unless decoding fails, when a malformed body still wins as
  // before; validate_module reports malformed bodies with the decoder's
  // error, before any invalid one. A module decoded so and never validated
  // may hold malformed bodies.
  bool scan_bodies = true;
};

Result<Module> decode_module(std::span<const uint8_t> bytes, DecodeOptions options = {});
Result<Module> decode_module(SharedBytes bytes, DecodeOptions options = {});

// The error decode_module would have reported for the first malformed
// function body of `m` (decoded with scan_bodies false), or success.
Result<void> scan_function_bodies(const Module& m);

}  // namespace wippy
