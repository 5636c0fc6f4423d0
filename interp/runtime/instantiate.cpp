// instantiate.cpp — instantiate(): link imports, allocate the module's
// functions, tables, memories (within the store's memory limit) and globals
// (exports by name are made on first use, ExportMap), resolve element segments (those of function indices that
// are active or declarative are never kept: an active one is written from
// its indices straight into its table, or its module's table image,
// table_image.h, was copied into the table), apply active element then data
// segments in order (a segment out of bounds traps and fails instantiation;
// earlier writes stay, as in the 2.0 spec; data segments that cannot fail
// are mapped from the module's images instead, data_image.h), drop
// active/declarative segments, then run the start function.
// The Instance is adopted by the store before any segment is applied, so
// functions written into imported tables stay valid if instantiation fails.
// Running out of memory is an Exhaustion error, never an exception.
#include <fmt/format.h>

#include <new>
#include <stdexcept>

#include "interp/exec/code.h"
#include "interp/runtime/const_eval.h"
#include "interp/runtime/data_image.h"
#include "interp/runtime/memory_image.h"
#include "interp/runtime/link.h"
#include "interp/runtime/memory_map.h"
#include "interp/runtime/table_image.h"
#include "interp/store.h"
#include "interp/type_canon.h"

namespace wippy {

namespace {

Error uninstantiable(const std::string& what, const Error& e) {
  return make_error(ErrorKind::Uninstantiable, fmt::format("{}: {}", what, e.message));
}

// `images`: the module's data images (data_image.h), or null; `tables`: its
// table images (table_image.h), or null.
Result<void> alloc_definitions(Store& store, const Module& m, Instance& inst, const DataImages* images,
                               const TableImages* tables) {
  const std::vector<uint32_t>& type_ids = inst.type_ids;
  for (uint32_t ti : m.tags) inst.tags.push_back(store.create_tag(m.types[ti], type_ids[ti]));
  // The defined functions' storage; each is written when first referenced
  // (Instance::func).
  const size_t n = m.funcs.size();
  inst.func_block = n == 0 ? nullptr : store.adopt_func_storage(n);
  inst.made.assign((n + 63) / 64, 0);
  inst.defined_count = uint32_t(n);
  for (size_t i = 0; i < m.tables.size(); ++i) {
    const uint64_t min = m.tables[i].limits.min;
    if (min > kMaxTableElems)
      return make_error(ErrorKind::Uninstantiable,
                        fmt::format("table {} too large ({} elements, at most {})", inst.tables.size(), min,
                                    kMaxTableElems));
    if (!store.table_fits(min)) {
      auto limit = [](uint64_t v) { return v ? std::to_string(v) : std::string("none"); };
      return make_error(ErrorKind::Uninstantiable,
                        fmt::format("table {} ({} elements) exceeds the store's limits (table entries: {} in use, "
                                    "limit {}; memory bytes: {} in use, limit {})",
                                    inst.tables.size(), min, store.table_elems(), limit(store.limits.max_table_elems),
                                    store.memory_bytes(), limit(store.limits.max_memory_bytes)));
    }
    TableType tt = m.tables[i];
    tt.elem = canonical_type(tt.elem, type_ids);
    // The module's image of this table: its first entries, within min
    // (table_image.h), lazy ones naming this instance's functions.
    const std::span<const uint64_t> image = tables ? std::span<const uint64_t>(tables->tables[i]) : std::span<const uint64_t>();
    TableInst* t = store.create_table(tt, 0, image);
    if (!t)
      return make_error(ErrorKind::Exhaustion,
                        fmt::format("table {} ({} elements) cannot be allocated: out of memory", inst.tables.size(),
                                    min));
    if (!image.empty()) t->lazy_owner = &inst;
    inst.tables.push_back(t);
  }
  for (size_t i = 0; i < m.memories.size(); ++i) {
    uint64_t min_bytes = m.memories[i].limits.min * uint64_t(kPageSize);
    if (!store.memory_fits(min_bytes))
      return make_error(ErrorKind::Uninstantiable,
                        fmt::format("memory {} ({} pages) exceeds the store's memory limit ({} of {} bytes in use)",
                                    inst.memories.size(), m.memories[i].limits.min, store.memory_bytes(),
                                    store.limits.max_memory_bytes));
    MemoryInst* mem = store.create_memory(m.memories[i], images ? images->memories[i] : nullptr);
    if (!mem)
      return make_error(ErrorKind::Uninstantiable,
                        fmt::format("memory {} cannot be allocated ({} pages)", inst.memories.size(),
                                    m.memories[i].limits.min));
    inst.memories.push_back(mem);
  }
  const ConstEnv env{m, inst, store};
  for (size_t i = 0; i < m.globals.size(); ++i) {
    Value hi{};
    auto v = eval_const_expr(env, m.globals[i].init, &hi);
    if (!v) return uninstantiable(fmt::format("global {} initializer", inst.globals.size()), v.error());
    GlobalType gt = m.globals[i].type;
    gt.type = canonical_type(gt.type, type_ids);
    inst.globals.push_back(store.create_global(gt, *v));
    inst.globals.back()->hi = hi;
  }
  // Table initializers (3.0) see imported globals only; evaluated once, the
  // reference fills the whole table.
  for (size_t i = 0; i < m.table_inits.size(); ++i) {
    const ConstExpr& init = m.table_inits[i];
    if (init.begin == init.end) continue;
    auto v = eval_const_expr(env, init);
    if (!v) return uninstantiable(fmt::format("table {} initializer", m.num_imported_tables() + i), v.error());
    TableInst& t = *inst.tables[m.num_imported_tables() + i];
    if (v->ref != 0) std::fill(t.elems.begin(), t.elems.end(), v->ref);
  }
  return {};
}

// Whether segment `seg` is function indices applied (or dropped) at
// instantiation: it is never kept, so apply_elems() writes its functions
// straight into the table and nothing resolves it first.
bool direct_indices(const ElemSegment& seg) { return seg.uses_indices && seg.mode != SegmentMode::Passive; }

Result<void> resolve_elems(const ConstEnv& env, Instance& inst) {
  const Module& m = env.module;
  inst.elem_segments.resize(m.elems.size());
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (direct_indices(seg)) continue;
    std::vector<uint64_t>& out = inst.elem_segments[s];
    out.reserve(seg.size());
    if (seg.uses_indices) {
      for (uint32_t fi : seg.func_indices) out.push_back(reinterpret_cast<uint64_t>(inst.func(fi)));
    } else {
      for (const ConstExpr& e : seg.inits) {
        auto v = eval_const_expr(env, e);
        if (!v) return uninstantiable(fmt::format("element segment {}", s), v.error());
        out.push_back(v->ref);
      }
    }
  }
  return {};
}

// With table images the defined tables hold their segments' entries
// already (alloc_definitions): only segments into imported tables are
// written.
Result<void> apply_elems(const ConstEnv& env, Instance& inst) {
  const Module& m = env.module;
  const TableImages* images = inst.code->table_images.get();
  // Every function an active segment of indices names, made in one pass:
  // their table entries are then written with no check per entry.
  inst.make_funcs(images ? images->imported_table_funcs : inst.code->elem_funcs);
  FuncInst* const* imported = inst.imported_funcs.data();
  const uint32_t nimported = uint32_t(inst.imported_funcs.size());
  FuncInst* const block = inst.func_block;
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (seg.mode == SegmentMode::Active && !(images && seg.table >= m.num_imported_tables())) {
      auto off = eval_const_expr(env, seg.offset);
      if (!off) return uninstantiable(fmt::format("element segment {} offset", s), off.error());
      TableInst& t = *inst.tables[seg.table];
      const std::vector<uint64_t>& refs = inst.elem_segments[s];
      const uint64_t start = t.type.limits.is64 ? off->i64 : off->i32, n = seg.size();
      if (start > t.elems.size() || n > t.elems.size() - start)
        return make_error(ErrorKind::Trap, "out of bounds table access");
      uint64_t* to = t.elems.data() + start;
      if (direct_indices(seg)) {
        const uint32_t* idx = seg.func_indices.data();
        for (uint64_t k = 0; k < n; ++k) {
          const uint32_t i = idx[k];
          to[k] = reinterpret_cast<uint64_t>(i < nimported ? imported[i] : block + (i - nimported));
        }
      } else {
        std::copy(refs.begin(), refs.end(), to);
      }
    }
    if (seg.mode != SegmentMode::Passive) {
      inst.elem_segments[s].clear();
      inst.elem_segments[s].shrink_to_fit();
    }
  }
  return {};
}

