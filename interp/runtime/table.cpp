// table.cpp — TableInst::grow: bounded by the table's max, kMaxTableElems and
// the owner store's limits; an allocation failure is -1 like any other.
// TableInst::resolve: a lazy entry's function, made and written back.
#include "interp/runtime/memory_map.h"

namespace wippy {

uint32_t TableInst::grow(uint32_t delta, uint64_t init) {
  uint64_t old_size = elems.size();
  uint64_t new_size = old_size + delta;
  uint64_t max = type.limits.has_max ? type.limits.max : 0xFFFFFFFFull;
  if (new_size > max || new_size > kMaxTableElems) return uint32_t(-1);
  if (delta == 0) return uint32_t(old_size);
  if (owner && !owner->table_fits(delta)) return uint32_t(-1);
  if (!elems.resize(size_t(new_size), init)) return uint32_t(-1);
  return uint32_t(old_size);
}

uint64_t TableInst::resolve(size_t i) {
  const uint64_t f = reinterpret_cast<uint64_t>(lazy_owner->func(uint32_t(elems[i] >> 1)));
  elems[i] = f;
  return f;
}

}  // namespace wippy
