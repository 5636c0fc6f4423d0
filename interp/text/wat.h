// wat.h — the WebAssembly text format (WAT) front end.
// wat_to_wasm() parses one module in text form — either a bare sequence of
// module fields or a `(module ...)` form, including `(module binary ...)` and
// `(module quote ...)` — and encodes it to the binary format, which then goes
// through the ordinary decoder and validator. Errors are ErrorKind::Malformed
// with "LINE:COL: message". Identifiers that do not resolve ("unknown
// function $f") are malformed text, as in the spec; out-of-range numeric
// indices are encoded as-is and left to the validator.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wippy {

Result<std::vector<uint8_t>> wat_to_wasm(std::string_view source);

}  // namespace wippy