// `images` as for alloc_definitions.
Result<void> apply_datas(const ConstEnv& env, Instance& inst, const DataImages* images) {
  const Module& m = env.module;
  // Segments that cannot fail: map the module's images (data_image.h)
  // copy-on-write over the fresh memories instead of copying; active
  // segments are then dropped at once, so only passive ones are kept, and
  // the kept list ends at the last passive one (DataImages::kept).
  const size_t kept = images ? images->kept : m.datas.size();
  inst.data_segments.resize(kept);
  for (size_t s = 0; s < kept; ++s)
    if (!images || m.datas[s].mode != SegmentMode::Active) inst.data_segments[s] = m.span(m.datas[s].begin, m.datas[s].end);
  if (images) {
    const uint32_t imported = m.num_imported_memories();
    for (uint32_t k = 0; k < images->memories.size(); ++k) {
      const auto& img = images->memories[k];
      MemoryInst& mem = *inst.memories[imported + k];
      // Created above and untouched since: it reads all zero, or it is a
      // pool's block holding `img` already (map_image_fresh does nothing).
      if (img)
        if (auto r = map_image_fresh(mem, img); !r) return r.error();
    }
    return {};
  }
  // Where the segments land, up to the first that fails (the copy below
  // reports it), for the huge-page advice.
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> runs(inst.memories.size());
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataSegment& seg = m.datas[s];
    if (seg.mode != SegmentMode::Active) continue;
    auto off = eval_const_expr(env, seg.offset);
    if (!off) break;
    const MemoryInst& mem = *inst.memories[seg.memory];
    uint64_t start = mem.type.limits.is64 ? off->i64 : off->i32, n = inst.data_segments[s].size();
    if (start > mem.size || n > mem.size - start) break;
    runs[seg.memory].emplace_back(start, start + n);
  }
  for (size_t k = 0; k < runs.size(); ++k)
    if (!runs[k].empty()) advise_data_blocks(*inst.memories[k], std::move(runs[k]));
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataSegment& seg = m.datas[s];
    if (seg.mode != SegmentMode::Active) continue;
    auto off = eval_const_expr(env, seg.offset);
    if (!off) return uninstantiable(fmt::format("data segment {} offset", s), off.error());
    MemoryInst& mem = *inst.memories[seg.memory];
    std::span<const uint8_t> bytes = inst.data_segments[s];
    uint64_t start = mem.type.limits.is64 ? off->i64 : off->i32;
    if (start > mem.size || bytes.size() > mem.size - start) return make_error(ErrorKind::Trap, "out of bounds memory access");
    if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), mem.data + start);
    inst.data_segments[s] = {};
  }
  return {};
}

}  // namespace

