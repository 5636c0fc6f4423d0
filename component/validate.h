// validate.h — component validation (Binary.md / Explainer.md / CanonicalABI.md
// rules) over a decoded Component: index bounds in every index space
// (including outer aliases through enclosing components and types),
// extern names (kebab case, interface names, [constructor]/[method]/[static]
// annotations, strong uniqueness), type definitions (non-empty records,
// variants, enums, flags; unique labels; own/borrow of resources; no borrow
// in results; resources only in concrete components), core instantiation
// (imports satisfied by name, kind and type), component instantiation (every
// import supplied with a matching sort and type, type imports substituted),
// alias targets, and canon lift/lower/resource.* typing with the canonical
// options (memory/realloc required, realloc and post-return signatures,
// core function type = flattened component function type).
// Errors are ErrorKind::Invalid; messages follow wasm-tools' wording where
// the reference tests check it, and name the definition's byte offset.
// Every type definition is measured (iteratively) before anything walks it:
// nesting deeper than kMaxTypeDepth is "type nesting is too deep", and an
// effective size (nodes counted with repetition) above kMaxTypeSize is
// refused too. Every later walk over a validated type — here, in the
// canonical ABI, value printing and JSON, the WIT printer — recurses
// at most kMaxTypeDepth levels (plus a small constant) and visits a bounded
// number of nodes; tests/unit/test_depth.cpp runs them on a 64 KiB fiber.
#pragma once
#include <cstdint>

#include "base/result.h"
#include "component/component.h"

namespace wippy::component {

inline constexpr uint32_t kMaxTypeDepth = 32;
inline constexpr uint64_t kMaxTypeSize = 1'000'000;

Result<void> validate_component(const Component& component);

}  // namespace wippy::component
