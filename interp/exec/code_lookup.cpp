// code_lookup.cpp — compiled functions sorted by code address (code.h):
// the exception unwinder and the collector find a frame's function from its
// pc with one binary search.
#include <algorithm>

#include "code.h"

namespace wippy::exec {

void insert_by_code(std::vector<const CompiledFunc*>& funcs, const CompiledFunc* f) {
  auto by_code = [](const CompiledFunc* a, const CompiledFunc* b) { return a->code.data() < b->code.data(); };
  funcs.insert(std::upper_bound(funcs.begin(), funcs.end(), f, by_code), f);
}

const CompiledFunc* find_by_code(const std::vector<const CompiledFunc*>& funcs, const Word* pc) {
  auto it = std::upper_bound(funcs.begin(), funcs.end(), pc,
                             [](const Word* p, const CompiledFunc* f) { return p < f->code.data(); });
  if (it == funcs.begin()) return nullptr;
  const CompiledFunc* f = *--it;
  return pc < f->code.data() + f->code.size() ? f : nullptr;
}

}  // namespace wippy::exec
