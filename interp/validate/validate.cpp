// validate.cpp — module-level validation (the type section: references
// within reach, declared supertypes matched, not final, at most 63 deep;
// imports, limits, globals, segments, start, exports) and the driver that runs FuncValidator over
// every body. Follows the order of the spec's reference checker so that a
// module with several problems reports the same one.
#include "interp/validate/validate.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "base/lowest_failure.h"
#include "interp/decode/decode.h"
#include "interp/validate/const_expr.h"
#include "interp/validate/func_validator.h"
#include "interp/validate/validate_bodies.h"
#include "interp/quote.h"

namespace wippy {

namespace {

Error invalid(std::string msg) { return make_error(ErrorKind::Invalid, std::move(msg)); }

// `what` and `index` name the owner of the limits in messages.
Result<void> check_table_limits(const Limits& l, const char* what, size_t index) {
  if (!l.is64 && (l.min > 0xFFFFFFFFull || (l.has_max && l.max > 0xFFFFFFFFull)))
    return invalid(fmt::format("table size must be at most 2^32-1 in {} {}", what, index));
  if (l.has_max && l.min > l.max)
    return invalid(fmt::format("size minimum must not be greater than maximum in {} {}", what, index));
  return {};
}

Result<void> check_memory_limits(const Limits& l, const char* what, size_t index) {
  uint64_t top = l.is64 ? kMaxPages64 : kMaxPages;
  if (l.min > top || (l.has_max && l.max > top))
    return invalid(l.is64 ? fmt::format("memory size must be at most 2^48 pages (16 EiB) in {} {}", what, index)
                          : fmt::format("memory size must be at most 65536 pages (4GiB) in {} {}", what, index));
  if (l.has_max && l.min > l.max)
    return invalid(fmt::format("size minimum must not be greater than maximum in {} {}", what, index));
  return {};
}

// Storage type a matches b: packed types only themselves.
bool storage_subtype(const TypeGraph& g, ValType a, ValType b) {
  if (a == kPackedI8 || a == kPackedI16 || b == kPackedI8 || b == kPackedI16) return a == b;
  return val_subtype(g, a, b);
}

// A field of a subtype matches its supertype's: same mutability; an
// immutable one is covariant, a mutable one invariant.
bool field_matches(const TypeGraph& g, const FieldType& sub, const FieldType& super) {
  if (sub.mut != super.mut) return false;
  return storage_subtype(g, sub.type, super.type) && (!sub.mut || storage_subtype(g, super.type, sub.type));
}

// Type i's definition matches its declared supertype's: same kind;
// functions contravariant in parameters and covariant in results; structs
// extend the supertype's fields (each matching); arrays' elements match.
bool matches_super(const Module& m, const TypeGraph& g, uint32_t i, uint32_t s) {
  const SubType& a = m.subtypes[i];
  const SubType& b = m.subtypes[s];
  if (a.kind != b.kind) return false;
  if (a.kind == CompKind::Func) {
    const FuncType& fa = m.types[i];
    const FuncType& fb = m.types[s];
    if (fa.params.size() != fb.params.size() || fa.results.size() != fb.results.size()) return false;
    for (size_t k = 0; k < fa.params.size(); ++k)
      if (!val_subtype(g, fb.params[k], fa.params[k])) return false;
    for (size_t k = 0; k < fa.results.size(); ++k)
      if (!val_subtype(g, fa.results[k], fb.results[k])) return false;
    return true;
  }
  if (a.fields.size() < b.fields.size()) return false;
  for (size_t k = 0; k < b.fields.size(); ++k)
    if (!field_matches(g, a.fields[k], b.fields[k])) return false;
  return true;
}

// Longest chain of declared supertypes (the JS API's implementation limit):
// it also bounds every walk up a chain (defined_subtype()).
constexpr uint32_t kMaxSubtypeDepth = 63;

// The type section: a type refers to types of earlier recursion groups or
// of its own ("unknown type" past it); a declared supertype comes earlier,
// is not final, and the type matches it ("sub type"). Supertype indices and
// depths are checked for every type first, so that matching never walks a
// long or unchecked chain.
Result<void> check_types(const Module& m) {
  std::vector<uint8_t> depth(m.types.size(), 0);
  for (uint32_t i = 0; i < m.types.size(); ++i) {
    const SubType& st = m.subtypes[i];
    if (st.num_supers > 1) return invalid(fmt::format("multiple supertypes in type {}", i));
    if (st.super == kNoSuper) continue;
    if (st.super >= i) return invalid(fmt::format("unknown type {} as supertype of type {}", st.super, i));
    if (depth[st.super] >= kMaxSubtypeDepth)
      return invalid(fmt::format("subtype depth of type {} exceeds {}", i, kMaxSubtypeDepth));
    depth[i] = uint8_t(depth[st.super] + 1);
  }
  const TypeGraph g = m.type_graph();
  for (uint32_t i = 0; i < m.types.size(); ++i) {
    const SubType& st = m.subtypes[i];
    const uint32_t group_end = st.rec_begin + st.rec_size;
    auto bad = [&](ValType t) { return ref_type_index(t) >= int64_t(group_end); };
    for (ValType t : m.types[i].params)
      if (bad(t)) return invalid(fmt::format("unknown type {} in type {}", ref_type_index(t), i));
    for (ValType t : m.types[i].results)
      if (bad(t)) return invalid(fmt::format("unknown type {} in type {}", ref_type_index(t), i));
    for (const FieldType& f : st.fields)
      if (bad(f.type)) return invalid(fmt::format("unknown type {} in type {}", ref_type_index(f.type), i));
    if (st.super == kNoSuper) continue;
    if (m.subtypes[st.super].final)
      return invalid(fmt::format("sub type {} does not match super type {}: the super type is final", i, st.super));
    if (!matches_super(m, g, i, st.super))
      return invalid(fmt::format("sub type {} does not match super type {}", i, st.super));
  }
  return {};
}

// Every value type that names a type index must name one of the module's.
Result<void> check_type_indices(const Module& m) {
  auto bad = [&](ValType t) { return ref_type_index(t) >= int64_t(m.types.size()); };
  for (const Import& im : m.imports)
    if ((im.kind == ExternKind::Table && bad(im.table.elem)) || (im.kind == ExternKind::Global && bad(im.global.type)))
      return invalid("unknown type in import");
  for (const Global& g : m.globals)
    if (bad(g.type.type)) return invalid(fmt::format("unknown type {} in global", ref_type_index(g.type.type)));
  for (const auto& t : m.tables)
    if (bad(t.elem)) return invalid(fmt::format("unknown type {} in table", ref_type_index(t.elem)));
  for (const ElemSegment& e : m.elems)
    if (bad(e.type)) return invalid(fmt::format("unknown type {} in elem segment", ref_type_index(e.type)));
  return {};
}

// A tag's type: a function type of the module with no results.
Result<void> check_tag_type(const Module& m, uint32_t type_index, const char* what, size_t i) {
  if (type_index >= m.types.size()) return invalid(fmt::format("unknown type {} in {} {}", type_index, what, i));
  if (!m.is_func_type(type_index)) return invalid(fmt::format("type mismatch: {} {} of a non-function type", what, i));
  if (!m.types[type_index].results.empty())
    return invalid(fmt::format("non-empty tag result type in {} {}", what, i));
  return {};
}

Result<void> check_imports(const Module& m) {
  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Import& im = m.imports[i];
    switch (im.kind) {
      case ExternKind::Func:
        if (im.func_type >= m.types.size())
          return invalid(fmt::format("unknown type {} in import {}", im.func_type, i));
        if (!m.is_func_type(im.func_type))
          return invalid(fmt::format("type mismatch: import {} of a non-function type", i));
        break;
      case ExternKind::Table:
        if (auto r = check_table_limits(im.table.limits, "import", i); !r) return r;
        break;
      case ExternKind::Memory:
        if (auto r = check_memory_limits(im.memory.limits, "import", i); !r) return r;
        break;
      case ExternKind::Global:
        break;
      case ExternKind::Tag:
        if (auto r = check_tag_type(m, im.func_type, "import", i); !r) return r;
        break;
    }
  }
  for (size_t i = 0; i < m.tags.size(); ++i)
    if (auto r = check_tag_type(m, m.tags[i], "tag", m.num_imported_tags() + i); !r) return r;
  return {};
}

// C.refs: functions that bodies may name with ref.func — those referenced
// from globals, element segments (and their offsets), data offsets and
// exports.
std::vector<uint8_t> declared_refs(const Module& m) {
  std::vector<uint8_t> declared(m.num_funcs(), 0);
  for (const Global& g : m.globals) collect_const_expr_refs(m, g.init, declared);
  for (const ConstExpr& e : m.table_inits) collect_const_expr_refs(m, e, declared);
  for (const ElemSegment& e : m.elems) {
    if (e.mode == SegmentMode::Active) collect_const_expr_refs(m, e.offset, declared);
    for (uint32_t f : e.func_indices)
      if (f < declared.size()) declared[f] = 1;
    for (const ConstExpr& c : e.inits) collect_const_expr_refs(m, c, declared);
  }
  for (const DataSegment& d : m.datas)
    if (d.mode == SegmentMode::Active) collect_const_expr_refs(m, d.offset, declared);
  for (const Export& ex : m.exports)
    if (ex.kind == ExternKind::Func && ex.index < declared.size()) declared[ex.index] = 1;
  return declared;
}

Result<void> check_elems(const Module& m) {
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& e = m.elems[i];
    if (e.uses_indices) {
      if (!val_subtype(m.type_graph(), e.type, ValType::FuncRef))
        return invalid(fmt::format("type mismatch: function indices in elem segment {} of type {}", i,
                                   valtype_name(e.type)));
      for (uint32_t f : e.func_indices)
        if (f >= m.num_funcs()) return invalid(fmt::format("unknown function {} in elem segment {}", f, i));
    }
    for (const ConstExpr& c : e.inits)
      if (auto r = validate_const_expr(m, c, e.type, "elem segment", i, m.num_globals()); !r) return r;
    if (e.mode == SegmentMode::Active) {
      if (e.table >= m.num_tables())
        return invalid(fmt::format("unknown table {} in elem segment {}", e.table, i));
      ValType tt = m.table_type(e.table).elem;
      if (!val_subtype(m.type_graph(), e.type, tt))
        return invalid(fmt::format("type mismatch: elem segment {} of type {} for table {} of type {}", i,
                                   valtype_name(e.type), e.table, valtype_name(tt)));
      ValType at = addr_type(m.table_type(e.table).limits);
      if (auto r = validate_const_expr(m, e.offset, at, "elem segment", i, m.num_globals()); !r) return r;
    }
  }
  return {};
}

