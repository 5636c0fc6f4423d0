// canon.h — the canonical ABI's value conversions (CanonicalABI.md
// "Loading", "Storing", "Flat Lifting", "Flat Lowering", "Lifting and
// Lowering Values"): component Vals <-> core Values and linear memory, for
// one side of a call described by a CanonCx (the core side's memory,
// realloc, string encoding and component-instance handle table).
// Every read and write of memory is bounds- and alignment-checked and traps
// (ErrorKind::Trap) instead of going out of range; so do invalid UTF-8,
// unpaired UTF-16 surrogates, non-scalar chars, out-of-range discriminants,
// and misuse of handles. Floats are NaN-canonicalised both ways. A Val from
// the host that does not fit its type is a Trap naming the expected type.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "component/component.h"
#include "component/handles.h"
#include "component/rtype.h"
#include "component/val.h"
#include "interp/store.h"

namespace wippy::component {

struct CanonCx {
  Store& store;
  MemoryInst* memory = nullptr;
  FuncInst* realloc = nullptr;
  StringEncoding encoding = StringEncoding::Utf8;
  HandleTable* handles = nullptr;   // the core side's component instance
  const void* instance = nullptr;   // identity of that instance (resource owner)
  std::shared_ptr<CallScope> scope;  // the call being made
};

Result<Val> load(CanonCx& cx, const VType& t, uint32_t ptr);
Result<void> store(CanonCx& cx, const VType& t, const Val& v, uint32_t ptr);

// Reads core values one at a time for lift_flat().
struct FlatReader {
  std::span<const Value> values;
  size_t pos = 0;
  Result<Value> next();
};
Result<Val> lift_flat(CanonCx& cx, const VType& t, FlatReader& in);
Result<void> lower_flat(CanonCx& cx, const VType& t, const Val& v, std::vector<Value>& out);

// A whole parameter or result list. Lifting: when the flattened types exceed
// `max_flat`, `flat` holds one i32 pointer to the values laid out as a
// tuple. Lowering: when they exceed `max_flat`, the values are stored at
// `out_ptr` if given (canon lower results), else in memory obtained from
// realloc, and the pointer is the single core value returned.
Result<std::vector<Val>> lift_values(CanonCx& cx, std::span<const VTypeRef> types,
                                     std::span<const Value> flat, size_t max_flat);
Result<std::vector<Value>> lower_values(CanonCx& cx, std::span<const VTypeRef> types,
                                        std::span<const Val> vals, size_t max_flat,
                                        std::optional<uint32_t> out_ptr = std::nullopt);

// Tuple layout of a list of types (size, align).
std::pair<uint32_t, uint32_t> tuple_layout(std::span<const VTypeRef> types);

}  // namespace wippy::component
