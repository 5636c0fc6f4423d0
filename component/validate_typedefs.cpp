// validate_typedefs.cpp — the validator's type definitions: value,
// function and resource types (with their size limits and memory
// layout), component and instance type declarators, and core types
// (function and module types). See validate_impl.h.
#include "component/validate_impl.h"

#include <fmt/format.h>

#include <algorithm>

#include "component/names.h"
#include "interp/quote.h"

namespace wippy::component::validate_detail {

// ---- definitions ---------------------------------------------------------

bool Validator::labels_unique(const std::vector<std::string>& names, const char* what, uint32_t off) {
  if (trusted_) return true;
  std::map<std::string, std::string> seen;
  for (auto& n : names) {
    if (n.empty()) return fail(off, fmt::format("{} name cannot be empty", what));
    if (!is_kebab_label(n)) return fail(off, fmt::format("{} name `{}` is not in kebab case", what, quote_input(n)));
    std::string key = n;
    for (char& ch : key)
      if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    auto it = seen.find(key);
    if (it != seen.end()) {
      std::string_view short_what = what;
      short_what.remove_prefix(short_what.rfind(' ') + 1);  // "record field" -> "field"
      return fail(off, fmt::format("{} name `{}` conflicts with previous {} name `{}`", what, quote_input(n), short_what,
                                   quote_input(it->second)));
    }
    seen[key] = n;
  }
  return true;
}

TRef Validator::define_type(Scope& s, const TypeDef& def, uint32_t off) {
  TRef t = std::visit([&](const auto& t) -> TRef { return define(s, t, off); }, def);
  if (!t) return nullptr;
  // Measured before anything walks it (layout() below, later checks).
  measure(t);
  if (t->depth > kMaxTypeDepth)
    return fail(off, fmt::format("type nesting is too deep (more than {} levels)", kMaxTypeDepth)), nullptr;
  if (t->size > kMaxTypeSize)
    return fail(off, fmt::format("effective type size exceeds the limit of {}", kMaxTypeSize)), nullptr;
  // CanonicalABI.md "Element Size": with 64-bit pointers, below 2^28.
  if (t && is_valtype_node(t) && !trusted_) {
    uint64_t size = layout(t).size;
    if (size >= kMaxValueSize)
      return fail(off, fmt::format("value type exceeds maximum byte size: {} bytes with 64-bit pointers (the limit "
                                   "is {})",
                                   size, kMaxValueSize - 1)),
             nullptr;
  }
  return t;
}

uint64_t Validator::align_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

uint64_t Validator::disc_size(size_t cases) { return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4; }

// Size and alignment in memory with 64-bit pointers (sizes saturate well
// above the limit, so nesting cannot overflow).
Validator::Layout Validator::layout(TRef t) {
  constexpr uint64_t kCap = uint64_t(1) << 40;
  if (!t) return {};
  switch (t->kind) {
    case NodeKind::Prim:
      switch (t->prim) {
        case PrimValType::Bool: case PrimValType::S8: case PrimValType::U8: return {1, 1};
        case PrimValType::S16: case PrimValType::U16: return {2, 2};
        case PrimValType::S64: case PrimValType::U64: case PrimValType::F64: return {8, 8};
        case PrimValType::String: return {16, 8};
        default: return {4, 4};
      }
    case NodeKind::List: {
      if (!t->fixed_len) return {16, 8};
      Layout e = layout(t->a);
      return {std::min(kCap, e.size * t->fixed_len), e.align};
    }
    case NodeKind::Record: case NodeKind::Tuple: {
      Layout out;
      for (auto& f : t->fields) {
        Layout e = layout(f.second);
        out.size = std::min(kCap, align_up(out.size, e.align) + e.size);
        out.align = std::max(out.align, e.align);
      }
      out.size = align_up(out.size, out.align);
      return out;
    }
    case NodeKind::Flags: {
      size_t n = t->labels.size();
      if (n <= 8) return {1, 1};
      if (n <= 16) return {2, 2};
      return {4 * ((n + 31) / 32), 4};
    }
    case NodeKind::Enum: {
      uint64_t d = disc_size(t->labels.size());
      return {d, d};
    }
    case NodeKind::Variant: case NodeKind::Option: case NodeKind::Result: {
      std::vector<TRef> cases = case_payloads(t);
      uint64_t d = disc_size(cases.size());
      Layout payload;
      for (TRef c : cases) {
        Layout e = layout(c);
        payload.size = std::max(payload.size, e.size);
        payload.align = std::max(payload.align, e.align);
      }
      uint64_t align = std::max(d, payload.align);
      return {align_up(align_up(d, payload.align) + payload.size, align), align};
    }
    default: return {4, 4};
  }
}

TRef Validator::define(Scope&, const PrimValType& p, uint32_t) {
  TNode* n = make(NodeKind::Prim);
  n->prim = p;
  n->defined = true;
  return n;
}

TRef Validator::define(Scope& s, const RecordType& t, uint32_t off) {
  if (t.fields.empty()) return fail(off, "record type must have at least one field"), nullptr;
  std::vector<std::string> names;
  TNode* n = make(NodeKind::Record);
  for (auto& f : t.fields) {
    names.push_back(f.name);
    TRef ft = valtype(s, f.type, off);
    if (!ft) return nullptr;
    n->fields.emplace_back(f.name, ft);
  }
  if (!labels_unique(names, "record field", off)) return nullptr;
  return n;
}

TRef Validator::define(Scope& s, const VariantType& t, uint32_t off) {
  if (t.cases.empty()) return fail(off, "variant type must have at least one case"), nullptr;
  std::vector<std::string> names;
  TNode* n = make(NodeKind::Variant);
  for (auto& c : t.cases) {
    names.push_back(c.name);
    TRef ct = nullptr;
    if (c.type && !(ct = valtype(s, *c.type, off))) return nullptr;
    n->fields.emplace_back(c.name, ct);
  }
  if (!labels_unique(names, "variant case", off)) return nullptr;
  return n;
}

TRef Validator::define(Scope& s, const ListType& t, uint32_t off) {
  TNode* n = make(NodeKind::List);
  if (!(n->a = valtype(s, t.elem, off))) return nullptr;
  if (t.length) {
    if (*t.length == 0) return fail(off, "fixed-size lists must have more than zero elements"), nullptr;
    n->fixed_len = *t.length;
  }
  return n;
}

TRef Validator::define(Scope& s, const MapType& t, uint32_t off) {
  TNode* entry = make(NodeKind::Tuple);
  TRef key = valtype(s, t.key, off), value = key ? valtype(s, t.value, off) : nullptr;
  if (!value) return nullptr;
  entry->fields = {{"", key}, {"", value}};
  TNode* n = make(NodeKind::List);
  n->a = entry;
  n->is_map = true;
  return n;
}

TRef Validator::define(Scope& s, const TupleType& t, uint32_t off) {
  if (t.elems.empty()) return fail(off, "tuple type must have at least one type"), nullptr;
  TNode* n = make(NodeKind::Tuple);
  for (auto& e : t.elems) {
    TRef et = valtype(s, e, off);
    if (!et) return nullptr;
    n->fields.emplace_back("", et);
  }
  return n;
}

TRef Validator::define(Scope&, const FlagsType& t, uint32_t off) {
  if (t.names.empty()) return fail(off, "flags must have at least one entry"), nullptr;
  if (t.names.size() > 32) return fail(off, "cannot have more than 32 flags"), nullptr;
  if (!labels_unique(t.names, "flag", off)) return nullptr;
  TNode* n = make(NodeKind::Flags);
  n->labels = t.names;
  return n;
}

TRef Validator::define(Scope&, const EnumType& t, uint32_t off) {
  if (t.names.empty()) return fail(off, "enum type must have at least one variant"), nullptr;
  if (!labels_unique(t.names, "enum tag", off)) return nullptr;
  TNode* n = make(NodeKind::Enum);
  n->labels = t.names;
  return n;
}

TRef Validator::define(Scope& s, const OptionType& t, uint32_t off) {
  TNode* n = make(NodeKind::Option);
  if (!(n->a = valtype(s, t.elem, off))) return nullptr;
  return n;
}

TRef Validator::define(Scope& s, const ResultType& t, uint32_t off) {
  TNode* n = make(NodeKind::Result);
  if (t.ok && !(n->a = valtype(s, *t.ok, off))) return nullptr;
  if (t.err && !(n->b = valtype(s, *t.err, off))) return nullptr;
  return n;
}

TRef Validator::handle(Scope& s, uint32_t idx, NodeKind kind, uint32_t off) {
  TRef r = type_at(s, idx, off);
  if (!r) return nullptr;
  if (r->kind != NodeKind::Resource)
    return fail(off, fmt::format("type index {} is not a resource type", idx)), nullptr;
  TNode* n = make(kind);
  n->a = r;
  return n;
}

TRef Validator::define(Scope& s, const OwnType& t, uint32_t off) { return handle(s, t.resource, NodeKind::Own, off); }

TRef Validator::define(Scope& s, const BorrowType& t, uint32_t off) {
  return handle(s, t.resource, NodeKind::Borrow, off);
}

TRef Validator::define(Scope& s, const FuncType& t, uint32_t off) {
  TNode* n = make(NodeKind::Func);
  std::vector<std::string> names;
  for (auto& p : t.params) {
    names.push_back(p.name);
    TRef pt = valtype(s, p.type, off);
    if (!pt) return nullptr;
    n->fields.emplace_back(p.name, pt);
  }
  if (!labels_unique(names, "function parameter", off)) return nullptr;
  if (t.result) {
    if (!(n->a = valtype(s, *t.result, off))) return nullptr;
    if (contains_borrow(n->a)) return fail(off, "function result cannot contain a `borrow` type"), nullptr;
  }
  return n;
}

TRef Validator::define(Scope& s, const ResourceType& t, uint32_t off) {
  if (!s.is_component) return fail(off, "resources can only be defined within a concrete component"), nullptr;
  if (t.dtor) {
    if (!check_index(s, Sort::CoreFunc, *t.dtor, off)) return nullptr;
    wippy::FuncType want{{wippy::ValType::I32}, {}};
    if (!(s.core_funcs[*t.dtor] == want)) return fail(off, "wrong signature for a destructor"), nullptr;
  }
  TNode* n = make(NodeKind::Resource);
  n->local = true;
  n->owner = &s;
  s.local_resources.push_back(n);
  return n;
}

TRef Validator::define(Scope& s, const ComponentType& t, uint32_t off) { return decls(s, t.decls, true, off); }

TRef Validator::define(Scope& s, const InstanceType& t, uint32_t off) { return decls(s, t.decls, false, off); }

// ---- component and instance type declarators ------------------------------

TRef Validator::decls(Scope& parent, const std::vector<Decl>& ds, bool component, uint32_t off) {
  auto heap_scope = std::make_unique<Scope>();  // on the heap: nesting costs less stack
  Scope& s = *heap_scope;
  s.parent = &parent;
  s.is_component = false;
  s.is_instance_type = !component;
  TNode* n = make(component ? NodeKind::Component : NodeKind::Instance);
  for (auto& d : ds) {
    uint32_t at = d.offset ? d.offset : off;
    switch (d.kind) {
      case Decl::Kind::CoreType:
        if (!core_type(s, d.core_type.at(0), at)) return nullptr;
        break;
      case Decl::Kind::Type: {
        TRef t = define_type(s, d.type.at(0), at);
        if (!t) return nullptr;
        s.types.push_back(t);
        break;
      }
      case Decl::Kind::Alias:
        if (d.alias.kind == Alias::Kind::CoreExport ||
            (d.alias.kind == Alias::Kind::Export && d.alias.sort != Sort::Type && d.alias.sort != Sort::Instance) ||
            (d.alias.kind == Alias::Kind::Outer && d.alias.sort != Sort::Type && d.alias.sort != Sort::CoreType))
          return fail(at, "only type and instance aliases (export) and type or core type aliases (outer) are "
                          "allowed in type declarations: may only refer to types or instances"),
                 nullptr;
        if (!alias(s, d.alias, at)) return nullptr;
        break;
      case Decl::Kind::Import:
      case Decl::Kind::Export: {
        bool imp = d.kind == Decl::Kind::Import;
        Item it;
        it.name = d.name.name;
        if (!extern_item(s, d.desc, it, at)) return nullptr;
        if (!check_extern(s, d.name, it, imp, at)) return nullptr;
        if (it.sort == Sort::Type && d.desc.bound.sub_resource) n->fresh.push_back(it.type);
        if ((it.sort == Sort::Instance || it.sort == Sort::Component) && it.type)
          n->fresh.insert(n->fresh.end(), it.type->fresh.begin(), it.type->fresh.end());
        push_item(s, it);
        (imp ? n->imports : n->exports).push_back(std::move(it));
        break;
      }
    }
    if (failed()) return nullptr;
  }
  return n;
}

// ---- core type definitions ---------------------------------------------------

bool Validator::core_extern(const std::vector<CoreTypeInfo>& types, const wippy::Import& imp, CoreExtern& out,
                 uint32_t off) {
  out.kind = imp.kind;
  out.table = imp.table;
  out.memory = imp.memory;
  out.global = imp.global;
  if (imp.kind == ExternKind::Func || imp.kind == ExternKind::Tag) {  // a tag's type is kept in `func`
    if (imp.func_type >= types.size())
      return fail(off, index_out_of_bounds(Sort::CoreType, imp.func_type));
    if (types[imp.func_type].is_module)
      return fail(off, fmt::format("core type index {} is not a function type", imp.func_type));
    out.func = types[imp.func_type].func;
  }
  const Limits* limits = imp.kind == ExternKind::Memory ? &imp.memory.limits
                         : imp.kind == ExternKind::Table ? &imp.table.limits
                                                         : nullptr;
  if (limits && limits->has_max && limits->max < limits->min)
    return fail(off, "size minimum must not be greater than maximum");
  if (imp.kind == ExternKind::Memory &&
      (limits->min > 65536 || (limits->has_max && limits->max > 65536)))
    return fail(off, "memory size must be at most 65536 pages (4GiB)");
  return true;
}

bool Validator::core_type(Scope& s, const CoreTypeDef& def, uint32_t off) {
  CoreTypeInfo info;
  if (auto* f = std::get_if<wippy::FuncType>(&def)) {
    info.func = *f;
  } else {
    auto& mt = std::get<CoreModuleType>(def);
    auto mod = std::make_shared<CoreModuleInfo>();
    std::vector<CoreTypeInfo> types;  // the module type's own core type space
    std::set<std::string> export_names;
    for (auto& d : mt.decls) {
      switch (d.kind) {
        case CoreModuleDecl::Kind::Import: {
          CoreModuleInfo::Imp imp{d.import.module, d.import.name, {}};
          if (!core_extern(types, d.import, imp.type, off)) return false;
          for (auto& prev : mod->imports)
            if (prev.module == imp.module && prev.name == imp.name)
              return fail(off, fmt::format("duplicate import name `{}:{}`", quote_input(imp.module), quote_input(imp.name)));
          mod->imports.push_back(std::move(imp));
          break;
        }
        case CoreModuleDecl::Kind::Type: {
          CoreTypeInfo t;
          t.func = d.type;
          types.push_back(std::move(t));
          break;
        }
        case CoreModuleDecl::Kind::Alias: {
          // Count 0 is the module type itself, 1 the scope defining it.
          if (d.outer_count == 0) {
            if (d.outer_index >= types.size())
              return fail(off, index_out_of_bounds(Sort::CoreType, d.outer_index));
            types.push_back(types[d.outer_index]);
            break;
          }
          const Scope* target = &s;
          for (uint32_t i = 1; i < d.outer_count; ++i) {
            target = target->parent;
            if (!target) return fail(off, fmt::format("invalid outer alias count of {}", d.outer_count));
          }
          if (d.outer_index >= target->core_types.size())
            return fail(off, index_out_of_bounds(Sort::CoreType, d.outer_index));
          if (target->core_types[d.outer_index].is_module)
            return fail(off, "core type index is a module type: module types cannot be aliased into module types");
          types.push_back(target->core_types[d.outer_index]);
          break;
        }
        case CoreModuleDecl::Kind::Export: {
          wippy::Import as_imp;
          as_imp.kind = d.export_type.kind;
          as_imp.func_type = d.export_type.func_type;
          as_imp.table = d.export_type.table;
          as_imp.memory = d.export_type.memory;
          as_imp.global = d.export_type.global;
          CoreExtern e;
          if (!core_extern(types, as_imp, e, off)) return false;
          if (!export_names.insert(d.export_name).second)
            return fail(off, fmt::format("export name `{}` already defined", quote_input(d.export_name)));
          mod->exports.emplace_back(d.export_name, std::move(e));
          break;
        }
      }
    }
    info.is_module = true;
    info.module = std::move(mod);
  }
  s.core_types.push_back(std::move(info));
  return true;
}

}  // namespace wippy::component::validate_detail
