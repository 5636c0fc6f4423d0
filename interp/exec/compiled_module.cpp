// compiled_module.cpp — CompiledModule (code.h): a module's code shared by
// its instances, compiled a function at a time on first call, with what
// instantiation reuses (table images, or the functions its segments name).
#include <memory>
#include <mutex>

#include "code.h"
#include "exceptions.h"
#include "gc_roots.h"
#include "interp/runtime/table_image.h"

namespace wippy {

CompiledModule::CompiledModule(std::shared_ptr<const Module> m) : module(std::move(m)) {
  gc_maps = exec::module_holds_gc_refs(*module);
  size_t n = module->funcs.size();
  funcs = std::make_unique<std::atomic<const exec::CompiledFunc*>[]>(n);
  for (size_t i = 0; i < n; ++i) funcs[i].store(nullptr, std::memory_order_relaxed);
  table_images = build_table_images(*module);
  if (table_images) return;
  for (const ElemSegment& seg : module->elems) {
    if (!seg.uses_indices || seg.mode != SegmentMode::Active) continue;
    for (uint32_t fi : seg.func_indices) mark_defined_func(elem_funcs, *module, fi);
  }
}

Result<const exec::CompiledFunc*> CompiledModule::get(uint32_t def_index) {
  if (const exec::CompiledFunc* c = funcs[def_index].load(std::memory_order_acquire)) return c;
  std::lock_guard<std::mutex> lock(mu);
  if (const exec::CompiledFunc* c = funcs[def_index].load(std::memory_order_acquire)) return c;
  auto r = exec::compile_function(*module, def_index, gc_maps);
  if (!r) return r.error();
  return install_locked(def_index, std::move(*r));
}

const exec::CompiledFunc* CompiledModule::install_locked(uint32_t def_index, std::unique_ptr<exec::CompiledFunc> f) {
  if (const exec::CompiledFunc* c = funcs[def_index].load(std::memory_order_acquire)) return c;
  const exec::CompiledFunc* c = f.get();
  owned.push_back(std::move(f));
  if (!c->handlers.empty()) exec::register_eh_code(*this, c);
  if (c->gc_map) exec::insert_by_code(gc_funcs, c);
  funcs[def_index].store(c, std::memory_order_release);
  return c;
}

std::shared_ptr<CompiledModule> prepare_code(std::shared_ptr<const Module> module) {
  return std::make_shared<CompiledModule>(std::move(module));
}

}  // namespace wippy