Result<void> check_datas(const Module& m) {
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& d = m.datas[i];
    if (d.mode != SegmentMode::Active) continue;
    if (d.memory >= m.num_memories())
      return invalid(fmt::format("unknown memory {} in data segment {}", d.memory, i));
    ValType at = addr_type(m.memory_type(d.memory).limits);
    if (auto r = validate_const_expr(m, d.offset, at, "data segment", i, m.num_globals()); !r) return r;
  }
  return {};
}

Result<void> check_exports(const Module& m) {
  std::vector<std::string_view> names;
  names.reserve(m.exports.size());
  for (const Export& ex : m.exports) {
    uint32_t limit = 0;
    const char* kind = "";
    switch (ex.kind) {
      case ExternKind::Func: limit = m.num_funcs(), kind = "function"; break;
      case ExternKind::Table: limit = m.num_tables(), kind = "table"; break;
      case ExternKind::Memory: limit = m.num_memories(), kind = "memory"; break;
      case ExternKind::Global: limit = m.num_globals(), kind = "global"; break;
      case ExternKind::Tag: limit = m.num_tags(), kind = "tag"; break;
    }
    if (ex.index >= limit)
      return invalid(fmt::format("unknown {} {} in export \"{}\"", kind, ex.index, quote_input(ex.name)));
    names.push_back(ex.name);
  }
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) return invalid(fmt::format("duplicate export name \"{}\"", quote_input(*dup)));
  return {};
}

