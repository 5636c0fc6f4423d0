// store.cpp — Store ownership (creation and adoption of runtime objects),
// canonical type ids (recursion groups interned by their type_canon.h key),
// the store-wide memory total, Instance export lookups and functions made
// on first reference.
// Destruction order: the interpreter state goes first (it may refer to
// instances), then instances, then the objects they point at.
#include "interp/store.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <new>

#include "interp/runtime/gc_heap.h"
#include "interp/runtime/memory_map.h"
#include "interp/type_canon.h"

namespace wippy {

void Store::FreeFuncs::operator()(FuncInst* p) const { ::operator delete(static_cast<void*>(p)); }

Store::Store() = default;

Store::~Store() {
  exec_.reset();
  instances_.clear();
  host_funcs_.clear();
  func_blocks_.clear();
  tables_.clear();
  memories_.clear();
  globals_.clear();
  gc_heap_.reset();
}

bool Store::gc_fits(uint64_t n) const {
  if (!memory_fits(n)) return false;
  return limits.max_gc_bytes == 0 || (n <= limits.max_gc_bytes && gc_bytes() <= limits.max_gc_bytes - n);
}

GcObject* Store::gc_allocate(uint32_t id, uint32_t length) {
  const GcLayout* l = gc_layout(id);
  if (!l) return nullptr;
  if (!gc_fits(GcHeap::object_bytes(*l, length))) return nullptr;
  if (!gc_heap_) {
    gc_heap_ = std::make_unique<GcHeap>();
    gc_heap_->set_poison(gc_stress);
  }
  return gc_heap_->allocate(id, *l, length);
}

bool Store::gc_due(uint32_t id, uint32_t length) const {
  const GcLayout* l = gc_layout(id);
  if (!gc_heap_ || !l) return false;
  return gc_stress || gc_heap_->due() || !gc_fits(GcHeap::object_bytes(*l, length));
}

void Store::gc_mark_roots() const {
  if (!gc_heap_) return;
  GcHeap& heap = *gc_heap_;
  for (const auto& g : globals_)
    if (is_ref(g->type.type)) heap.mark(g->value.ref);
  for (const auto& t : tables_) {
    const uint32_t h = ref_heap(t->type.elem);
    if (h == kHeapFunc || h == kHeapNoFunc || (h >= kHeapTypeBase && h - kHeapTypeBase < type_defs_.size() &&
                                                    type_defs_[h - kHeapTypeBase].kind == CompKind::Func))
      continue;
    for (uint64_t r : t->elems) heap.mark(r);
  }
  for (const auto& inst : instances_)
    for (const std::vector<uint64_t>& seg : inst->elem_segments)
      for (uint64_t r : seg) heap.mark(r);
  for (const auto& [r, n] : gc_pins_) heap.mark(r);
}

void Store::gc_pin(uint64_t ref) { ++gc_pins_[ref]; }

void Store::gc_unpin(uint64_t ref) {
  auto it = gc_pins_.find(ref);
  if (it != gc_pins_.end() && --it->second == 0) gc_pins_.erase(it);
}

uint64_t Store::gc_bytes() const { return gc_heap_ ? gc_heap_->bytes() : 0; }

uint32_t Store::intern_type(const FuncType& t) {
  write_func_type_key(key_scratch_, t);
  const auto [id, fresh] = type_keys_.find_or_add(key_scratch_, uint32_t(type_defs_.size()));
  if (fresh) type_defs_.push_back(SubType{});
  return id;
}

void Store::add_type_def(const Module& m, uint32_t index, SubType def) {
  if (def.kind != CompKind::Func) {
    gc_layouts_.resize(type_defs_.size() + 1);
    gc_layouts_.back() = std::make_unique<GcLayout>(make_gc_layout(m.subtypes[index]));
  }
  type_defs_.push_back(std::move(def));
}

// Interning reads only the key table and how many definitions there are
// (the next id), never the definitions themselves: a store whose key table
// is as the memo saw it, with as many definitions, gets what the memo
// recorded.
bool Store::replay_types(const Module& m, const TypeInternMemo& memo) {
  if (!memo.valid || type_defs_.size() != memo.defs_before || !type_keys_.holds(memo.keys_before)) return false;
  type_keys_.replay(memo.keys_added, memo.slots_after);
  type_defs_.reserve(type_defs_.size() + memo.defs_added.size());
  for (size_t k = 0; k < memo.defs_added.size(); ++k) add_type_def(m, memo.added_from[k], memo.defs_added[k]);
  return true;
}

std::vector<uint32_t> Store::intern_types(const Module& m, TypeInternMemo* memo) {
  if (memo) {
    std::lock_guard lock(memo->mu);
    if (replay_types(m, *memo)) return memo->ids;
  }
  const size_t keys_before = type_keys_.size(), defs_before = type_defs_.size();
  std::vector<uint32_t> added_from;
  const uint32_t n = uint32_t(m.subtypes.size());
  std::vector<uint32_t> ids(n, 0);
  for (uint32_t begin = 0; begin < n;) {
    const uint32_t size = std::min(std::max(m.subtypes[begin].rec_size, 1u), n - begin);
    const uint32_t base = uint32_t(type_defs_.size());
    write_rec_group_key(key_scratch_, m, begin, std::span(ids.data(), begin));
    const auto [first, fresh] = type_keys_.find_or_add(key_scratch_, base);
    for (uint32_t k = 0; k < size; ++k) ids[begin + k] = first + k;
    if (fresh) {
      for (uint32_t k = 0; k < size; ++k) {
        const SubType& s = m.subtypes[begin + k];
        SubType d;
        d.kind = s.kind, d.final = s.final, d.num_supers = s.num_supers;
        d.rec_begin = base, d.rec_size = size;
        if (s.super < begin + size) d.super = ids[s.super];  // earlier (validated): its id
        add_type_def(m, begin + k, std::move(d));
        if (memo) added_from.push_back(begin + k);
      }
    }
    begin += size;
  }
  if (memo) {
    std::lock_guard lock(memo->mu);
    memo->keys_before = type_keys_.save(0, keys_before);
    memo->keys_added = type_keys_.save(keys_before, type_keys_.size());
    memo->slots_after = type_keys_.slots();
    memo->defs_before = defs_before;
    memo->defs_added.assign(type_defs_.begin() + ptrdiff_t(defs_before), type_defs_.end());
    memo->added_from = std::move(added_from);
    memo->ids = ids;
    memo->valid = true;
  }
  return ids;
}

bool Store::type_matches(uint32_t id, uint32_t want) const {
  return defined_subtype(type_graph(), id, want);
}

FuncInst* Store::create_host_func(FuncType type, HostFunc fn) {
  const uint32_t id = intern_type(type);
  return add_host_func(std::make_shared<const FuncType>(std::move(type)), id, std::move(fn), {});
}

FuncInst* Store::create_host_func(std::shared_ptr<const FuncType> type, HostFunc fn, std::shared_ptr<const void> keep) {
  auto known = std::find_if(shared_type_ids_.begin(), shared_type_ids_.end(),
                            [&](const auto& e) { return e.first == type.get(); });
  if (known != shared_type_ids_.end()) return add_host_func(std::move(type), known->second, std::move(fn), std::move(keep));
  const FuncType* key = type.get();
  const uint32_t id = intern_type(*type);
  FuncInst* f = add_host_func(std::move(type), id, std::move(fn), std::move(keep));
  // Remembered only now that a host function of this store keeps it alive.
  if (shared_type_ids_.size() < kSharedTypeIds) shared_type_ids_.emplace_back(key, id);
  return f;
}

FuncInst* Store::add_host_func(std::shared_ptr<const FuncType> type, uint32_t id, HostFunc fn,
                               std::shared_ptr<const void> keep) {
  HostFuncInst& h = *host_funcs_.make();
  h.inst.type_id = id;
  h.type = std::move(type);
  h.fn = std::move(fn);
  h.keep = std::move(keep);
  h.inst.type = h.type.get();
  h.inst.host = &h.fn;
  return &h.inst;
}

MemoryInst* Store::create_memory(MemoryType type, const std::shared_ptr<const MemoryImage>& image) {
  auto m = std::make_unique<MemoryInst>();
  m->owner = this;
  if (!reserve_memory(*m, type, image)) return nullptr;
  memories_.push_back(std::move(m));
  return memories_.back().get();
}

uint64_t Store::memory_bytes() const {
  uint64_t total = table_elems() * kTableEntryBytes + gc_bytes();
  for (const auto& m : memories_) total += m->size;
  return total;
}

uint64_t Store::table_elems() const {
  uint64_t total = 0;
  for (const auto& t : tables_) total += t->elems.size();
  return total;
}

bool Store::table_fits(uint64_t extra) const {
  if (extra > kMaxTableElems) return false;  // also keeps the products below small
  if (limits.max_table_elems != 0) {
    const uint64_t used = table_elems();
    if (used > limits.max_table_elems || extra > limits.max_table_elems - used) return false;
  }
  return memory_fits(extra * kTableEntryBytes);
}

bool Store::memory_fits(uint64_t extra) const {
  if (limits.max_memory_bytes == 0) return true;
  uint64_t used = memory_bytes();
  return used <= limits.max_memory_bytes && extra <= limits.max_memory_bytes - used;
}

TableInst* Store::create_table(TableType type, uint64_t init, std::span<const uint64_t> head) {
  if (type.limits.min > kMaxTableElems || !table_fits(type.limits.min)) return nullptr;
  auto t = std::make_unique<TableInst>();
  t->type = type;
  t->owner = this;
  const size_t n = size_t(type.limits.min);
  if (!(head.empty() ? t->elems.resize(n, init) : t->elems.assign(head, n))) return nullptr;
  tables_.push_back(std::move(t));
  return tables_.back().get();
}

GlobalInst* Store::create_global(GlobalType type, Value v) {
  auto g = std::make_unique<GlobalInst>();
  g->type = type;
  g->value = v;
  globals_.push_back(std::move(g));
  return globals_.back().get();
}

TagInst* Store::create_tag(FuncType type, uint32_t type_id) {
  tags_.push_back(std::make_unique<TagInst>(TagInst{std::move(type), type_id}));
  return tags_.back().get();
}

FuncInst* Store::adopt_func_storage(size_t n) {
  if (n > SIZE_MAX / sizeof(FuncInst)) throw std::bad_alloc();
  func_blocks_.reserve(func_blocks_.size() + 1);  // cannot throw once the block is held
  func_blocks_.emplace_back(static_cast<FuncInst*>(::operator new(n * sizeof(FuncInst))));
  return func_blocks_.back().get();
}

Instance* Store::adopt(std::unique_ptr<Instance> i) {
  instances_.push_back(std::move(i));
  return instances_.back().get();
}

namespace {
// The export `name` when it is of `kind`, as the instance `get` gives
// (Extern::func, ::memory, ...); nullptr when absent or of another kind.
template <class T>
T* find_export(const Instance& inst, std::string_view name, ExternKind kind, T* (Extern::*get)() const) {
  auto it = inst.exports.find(std::string(name));
  if (it == inst.exports.end() || it->second.kind != kind) return nullptr;
  return (it->second.*get)();
}
}  // namespace

namespace {
// What an instance's defined functions are made from, read once: the
// stores below could alias the vectors' own pointers, so reading them
// through the instance would reload them for every function.
struct FuncSource {
  FuncInst* block;
  const uint32_t* funcs;  // module->funcs: each function's type index
  const FuncType* types;  // module->types
  const uint32_t* ids;    // the instance's type_ids
  Instance* inst;
  FuncInst* make(uint32_t d) const {
    const uint32_t ti = funcs[d];
    return new (block + d) FuncInst{types + ti, ids[ti], d, inst, {nullptr}};
  }
};
}  // namespace

FuncInst* Instance::make_func(uint32_t d) {
  made[d >> 6] |= uint64_t{1} << (d & 63);
  return FuncSource{func_block, module->funcs.data(), module->types.data(), type_ids.data(), this}.make(d);
}

void Instance::make_funcs(std::span<const uint64_t> want) {
  const FuncSource src{func_block, module->funcs.data(), module->types.data(), type_ids.data(), this};
  const size_t words = std::min(want.size(), made.size());
  for (size_t w = 0; w < words; ++w) {
    for (uint64_t fresh = want[w] & ~made[w]; fresh != 0; fresh &= fresh - 1)
      src.make(uint32_t(w * 64 + size_t(std::countr_zero(fresh))));
    made[w] |= want[w];
  }
}

ExportMap::Map& ExportMap::build() const {
  built_ = true;
  if (owner_.module) {
    const std::vector<Export>& list = owner_.module->exports;
    map_.reserve(list.size());
    for (size_t j = 0; j < list.size(); ++j) map_.emplace(list[j].name, owner_.export_at(j));
  }
  return map_;
}

Extern Instance::export_at(size_t j) {
  const Export& e = module->exports[j];
  Extern x;
  x.kind = e.kind;
  switch (e.kind) {
    case ExternKind::Func: x.ptr = func(e.index); break;
    case ExternKind::Table: x.ptr = tables[e.index]; break;
    case ExternKind::Memory: x.ptr = memories[e.index]; break;
    case ExternKind::Global: x.ptr = globals[e.index]; break;
    case ExternKind::Tag: x.ptr = tags[e.index]; break;
  }
  return x;
}

FuncInst* Instance::export_func(std::string_view name) const {
  return find_export(*this, name, ExternKind::Func, &Extern::func);
}

MemoryInst* Instance::export_memory(std::string_view name) const {
  return find_export(*this, name, ExternKind::Memory, &Extern::memory);
}

GlobalInst* Instance::export_global(std::string_view name) const {
  return find_export(*this, name, ExternKind::Global, &Extern::global);
}

TableInst* Instance::export_table(std::string_view name) const {
  return find_export(*this, name, ExternKind::Table, &Extern::table);
}

}  // namespace wippy
