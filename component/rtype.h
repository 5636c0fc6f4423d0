// rtype.h — resolved component value types: a type tree with no index
// spaces left in it (type indices followed, aliases and imports substituted,
// resources bound to their run-time identity), plus the canonical ABI's
// layout of each type: alignment, size in memory, and flattening to core
// value types (CanonicalABI.md "Alignment", "Element Size", "Flattening").
// Option, result and enum are kept as themselves but laid out as the
// variants they despecialize to (see variant_cases()); a map is a list of
// (key, value) tuples. A fixed-size list is stored inline and flattens to
// its elements (`flat` stops past kMaxFlatParams: such a list always spills).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "component/val.h"
#include "interp/types.h"

namespace wippy::component {

struct VType;
using VTypeRef = std::shared_ptr<const VType>;

struct VType {
  ValKind kind = ValKind::Bool;
  std::vector<std::string> labels;  // record fields, variant cases, enum, flags
  // List/Option: [elem]; Record/Tuple: field types; Variant: one per case
  // (nullptr when the case has no payload); Result: [ok, err] (nullable).
  std::vector<VTypeRef> elems;
  ResourceRef resource;  // Own / Borrow
  uint32_t length = 0;   // List: a fixed-size list (list t N) when non-zero

  // Layout, filled by make_vtype().
  uint32_t align = 1;
  uint32_t size = 0;
  std::vector<wippy::ValType> flat;
};

// Builds a type node and computes its layout from its children.
VTypeRef make_vtype(VType t);
VTypeRef prim_vtype(ValKind k);  // Bool .. String

// The case payload types of a Variant/Enum/Option/Result (nullptr = none).
std::vector<const VType*> variant_cases(const VType& t);
uint32_t discriminant_size(size_t num_cases);  // 1, 2 or 4 bytes

// A resolved component function type.
struct FuncSig {
  std::vector<std::string> param_names;
  std::vector<VTypeRef> params;
  std::optional<VTypeRef> result;
};
using FuncSigRef = std::shared_ptr<const FuncSig>;

inline constexpr size_t kMaxFlatParams = 16;
inline constexpr size_t kMaxFlatResults = 1;

// Core signature of a component function: `lower` = the caller side of
// canon lower (results spill to a caller-supplied pointer parameter),
// otherwise canon lift (results spill to a returned pointer).
wippy::FuncType flatten_func(const FuncSig& sig, bool lower);
// The same from flattened parameters and results (before spilling); the
// validator's flattening of its type graph ends here too.
wippy::FuncType spill_flat(std::vector<wippy::ValType> params, std::vector<wippy::ValType> results, bool lower);
// The core type two variant cases' payloads share at one flat position.
wippy::ValType join_flat(wippy::ValType a, wippy::ValType b);
std::vector<wippy::ValType> flatten_params(const FuncSig& sig);  // before spilling
std::vector<wippy::ValType> flatten_results(const FuncSig& sig);

// Record-like layout of a list of types (params / tuple): align and size.
uint32_t align_to(uint32_t n, uint32_t align);

std::string type_to_string(const VType& t);

// Whether two resolved types are the same type: kind, labels, fixed
// length and element types alike, resources the same run-time resource
// (the validator's type equality, on resolved types).
bool same_vtype(const VType& a, const VType& b);
// Whether a function of type `supplied` can serve an import of type
// `wanted`: parameters pairwise the same (names and types) and the same
// result. On failure, says how they differ.
Result<void> sig_matches(const FuncSig& supplied, const FuncSig& wanted);

}  // namespace wippy::component