Result<void> check_module(const Module& m) {
  if (m.codes.size() != m.funcs.size())
    return make_error(ErrorKind::Malformed, "function and code section have inconsistent lengths");
  if (m.subtypes.size() != m.types.size() || m.type_canon.size() != m.types.size())
    return make_error(ErrorKind::Malformed, "type definitions and canonical ids do not match the type section");
  if (auto r = check_types(m); !r) return r;
  if (auto r = check_type_indices(m); !r) return r;
  if (auto r = check_imports(m); !r) return r;
  for (size_t i = 0; i < m.funcs.size(); ++i)
    if (m.funcs[i] >= m.types.size())
      return invalid(fmt::format("unknown type {} for function {}", m.funcs[i],
                                 m.num_imported_funcs() + i));
    else if (!m.is_func_type(m.funcs[i]))
      return invalid(fmt::format("type mismatch: function {} of a non-function type", m.num_imported_funcs() + i));

  for (size_t i = 0; i < m.globals.size(); ++i) {
    const Global& g = m.globals[i];
    if (auto r = validate_const_expr(m, g.init, g.type.type, "global", m.num_imported_globals() + i,
                                     m.num_imported_globals() + uint32_t(i));
        !r)
      return r;
  }
  for (size_t i = 0; i < m.tables.size(); ++i) {
    if (auto r = check_table_limits(m.tables[i].limits, "table", m.num_imported_tables() + i); !r)
      return r;
    // A table's initializer sees the imported globals only (tables precede
    // globals); a non-nullable element type needs one.
    const ConstExpr& init = i < m.table_inits.size() ? m.table_inits[i] : ConstExpr{};
    if (init.begin != init.end) {
      if (auto r = validate_const_expr(m, init, m.tables[i].elem, "table", m.num_imported_tables() + i,
                                       m.num_imported_globals());
          !r)
        return r;
    } else if (!ref_nullable(m.tables[i].elem)) {
      return invalid(fmt::format("type mismatch: table {} of non-nullable {} needs an initializer",
                                 m.num_imported_tables() + i, valtype_name(m.tables[i].elem)));
    }
  }
  for (size_t i = 0; i < m.memories.size(); ++i)
    if (auto r = check_memory_limits(m.memories[i].limits, "memory", m.num_imported_memories() + i); !r)
      return r;
  if (auto r = check_elems(m); !r) return r;
  if (auto r = check_datas(m); !r) return r;

  std::vector<uint8_t> declared = declared_refs(m);
  // Bodies on every core for large modules (2 to 4 threads).
  if (auto r = validate_bodies(m, declared, parallel_threads()); !r) return r;

  if (m.start) {
    if (*m.start >= m.num_funcs()) return invalid(fmt::format("unknown function {} as start", *m.start));
    const FuncType& ft = m.func_type(*m.start);
    if (!ft.params.empty() || !ft.results.empty())
      return invalid(fmt::format("start function must have type [] -> [], function {} has {}", *m.start,
                                 functype_to_string(ft)));
  }
  if (auto r = check_exports(m); !r) return r;
  return {};
}

}  // namespace

// A module whose bodies the decoder did not scan (DecodeOptions) had its
// bodies read by FuncValidator, which fails on every malformed one too; on
// failure the decoder's scan says whether a malformed body comes first.
Result<void> validate_module(const Module& m) {
  auto r = check_module(m);
  if (r || m.bodies_scanned) return r;
  if (auto bodies = scan_function_bodies(m); !bodies) return bodies;
  return r;
}

}  // namespace wippy