Result<Instance*> instantiate(Store& store, std::shared_ptr<const Module> module,
                              std::span<const Extern> imports, std::shared_ptr<CompiledModule> code) {
  if (!module) return make_error(ErrorKind::Other, "instantiate: no module");
  const Module& m = *module;
  // A code object shared by several instances remembers how its module's
  // types went into a store (TypeInternMemo); one made here is used once.
  std::vector<uint32_t> type_ids = store.intern_types(m, code ? &code->type_memo : nullptr);
  if (store.num_type_ids() > kMaxTypeIndexInRef)  // ids must fit a reference type's heap field
    return make_error(ErrorKind::Uninstantiable,
                      fmt::format("the store holds too many distinct types ({})", store.num_type_ids()));
  if (auto r = check_imports(store, m, type_ids, imports); !r) return r.error();

  auto owned = std::make_unique<Instance>();
  owned->type_ids = std::move(type_ids);
  owned->module = module;
  owned->code = code ? std::move(code) : prepare_code(module);
  Instance* inst = store.adopt(std::move(owned));

  for (const Extern& e : imports) {
    switch (e.kind) {
      case ExternKind::Func: inst->imported_funcs.push_back(e.func()); break;
      case ExternKind::Table: inst->tables.push_back(e.table()); break;
      case ExternKind::Memory: inst->memories.push_back(e.memory()); break;
      case ExternKind::Global: inst->globals.push_back(e.global()); break;
      case ExternKind::Tag: inst->tags.push_back(e.tag()); break;
    }
  }
  // Memories and tables are mmap'd and report failure; this catches what
  // else runs out of memory (vectors of functions, segments, exports).
  try {
    // Asked for once per instance (the second one builds them).
    auto images = data_images(*inst->code);
    if (!images) return images.error();
    if (auto r = alloc_definitions(store, m, *inst, images->get(), inst->code->table_images.get()); !r)
      return r.error();
    const ConstEnv env{m, *inst, store};
    if (auto r = resolve_elems(env, *inst); !r) return r.error();
    if (auto r = apply_elems(env, *inst); !r) return r.error();
    if (auto r = apply_datas(env, *inst, images->get()); !r) return r.error();
  } catch (const std::bad_alloc&) {
    return make_error(ErrorKind::Exhaustion, "instantiation: out of memory");
  } catch (const std::length_error&) {
    return make_error(ErrorKind::Exhaustion, "instantiation: out of memory");
  }
  if (m.start) {
    auto r = invoke(store, inst->func(*m.start), {});
    if (!r) return r.error();
  }
  return inst;
}

}  // namespace wippy
