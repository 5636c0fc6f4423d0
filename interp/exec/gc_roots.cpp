// gc_roots.cpp — GC stack-map lookup, the frame and exception roots, and
// allocation that collects first when due (gc_roots.h).
#include "gc_roots.h"

#include <algorithm>

#include "packed.h"
#include "interp/runtime/gc_heap.h"

namespace wippy::exec {

bool GcStackMap::at(uint32_t key, std::span<const uint32_t>& out) const {
  auto it = std::lower_bound(keys.begin(), keys.end(), key);
  if (it == keys.end() || *it != key) return false;
  const size_t i = size_t(it - keys.begin());
  out = std::span<const uint32_t>(slots).subspan(starts[i], starts[i + 1] - starts[i]);
  return true;
}

bool holds_gc_refs(const Module& m, ValType t) {
  if (!is_ref(t)) return false;
  const uint32_t heap = ref_heap(t);
  if (heap >= kHeapTypeBase) return !m.is_func_type(heap - kHeapTypeBase);
  return heap == kHeapAny || heap == kHeapEq || heap == kHeapStruct || heap == kHeapArray || heap == kHeapExtern;
}

bool module_holds_gc_refs(const Module& m) {
  auto any_of = [&](const auto& ts) {
    return std::any_of(ts.begin(), ts.end(), [&](ValType t) { return holds_gc_refs(m, t); });
  };
  for (const SubType& s : m.subtypes)
    if (s.kind != CompKind::Func) return true;
  for (const FuncType& f : m.types)
    if (any_of(f.params) || any_of(f.results)) return true;
  for (const GlobalType& g : m.imported_globals)
    if (holds_gc_refs(m, g.type)) return true;
  for (const Global& g : m.globals)
    if (holds_gc_refs(m, g.type.type)) return true;
  for (const TableType& t : m.imported_tables)
    if (holds_gc_refs(m, t.elem)) return true;
  for (const TableType& t : m.tables)
    if (holds_gc_refs(m, t.elem)) return true;
  for (const ElemSegment& e : m.elems)
    if (holds_gc_refs(m, e.type)) return true;
  for (const FuncBody& b : m.codes)
    for (const LocalDecl& d : b.locals)
      if (holds_gc_refs(m, d.type)) return true;
  return false;
}

namespace {

// Marks the references of one stopped wasm frame. Its function is found from
// its pc among its module's functions with maps; one without a map holds no
// GC reference. A map without this safepoint would be a compiler bug, which
// must not become a freed live object: the collection is refused.
bool mark_frame(GcHeap& heap, const Frame& f) {
  CompiledModule* cm = f.inst ? f.inst->code.get() : nullptr;
  if (!cm || !cm->gc_maps) return true;
  const CompiledFunc* cf;
  {
    std::lock_guard<std::mutex> lock(cm->mu);
    cf = find_by_code(cm->gc_funcs, f.pc);
  }
  if (!cf) return false;  // every function of such a module has a map
  std::span<const uint32_t> slots;
  if (!cf->gc_map->at(uint32_t(f.pc - cf->code.data()), slots)) return false;
  for (uint32_t s : cf->gc_map->locals) heap.mark(f.fp[s].ref);
  for (uint32_t s : slots) heap.mark(f.fp[s].ref);
  return true;
}

// Exception payloads: packed values (packed.h) typed by their tag.
void mark_exceptions(GcHeap& heap, const Store::ExecState& st) {
  for (const auto& x : st.exns) {
    if (!x->tag || x->vals.empty()) continue;
    const std::vector<ValType>& ts = x->tag->type.params;
    const std::vector<uint32_t> off = packed_offsets(ts);
    for (size_t i = 0; i < ts.size(); ++i)
      if (is_ref(ts[i]) && off[i] < x->vals.size()) heap.mark(x->vals[off[i]].ref);
  }
}

}  // namespace

uint64_t gc_collect(Store& store, Store::ExecState& st, const Frame* frames_end) {
  GcHeap* heap = store.gc_heap();
  if (!heap) return 0;
  for (const Frame* f = st.frames; f != frames_end; ++f)
    if (!mark_frame(*heap, *f)) {
      heap->unmark();
      return 0;
    }
  mark_exceptions(*heap, st);
  store.gc_mark_roots();
  return heap->sweep();
}

GcObject* gc_alloc(Store& store, Store::ExecState& st, const Frame* frames_end, uint32_t id, uint32_t length) {
  if (frames_end && store.gc_due(id, length)) gc_collect(store, st, frames_end);
  return store.gc_allocate(id, length);
}

}  // namespace wippy::exec
