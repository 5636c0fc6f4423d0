// type_canon.h — iso-recursive type canonicalisation. A recursion group's
// key spells every member (kind, finality, supertype, fields or signature)
// with references inside the group as group-relative positions and
// references to earlier types as their canonical ids: two groups are
// equivalent exactly when their keys are equal. canonicalize_types() gives
// each type index of a module the first equivalent index (Module::type_canon);
// the Store interns keys the same way with its own ids, so equivalent groups
// of different modules get equal ids there.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "module.h"

namespace wippy {

// The key of the recursion group starting at type index `begin` of `m`;
// outer_ids[i] is the canonical id of each type i < begin. write_...()
// puts it in `key` (cleared first), reusing its capacity.
std::vector<uint32_t> rec_group_key(const Module& m, uint32_t begin, std::span<const uint32_t> outer_ids);
void write_rec_group_key(std::vector<uint32_t>& key, const Module& m, uint32_t begin,
                         std::span<const uint32_t> outer_ids);

// The key of a lone final function type without supertype (a host function's
// type; a type index in it, meaningless outside its module, is kept as is),
// put in `key` as write_rec_group_key does.
void write_func_type_key(std::vector<uint32_t>& key, const FuncType& t);

// t with a type index i of its module replaced by ids[i] (a store's
// canonical id): how a store holds the types of globals and tables.
inline ValType canonical_type(ValType t, std::span<const uint32_t> ids) {
  int64_t i = ref_type_index(t);
  if (i < 0 || uint64_t(i) >= ids.size()) return t;
  return make_ref(ref_nullable(t), kHeapTypeBase + ids[size_t(i)]);
}

// Fills m.type_canon from m.subtypes and m.types (decoder and cache).
void canonicalize_types(Module& m);

}  // namespace wippy
