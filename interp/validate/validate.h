// validate.h — the spec's validation algorithm over a decoded Module:
// types, imports/exports, limits, constant expressions, segments, start, and
// every function body (operand and control stacks, unreachable code, block
// types with params, typed select, ref.func declarations). Errors are
// ErrorKind::Invalid with the spec's wording plus "in function N at offset M".
// For a module decoded without scanning its bodies (Module::bodies_scanned
// false) a malformed body is ErrorKind::Malformed, with decode_module's
// message, whatever else is wrong with the module.
#pragma once
#include "base/result.h"
#include "interp/module.h"

namespace wippy {

Result<void> validate_module(const Module& module);

}  // namespace wippy
