// wit_signature.h — the `wit:` field of a core-module function entry: a WIT
// function signature that says how JSON arguments and results map onto the
// raw core export, e.g. `add: func(a: s32, b: s32) -> s32;`.
// Contract: the leading `name:` and the trailing `;` are optional; only
// scalar types are accepted (bool, s8..u64, f32/f64 (also float32/float64),
// char), since a core export without the canonical ABI has no way to pass
// strings or aggregates. signature_for_core() pairs a parsed signature (or,
// without one, the core type read as s32/s64/f32/f64) with the export's
// core type and errors when their flattened forms differ.
#pragma once
#include <string_view>

#include "base/result.h"
#include "component/rtype.h"
#include "interp/types.h"

namespace wippy {

// Errors are ErrorKind::Invalid, naming the offending text.
Result<component::FuncSig> parse_wit_signature(std::string_view text);

// The signature a core export is called with: `wit` when non-empty (checked
// against `core`), else the core type's own.
Result<component::FuncSig> signature_for_core(std::string_view wit, const FuncType& core);

}  // namespace wippy
