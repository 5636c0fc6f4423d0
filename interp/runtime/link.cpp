// link.cpp — import matching for instantiate().
#include "interp/runtime/link.h"

#include <fmt/format.h>

#include "interp/quote.h"
#include "interp/type_canon.h"

namespace wippy {

bool limits_match(const Limits& actual, const Limits& declared) {
  if (actual.min < declared.min) return false;
  if (!declared.has_max) return true;
  return actual.has_max && actual.max <= declared.max;
}

namespace {

std::string limits_str(const Limits& l) {
  return l.has_max ? fmt::format("{}..{}", l.min, l.max) : fmt::format("{}..", l.min);
}

// Returns an empty string when `ext` fits `imp`, else what does not fit.
std::string mismatch(const Store& store, const Module& module, std::span<const uint32_t> ids, const Import& imp,
                     const Extern& ext) {
  if (ext.ptr == nullptr) return "null extern";
  if (ext.kind != imp.kind)
    return fmt::format("expected {}, got {}", extern_kind_name(imp.kind), extern_kind_name(ext.kind));
  switch (imp.kind) {
    case ExternKind::Func: {
      const FuncType& want = module.types[imp.func_type];
      if (!store.type_matches(ext.func()->type_id, ids[imp.func_type]))
        return fmt::format("expected func {}, got {}", functype_to_string(want),
                           functype_to_string(*ext.func()->type));
      return {};
    }
    case ExternKind::Table: {
      const TableInst& t = *ext.table();
      Limits actual = t.type.limits;
      actual.min = t.size();
      if (t.type.limits.is64 != imp.table.limits.is64)
        return fmt::format("expected table of {} addresses, got {}", imp.table.limits.is64 ? "i64" : "i32",
                           t.type.limits.is64 ? "i64" : "i32");
      if (t.type.elem != canonical_type(imp.table.elem, ids))
        return fmt::format("expected table of {}, got {}", valtype_name(imp.table.elem),
                           valtype_name(t.type.elem));
      if (!limits_match(actual, imp.table.limits))
        return fmt::format("expected table limits {}, got {}", limits_str(imp.table.limits),
                           limits_str(actual));
      return {};
    }
    case ExternKind::Memory: {
      const MemoryInst& m = *ext.memory();
      if (m.type.shared != imp.memory.shared) return std::string("mismatch in the shared flag for memories");
      if (m.type.limits.is64 != imp.memory.limits.is64)
        return fmt::format("expected memory of {} addresses, got {}", imp.memory.limits.is64 ? "i64" : "i32",
                           m.type.limits.is64 ? "i64" : "i32");
      Limits actual = m.type.limits;
      actual.min = m.pages();
      if (!limits_match(actual, imp.memory.limits))
        return fmt::format("expected memory limits {}, got {}", limits_str(imp.memory.limits),
                           limits_str(actual));
      return {};
    }
    case ExternKind::Global: {
      // An immutable global may be imported at a supertype (3.0); a mutable
      // one only at its own type.
      const GlobalType& g = ext.global()->type;
      const ValType want = canonical_type(imp.global.type, ids);
      const bool type_ok = g.mut ? g.type == want : val_subtype(store.type_graph(), g.type, want);
      if (!type_ok || g.mut != imp.global.mut)
        return fmt::format("expected global {}{}, got {}{}", imp.global.mut ? "mut " : "",
                           valtype_name(imp.global.type), g.mut ? "mut " : "", valtype_name(g.type));
      return {};
    }
    case ExternKind::Tag: {
      const FuncType& want = module.types[imp.func_type];
      if (ext.tag()->type_id != ids[imp.func_type])
        return fmt::format("expected tag {}, got {}", functype_to_string(want),
                           functype_to_string(ext.tag()->type));
      return {};
    }
  }
  return "unknown extern kind";
}

}  // namespace

Result<void> check_imports(const Store& store, const Module& module, std::span<const uint32_t> type_ids,
                           std::span<const Extern> imports) {
  if (imports.size() != module.imports.size())
    return make_error(ErrorKind::Unlinkable, fmt::format("module has {} imports, {} provided",
                                                         module.imports.size(), imports.size()));
  for (size_t i = 0; i < imports.size(); ++i) {
    const Import& imp = module.imports[i];
    std::string why = mismatch(store, module, type_ids, imp, imports[i]);
    if (!why.empty())
      return make_error(ErrorKind::Unlinkable, fmt::format("incompatible import type \"{}\" \"{}\": {}",
                                                           quote_input(imp.module), quote_input(imp.name), why));
  }
  return {};
}

}  // namespace wippy
