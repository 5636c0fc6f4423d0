// exceptions.cpp — exception objects and handler lookup (exceptions.h).
#include "exceptions.h"

namespace wippy::exec {

ExnInst* new_exn(Store::ExecState& st, TagInst* tag, const Value* vals, uint32_t n) {
  ExnInst* x;
  if (!st.free_exns.empty()) {
    x = st.free_exns.back();
    st.free_exns.pop_back();
  } else {
    st.exns.push_back(std::make_unique<ExnInst>());
    x = st.exns.back().get();
  }
  x->tag = tag;
  x->escaped = false;
  x->vals.assign(vals, vals + n);
  return x;
}

void recycle_exn(Store::ExecState& st, ExnInst* x) {
  x->vals.clear();  // a pooled payload is no GC root (gc_roots.h)
  st.free_exns.push_back(x);
}

void register_eh_code(CompiledModule& cm, const CompiledFunc* f) { insert_by_code(cm.eh_funcs, f); }

const CompiledFunc* eh_code_at(Instance* inst, const Word* pc) {
  CompiledModule* cm = inst->code.get();
  if (!cm) return nullptr;
  std::lock_guard<std::mutex> lock(cm->mu);
  return find_by_code(cm->eh_funcs, pc);
}

const EhClause* find_clause(const CompiledFunc& f, const Word* pc, const ExnInst* x, const Instance* inst) {
  uint32_t at = uint32_t(pc - f.code.data());
  uint32_t skip = 0;
  // Handlers were added as their bodies started: of those holding `at`,
  // a later one is nested in an earlier one, so walk backwards.
  for (size_t i = f.handlers.size(); i-- > 0;) {
    const EhHandler& h = f.handlers[i];
    if (at < h.begin || at >= h.end) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    if (h.delegate_skip != kNoDelegate) {
      skip = h.delegate_skip;
      continue;
    }
    for (const EhClause& c : h.clauses)
      if (c.tag == kCatchAll || inst->tags[c.tag] == x->tag) return &c;
  }
  return nullptr;
}

}  // namespace wippy::exec
