// compile_module.h — the one way a core module's bytes become a validated
// Module: decode_module then validate_module, errors keeping their kind
// (Malformed, Invalid). "Compile" in the sense of load-and-check; the
// threaded code is made lazily per function (exec/).
// The span form copies the bytes; the SharedBytes form keeps them.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"
#include "base/shared_bytes.h"
#include "interp/module.h"

namespace wippy {

Result<std::shared_ptr<const Module>> compile_module(std::span<const uint8_t> bytes);
Result<std::shared_ptr<const Module>> compile_module(SharedBytes bytes);

}  // namespace wippy
