// store.cpp — Store ownership (creation and adoption of runtime objects),
// function-type interning, the store-wide memory total, and Instance export
// lookups.
// Destruction order: the interpreter state goes first (it may refer to
// instances), then instances, then the objects they point at.
#include "interp/store.h"

#include "interp/runtime/memory_map.h"

namespace wippy {

Store::Store() = default;

Store::~Store() {
  exec_.reset();
  instances_.clear();
  funcs_.clear();
  func_blocks_.clear();
  tables_.clear();
  memories_.clear();
  globals_.clear();
}

uint32_t Store::intern_type(const FuncType& t) {
  for (size_t i = 0; i < types_.size(); ++i)
    if (types_[i] == t) return uint32_t(i);
  types_.push_back(t);
  return uint32_t(types_.size() - 1);
}

FuncInst* Store::create_host_func(FuncType type, HostFunc fn) {
  auto f = std::make_unique<FuncInst>();
  f->type_id = intern_type(type);
  f->type = std::move(type);
  f->host = std::move(fn);
  return adopt(std::move(f));
}

MemoryInst* Store::create_memory(MemoryType type) {
  auto m = std::make_unique<MemoryInst>();
  m->owner = this;
  if (!reserve_memory(*m, type)) return nullptr;
  memories_.push_back(std::move(m));
  return memories_.back().get();
}

uint64_t Store::memory_bytes() const {
  uint64_t total = table_elems() * kTableEntryBytes;
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

TableInst* Store::create_table(TableType type, uint64_t init) {
  if (type.limits.min > kMaxTableElems || !table_fits(type.limits.min)) return nullptr;
  auto t = std::make_unique<TableInst>();
  t->type = type;
  t->owner = this;
  if (!t->elems.resize(size_t(type.limits.min), init)) return nullptr;
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

TagInst* Store::create_tag(FuncType type) {
  tags_.push_back(std::make_unique<TagInst>(TagInst{std::move(type)}));
  return tags_.back().get();
}

FuncInst* Store::adopt(std::unique_ptr<FuncInst> f) {
  funcs_.push_back(std::move(f));
  return funcs_.back().get();
}

FuncInst* Store::adopt_funcs(size_t n) {
  func_blocks_.push_back(std::make_unique<FuncInst[]>(n));
  return func_blocks_.back().get();
}

Instance* Store::adopt(std::unique_ptr<Instance> i) {
  instances_.push_back(std::move(i));
  return instances_.back().get();
}

namespace {
const Extern* find_export(const Instance& inst, std::string_view name, ExternKind kind) {
  auto it = inst.exports.find(std::string(name));
  if (it == inst.exports.end() || it->second.kind != kind) return nullptr;
  return &it->second;
}
}  // namespace

FuncInst* Instance::export_func(std::string_view name) const {
  const Extern* e = find_export(*this, name, ExternKind::Func);
  return e ? e->func() : nullptr;
}

MemoryInst* Instance::export_memory(std::string_view name) const {
  const Extern* e = find_export(*this, name, ExternKind::Memory);
  return e ? e->memory() : nullptr;
}

GlobalInst* Instance::export_global(std::string_view name) const {
  const Extern* e = find_export(*this, name, ExternKind::Global);
  return e ? e->global() : nullptr;
}

TableInst* Instance::export_table(std::string_view name) const {
  const Extern* e = find_export(*this, name, ExternKind::Table);
  return e ? e->table() : nullptr;
}

}  // namespace wippy
