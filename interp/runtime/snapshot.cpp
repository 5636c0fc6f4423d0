// snapshot.cpp — StoreSnapshot::capture and restore (see interp/snapshot.h):
// memories through memory_image.h, tables, mutable globals and instance
// segments by copy.
#include "interp/snapshot.h"

#include "interp/runtime/memory_image.h"

namespace wippy {

Result<StoreSnapshot> StoreSnapshot::capture(Store& store, std::span<const std::shared_ptr<const MemoryImage>> like) {
  StoreSnapshot s;
  s.store_ = &store;
  s.memories_.reserve(store.memories_.size());
  for (size_t i = 0; i < store.memories_.size(); ++i) {
    MemoryInst* m = store.memories_[i].get();
    auto img = capture_memory_image(*m, i < like.size() ? like[i] : nullptr);
    if (!img) return img.error();
    s.memories_.push_back(Memory{std::move(*img), m->size});
  }
  s.tables_.reserve(store.tables_.size());
  for (auto& t : store.tables_) s.tables_.emplace_back(t->elems.begin(), t->elems.end());
  s.global_count_ = store.globals_.size();
  for (size_t i = 0; i < store.globals_.size(); ++i)
    if (store.globals_[i]->type.mut) s.globals_.emplace_back(i, store.globals_[i]->value);
  s.instances_.reserve(store.instances_.size());
  for (auto& inst : store.instances_) s.instances_.push_back(Segments{inst->elem_segments, inst->data_segments});
  return s;
}

std::vector<std::shared_ptr<const MemoryImage>> StoreSnapshot::images() const {
  std::vector<std::shared_ptr<const MemoryImage>> out;
  out.reserve(memories_.size());
  for (const Memory& m : memories_) out.push_back(m.image);
  return out;
}

Result<void> StoreSnapshot::restore(Store& store) const {
  if (&store != store_) return make_error(ErrorKind::Other, "snapshot restore: not the store it was captured from");
  if (store.memories_.size() != memories_.size() || store.tables_.size() != tables_.size() ||
      store.globals_.size() != global_count_ || store.instances_.size() != instances_.size())
    return make_error(ErrorKind::Other, "snapshot restore: objects were added to the store after the capture");
  // GC objects are neither captured nor restored: the captured references
  // could name objects freed or changed since, so such a store is rebuilt.
  if (store.gc_heap())
    return make_error(ErrorKind::Other, "snapshot restore: the store has GC objects (reinstantiate it)");
  for (size_t i = 0; i < memories_.size(); ++i)
    if (auto r = reset_memory(*store.memories_[i], memories_[i].image, memories_[i].size); !r) return r;
  for (size_t i = 0; i < tables_.size(); ++i)
    if (!store.tables_[i]->elems.assign(tables_[i]))
      return make_error(ErrorKind::Exhaustion, "snapshot restore: out of memory restoring a table");
  for (const auto& [index, value] : globals_) store.globals_[index]->value = value;
  for (size_t i = 0; i < instances_.size(); ++i) {
    Instance& inst = *store.instances_[i];
    const Segments& saved = instances_[i];
    // Segments only ever become empty (dropped), so a size mismatch is the
    // only change to undo.
    if (inst.elem_segments.size() != saved.elems.size()) inst.elem_segments = saved.elems;
    for (size_t e = 0; e < saved.elems.size(); ++e)
      if (inst.elem_segments[e].size() != saved.elems[e].size()) inst.elem_segments[e] = saved.elems[e];
    inst.data_segments = saved.datas;
  }
  return {};
}

uint64_t StoreSnapshot::image_bytes() const {
  uint64_t total = 0;
  for (const Memory& m : memories_) total += m.image ? m.image->bytes : 0;
  return total;
}

}  // namespace wippy
