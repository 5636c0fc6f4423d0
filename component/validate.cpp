// validate.cpp — component validation. Types are resolved into a graph of
// TNodes owned by one arena per validate_component() call: indices are
// resolved against their scope as definitions are met, so later checks
// (instantiation, aliases, canon typing) compare nodes, never indices.
// Resource types are nodes compared by identity; everything else
// structurally.
#include "component/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "component/names.h"
#include "interp/validate/validate.h"

namespace wippy::component {
namespace {

struct TNode;
using TRef = const TNode*;

struct CoreExtern {
  ExternKind kind = ExternKind::Func;
  wippy::FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct CoreModuleInfo {
  struct Imp {
    std::string module, name;
    CoreExtern type;
  };
  std::vector<Imp> imports;
  std::vector<std::pair<std::string, CoreExtern>> exports;
};
using ModuleRef = std::shared_ptr<const CoreModuleInfo>;

struct CoreInstInfo {
  std::vector<std::pair<std::string, CoreExtern>> exports;
};

struct CoreTypeInfo {
  bool is_module = false;
  wippy::FuncType func;
  ModuleRef module;
};

// A component-level extern item: a named import or export.
struct Item {
  std::string name;
  Sort sort = Sort::Func;
  TRef type = nullptr;  // func/instance/component type node; the type itself (Type); value type (Value)
  ModuleRef module;     // CoreModule
};

enum class K : uint8_t {
  Prim, Record, Variant, List, Tuple, Flags, Enum, Option, Result, Own, Borrow, Func, Component, Instance,
  Resource,
};

struct TNode {
  K k = K::Prim;
  PrimValType prim = PrimValType::Bool;
  std::vector<std::pair<std::string, TRef>> fields;  // record, variant (null payload), func params, tuple
  std::vector<std::string> labels;                   // flags, enum
  TRef a = nullptr, b = nullptr;  // list/option elem; result ok/err; own/borrow resource; func result
  std::vector<Item> imports, exports;  // component (imports+exports), instance (exports)
  std::vector<TRef> fresh;  // resources made fresh per instantiation/import
  bool local = false;       // Resource defined by a type definition in a concrete component
  const void* owner = nullptr;  // Resource: the scope (component) that defined it
};

bool is_valtype_node(TRef t) { return t && uint8_t(t->k) <= uint8_t(K::Borrow); }

const char* kind_desc(K k) {
  switch (k) {
    case K::Func: return "a function";
    case K::Component: return "a component";
    case K::Instance: return "an instance";
    case K::Resource: return "a resource";
    default: return "a defined";
  }
}

struct Scope {
  Scope* parent = nullptr;
  bool is_component = true;  // a concrete component (vs a component/instance type)
  std::vector<TRef> types, funcs, instances, components, values;
  std::vector<CoreTypeInfo> core_types;
  std::vector<ModuleRef> core_modules;
  std::vector<CoreInstInfo> core_instances;
  std::vector<wippy::FuncType> core_funcs;
  std::vector<TableType> core_tables;
  std::vector<MemoryType> core_memories;
  std::vector<GlobalType> core_globals;
  std::map<std::string, std::string> import_keys, export_keys;  // unique key -> name
  std::map<std::string, TRef> resource_names;  // imported/exported resource labels
  std::vector<Item> imports, exports;
  std::vector<TRef> local_resources;
  std::set<TRef> visible_resources;  // resources introduced by imports/exports

  size_t count(Sort s) const {
    switch (s) {
      case Sort::CoreFunc: return core_funcs.size();
      case Sort::CoreTable: return core_tables.size();
      case Sort::CoreMemory: return core_memories.size();
      case Sort::CoreGlobal: return core_globals.size();
      case Sort::CoreType: return core_types.size();
      case Sort::CoreModule: return core_modules.size();
      case Sort::CoreInstance: return core_instances.size();
      case Sort::Func: return funcs.size();
      case Sort::Value: return values.size();
      case Sort::Type: return types.size();
      case Sort::Component: return components.size();
      case Sort::Instance: return instances.size();
    }
    return 0;
  }
};

std::string core_type_string(const wippy::FuncType& f) { return functype_to_string(f); }

bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (expected.has_max) {
    if (!actual.has_max) return false;
    if (actual.max > expected.max) return false;
  }
  return true;
}

class Validator {
 public:
  Result<void> run(const Component& c) {
    Scope top;
    validate_component(nullptr, c, top);
    if (!error_.empty()) return make_error(ErrorKind::Invalid, error_);
    return {};
  }

 private:
  std::vector<std::unique_ptr<TNode>> arena_;
  std::map<PrimValType, TRef> prims_;
  std::string error_;

  bool failed() const { return !error_.empty(); }
  bool fail(uint32_t offset, const std::string& msg) {
    if (error_.empty()) error_ = fmt::format("{} (at offset {})", msg, offset);
    return false;
  }

  TNode* make(K k) {
    arena_.push_back(std::make_unique<TNode>());
    arena_.back()->k = k;
    return arena_.back().get();
  }
  TRef prim(PrimValType p) {
    auto it = prims_.find(p);
    if (it != prims_.end()) return it->second;
    TNode* n = make(K::Prim);
    n->prim = p;
    prims_[p] = n;
    return n;
  }

  // ---- index helpers -----------------------------------------------------

  bool check_index(const Scope& s, Sort sort, uint32_t idx, uint32_t off) {
    if (idx < s.count(sort)) return true;
    if (sort == Sort::Type || sort == Sort::CoreType)
      return fail(off, fmt::format("{} index {} out of bounds", sort == Sort::Type ? "type" : "core type", idx));
    return fail(off, fmt::format("{} index {} out of bounds", sort_name(sort), idx));
  }

  TRef type_at(const Scope& s, uint32_t idx, uint32_t off) {
    if (!check_index(s, Sort::Type, idx, off)) return nullptr;
    return s.types[idx];
  }

  TRef valtype(const Scope& s, const ValType& v, uint32_t off) {
    if (v.is_prim) return prim(v.prim);
    TRef t = type_at(s, v.index, off);
    if (!t) return nullptr;
    if (!is_valtype_node(t)) {
      fail(off, fmt::format("type index {} is not a defined type", v.index));
      return nullptr;
    }
    return t;
  }

  // ---- type predicates ----------------------------------------------------

  static bool contains_borrow(TRef t, int depth = 0) {
    if (!t || depth > 200) return false;
    switch (t->k) {
      case K::Borrow: return true;
      case K::Record: case K::Variant: case K::Tuple:
        for (auto& f : t->fields)
          if (contains_borrow(f.second, depth + 1)) return true;
        return false;
      case K::List: case K::Option: return contains_borrow(t->a, depth + 1);
      case K::Result: return contains_borrow(t->a, depth + 1) || contains_borrow(t->b, depth + 1);
      default: return false;
    }
  }

  static bool needs_memory(TRef t) {
    if (!t) return false;
    switch (t->k) {
      case K::Prim: return t->prim == PrimValType::String;
      case K::List: return true;
      case K::Record: case K::Variant: case K::Tuple:
        for (auto& f : t->fields)
          if (needs_memory(f.second)) return true;
        return false;
      case K::Option: return needs_memory(t->a);
      case K::Result: return needs_memory(t->a) || needs_memory(t->b);
      default: return false;
    }
  }

  // Does `t` transitively mention a resource not owned by scope `owner`?
  static bool refers_to_resources(TRef t, int depth = 0) {
    if (!t || depth > 200) return false;
    switch (t->k) {
      case K::Resource: case K::Own: case K::Borrow: return true;
      case K::Record: case K::Variant: case K::Tuple: case K::Func:
        for (auto& f : t->fields)
          if (refers_to_resources(f.second, depth + 1)) return true;
        return refers_to_resources(t->a, depth + 1);
      case K::List: case K::Option: return refers_to_resources(t->a, depth + 1);
      case K::Result: return refers_to_resources(t->a, depth + 1) || refers_to_resources(t->b, depth + 1);
      case K::Instance: case K::Component:
        for (auto* v : {&t->imports, &t->exports})
          for (auto& i : *v)
            if (i.sort == Sort::Type && i.type && i.type->k == K::Resource) return true;
        return false;
      default: return false;
    }
  }

  // ---- type equality / subtyping ------------------------------------------

  static bool type_eq(TRef a, TRef b, int depth = 0) {
    if (a == b) return true;
    if (!a || !b || a->k != b->k || depth > 200) return false;
    switch (a->k) {
      case K::Prim: return a->prim == b->prim;
      case K::Resource: return false;  // identity only
      case K::Record: case K::Variant: case K::Tuple: case K::Func:
        if (a->fields.size() != b->fields.size()) return false;
        for (size_t i = 0; i < a->fields.size(); ++i) {
          if (a->fields[i].first != b->fields[i].first) return false;
          if (!type_eq(a->fields[i].second, b->fields[i].second, depth + 1)) return false;
        }
        return type_eq(a->a, b->a, depth + 1);
      case K::Flags: case K::Enum: return a->labels == b->labels;
      case K::List: case K::Option: case K::Own: case K::Borrow: return type_eq(a->a, b->a, depth + 1);
      case K::Result: return type_eq(a->a, b->a, depth + 1) && type_eq(a->b, b->b, depth + 1);
      case K::Instance: case K::Component: return subtype(a, b, depth) && subtype(b, a, depth);
    }
    return false;
  }

  static const Item* find_item(const std::vector<Item>& items, const std::string& name) {
    for (auto& i : items)
      if (i.name == name) return &i;
    return nullptr;
  }

  static bool item_subtype(const Item& actual, const Item& expected, int depth) {
    if (actual.sort != expected.sort) return false;
    switch (expected.sort) {
      case Sort::Type:
        return type_eq(actual.type, expected.type, depth + 1) ||
               (expected.type && expected.type->k == K::Resource && actual.type &&
                actual.type->k == K::Resource && actual.type == expected.type);
      case Sort::CoreModule: return true;
      default: return subtype(actual.type, expected.type, depth + 1);
    }
  }

  // actual <: expected
  static bool subtype(TRef actual, TRef expected, int depth = 0) {
    if (actual == expected) return true;
    if (!actual || !expected || depth > 200) return false;
    if (actual->k != expected->k) return false;
    if (actual->k == K::Instance || actual->k == K::Component) {
      for (auto& e : expected->exports) {
        const Item* a = find_item(actual->exports, e.name);
        if (!a || !item_subtype(*a, e, depth)) return false;
      }
      if (actual->k == K::Component) {
        for (auto& i : actual->imports) {
          const Item* e = find_item(expected->imports, i.name);
          if (!e || !item_subtype(*e, i, depth)) return false;
        }
      }
      return true;
    }
    return type_eq(actual, expected, depth);
  }

  // ---- substitution -------------------------------------------------------

  using Subst = std::map<TRef, TRef>;

  TRef subst(TRef t, Subst& m, int depth = 0) {
    if (!t || depth > 200) return t;
    auto it = m.find(t);
    if (it != m.end()) return it->second;
    if (t->k == K::Prim || t->k == K::Resource || t->k == K::Flags || t->k == K::Enum) return t;
    TNode copy = *t;
    bool changed = false;
    auto sub = [&](TRef& r) {
      TRef n = subst(r, m, depth + 1);
      if (n != r) changed = true;
      r = n;
    };
    for (auto& f : copy.fields) sub(f.second);
    sub(copy.a);
    sub(copy.b);
    for (auto* v : {&copy.imports, &copy.exports})
      for (auto& i : *v) sub(i.type);
    for (auto& r : copy.fresh) sub(r);
    if (!changed) {
      m[t] = t;
      return t;
    }
    TNode* n = make(t->k);
    *n = std::move(copy);
    m[t] = n;
    return n;
  }

  // A copy of an instance/component type whose own abstract resources are
  // fresh (each import or instantiation gets distinct resource types).
  TRef freshen(TRef t, Subst m = {}) {
    if (!t) return t;
    for (TRef r : t->fresh) {
      if (m.count(r)) continue;
      TNode* n = make(K::Resource);
      n->owner = r->owner;
      m[r] = n;
    }
    return subst(t, m);
  }

  // Binds the abstract resources of `fresh` met in `expected` to the
  // corresponding types in `actual` (type imports supplied by arguments,
  // including resources exported by instance arguments).
  static void bind(const Item& expected, const Item& actual, Subst& m, const std::set<TRef>& fresh, int depth = 0) {
    if (depth > 100 || expected.sort != actual.sort || !expected.type || !actual.type) return;
    if (expected.sort == Sort::Type) {
      if (expected.type->k == K::Resource && fresh.count(expected.type) && !m.count(expected.type) &&
          actual.type->k == K::Resource)
        m[expected.type] = actual.type;
      return;
    }
    if (expected.sort == Sort::Instance) {
      for (auto& e : expected.type->exports)
        if (const Item* a = find_item(actual.type->exports, e.name)) bind(e, *a, m, fresh, depth + 1);
    }
  }

  // ---- flattening ---------------------------------------------------------

  void flatten(TRef t, std::vector<wippy::ValType>& out) {
    using wippy::ValType;
    if (!t) return;
    switch (t->k) {
      case K::Prim:
        switch (t->prim) {
          case PrimValType::S64: case PrimValType::U64: out.push_back(ValType::I64); return;
          case PrimValType::F32: out.push_back(ValType::F32); return;
          case PrimValType::F64: out.push_back(ValType::F64); return;
          case PrimValType::String: out.push_back(ValType::I32); out.push_back(ValType::I32); return;
          default: out.push_back(ValType::I32); return;
        }
      case K::List: out.push_back(ValType::I32); out.push_back(ValType::I32); return;
      case K::Record: case K::Tuple:
        for (auto& f : t->fields) flatten(f.second, out);
        return;
      case K::Flags: case K::Enum: case K::Own: case K::Borrow: out.push_back(ValType::I32); return;
      case K::Variant: case K::Option: case K::Result: {
        std::vector<TRef> payloads;
        if (t->k == K::Variant) {
          for (auto& f : t->fields) payloads.push_back(f.second);
        } else if (t->k == K::Option) {
          payloads = {nullptr, t->a};
        } else {
          payloads = {t->a, t->b};
        }
        std::vector<ValType> joined;
        for (TRef p : payloads) {
          if (!p) continue;
          std::vector<ValType> f;
          flatten(p, f);
          for (size_t i = 0; i < f.size(); ++i) {
            if (i >= joined.size()) {
              joined.push_back(f[i]);
            } else if (joined[i] != f[i]) {
              bool i32f32 = (joined[i] == ValType::I32 && f[i] == ValType::F32) ||
                            (joined[i] == ValType::F32 && f[i] == ValType::I32);
              joined[i] = i32f32 ? ValType::I32 : ValType::I64;
            }
          }
        }
        out.push_back(ValType::I32);
        out.insert(out.end(), joined.begin(), joined.end());
        return;
      }
      default: return;
    }
  }

  wippy::FuncType flatten_func(TRef ft, bool lift) {
    wippy::FuncType core;
    for (auto& p : ft->fields) flatten(p.second, core.params);
    flatten(ft->a, core.results);
    if (core.params.size() > 16) core.params = {wippy::ValType::I32};
    if (core.results.size() > 1) {
      if (lift) {
        core.results = {wippy::ValType::I32};
      } else {
        core.params.push_back(wippy::ValType::I32);
        core.results.clear();
      }
    }
    return core;
  }

  // ---- external visibility ---------------------------------------------------

  // Resources an item's type mentions, and those it introduces itself
  // (resource types exported by instance/component types, or the item when
  // it is a resource type).
  static void resource_refs(TRef t, std::set<TRef>& used, std::set<TRef>& introduced, int depth = 0) {
    if (!t || depth > 100) return;
    switch (t->k) {
      case K::Resource: used.insert(t); return;
      case K::Instance: case K::Component:
        for (auto* v : {&t->imports, &t->exports})
          for (auto& i : *v) {
            if (i.sort == Sort::Type && i.type && i.type->k == K::Resource) introduced.insert(i.type);
            else resource_refs(i.type, used, introduced, depth + 1);
          }
        return;
      default:
        for (auto& f : t->fields) resource_refs(f.second, used, introduced, depth + 1);
        resource_refs(t->a, used, introduced, depth + 1);
        resource_refs(t->b, used, introduced, depth + 1);
    }
  }

  // Every resource in an import's or export's type must have been
  // introduced by an import or export of this scope (or by the item).
  bool check_visible(Scope& s, const Item& it, bool is_import, uint32_t off) {
    std::set<TRef> used, introduced;
    if (it.sort == Sort::Type && it.type && it.type->k == K::Resource) {
      introduced.insert(it.type);
    } else if (it.sort != Sort::CoreModule && it.sort != Sort::Value) {
      resource_refs(it.type, used, introduced);
    } else if (it.sort == Sort::Value) {
      resource_refs(it.type, used, introduced);
    }
    for (TRef r : used)
      if (!s.visible_resources.count(r) && !introduced.count(r))
        return fail(off, fmt::format("{} not valid to be used as {} (`{}` uses a resource that is not imported or exported)", sort_name(it.sort), is_import ? "import" : "export", it.name));
    s.visible_resources.insert(introduced.begin(), introduced.end());
    return true;
  }

  // ---- names ---------------------------------------------------------------

  // Checks an import/export name in `s`; `imports` selects the key set.
  bool check_name(Scope& s, const ExternName& n, bool is_import, const Item& item, uint32_t off) {
    auto parsed = parse_extern_name(n.name);
    if (!parsed) return fail(off, parsed.error().message);
    const char* what = is_import ? "import" : "export";
    std::string key = unique_key(n.name, *parsed);
    auto& keys = is_import ? s.import_keys : s.export_keys;
    auto it = keys.find(key);
    if (it != keys.end()) {
      if (it->second == n.name) return fail(off, fmt::format("{} name `{}` already defined", what, n.name));
      return fail(off, fmt::format("{} name `{}` conflicts with previous name `{}`", what, n.name, it->second));
    }
    keys[key] = n.name;
    if (n.implements) {
      if (item.sort != Sort::Instance)
        return fail(off, fmt::format("only instances can have an `implements` attribute (`{}`)", n.name));
      if (parsed->kind != ParsedName::Kind::Label)
        return fail(off, fmt::format("name `{}` is not valid with `implements`", n.name));
      auto in = parse_extern_name(*n.implements);
      if (!in || in->kind != ParsedName::Kind::Interface)
        return fail(off, fmt::format("`{}` must be an interface name", *n.implements));
    }
    using PK = ParsedName::Kind;
    if (parsed->kind == PK::Label && item.sort == Sort::Type && item.type && item.type->k == K::Resource)
      s.resource_names[parsed->label] = item.type;
    if (parsed->kind == PK::Constructor || parsed->kind == PK::Method || parsed->kind == PK::Static) {
      if (item.sort != Sort::Func)
        return fail(off, fmt::format("{} name `{}` is not a function", what, n.name));
      auto r = s.resource_names.find(parsed->resource);
      if (r == s.resource_names.end())
        return fail(off, fmt::format("import name `{}` is not valid: `{}` is not a local resource", n.name,
                                     parsed->resource));
      TRef res = r->second;
      TRef ft = item.type;
      if (parsed->kind == PK::Constructor) {
        TRef result = ft ? ft->a : nullptr;
        if (result && result->k == K::Result) result = result->a;
        if (!result || result->k != K::Own || result->a != res)
          return fail(off, "function should return `(own $T)` or `(result (own $T))`");
      } else if (parsed->kind == PK::Method) {
        if (!ft || ft->fields.empty() || ft->fields[0].first != "self" || ft->fields[0].second->k != K::Borrow ||
            ft->fields[0].second->a != res)
          return fail(off, fmt::format("function does not match expected resource name `{}`: its first "
                                       "parameter must be `(param \"self\" (borrow $T))`",
                                       parsed->resource));
      }
    }
    return true;
  }

  // ---- definitions ---------------------------------------------------------

  bool labels_unique(const std::vector<std::string>& names, const char* what, uint32_t off) {
    std::map<std::string, std::string> seen;
    for (auto& n : names) {
      if (n.empty()) return fail(off, fmt::format("{} name cannot be empty", what));
      if (!is_kebab_label(n)) return fail(off, fmt::format("{} name `{}` is not in kebab case", what, n));
      std::string key = n;
      for (char& ch : key)
        if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
      auto it = seen.find(key);
      if (it != seen.end())
        return fail(off, fmt::format("{} name `{}` conflicts with previous {} name `{}`", what, n, what, it->second));
      seen[key] = n;
    }
    return true;
  }

  TRef define_type(Scope& s, const TypeDef& def, uint32_t off) {
    return std::visit([&](const auto& t) -> TRef { return define(s, t, off); }, def);
  }

  TRef define(Scope&, const PrimValType& p, uint32_t) { return prim(p); }
  TRef define(Scope& s, const RecordType& t, uint32_t off) {
    if (t.fields.empty()) return fail(off, "record type must have at least one field"), nullptr;
    std::vector<std::string> names;
    TNode* n = make(K::Record);
    for (auto& f : t.fields) {
      names.push_back(f.name);
      TRef ft = valtype(s, f.type, off);
      if (!ft) return nullptr;
      n->fields.emplace_back(f.name, ft);
    }
    if (!labels_unique(names, "record field", off)) return nullptr;
    return n;
  }
  TRef define(Scope& s, const VariantType& t, uint32_t off) {
    if (t.cases.empty()) return fail(off, "variant type must have at least one case"), nullptr;
    std::vector<std::string> names;
    TNode* n = make(K::Variant);
    for (auto& c : t.cases) {
      names.push_back(c.name);
      TRef ct = nullptr;
      if (c.type && !(ct = valtype(s, *c.type, off))) return nullptr;
      n->fields.emplace_back(c.name, ct);
    }
    if (!labels_unique(names, "variant case", off)) return nullptr;
    return n;
  }
  TRef define(Scope& s, const ListType& t, uint32_t off) {
    TNode* n = make(K::List);
    if (!(n->a = valtype(s, t.elem, off))) return nullptr;
    return n;
  }
  TRef define(Scope& s, const TupleType& t, uint32_t off) {
    if (t.elems.empty()) return fail(off, "tuple type must have at least one type"), nullptr;
    TNode* n = make(K::Tuple);
    for (auto& e : t.elems) {
      TRef et = valtype(s, e, off);
      if (!et) return nullptr;
      n->fields.emplace_back("", et);
    }
    return n;
  }
  TRef define(Scope&, const FlagsType& t, uint32_t off) {
    if (t.names.empty()) return fail(off, "flags must have at least one entry"), nullptr;
    if (t.names.size() > 32) return fail(off, "cannot have more than 32 flags"), nullptr;
    if (!labels_unique(t.names, "flag", off)) return nullptr;
    TNode* n = make(K::Flags);
    n->labels = t.names;
    return n;
  }
  TRef define(Scope&, const EnumType& t, uint32_t off) {
    if (t.names.empty()) return fail(off, "enum type must have at least one variant"), nullptr;
    if (!labels_unique(t.names, "enum tag", off)) return nullptr;
    TNode* n = make(K::Enum);
    n->labels = t.names;
    return n;
  }
  TRef define(Scope& s, const OptionType& t, uint32_t off) {
    TNode* n = make(K::Option);
    if (!(n->a = valtype(s, t.elem, off))) return nullptr;
    return n;
  }
  TRef define(Scope& s, const ResultType& t, uint32_t off) {
    TNode* n = make(K::Result);
    if (t.ok && !(n->a = valtype(s, *t.ok, off))) return nullptr;
    if (t.err && !(n->b = valtype(s, *t.err, off))) return nullptr;
    return n;
  }
  TRef handle(Scope& s, uint32_t idx, K k, uint32_t off) {
    TRef r = type_at(s, idx, off);
    if (!r) return nullptr;
    if (r->k != K::Resource) return fail(off, fmt::format("type index {} is not a resource type", idx)), nullptr;
    TNode* n = make(k);
    n->a = r;
    return n;
  }
  TRef define(Scope& s, const OwnType& t, uint32_t off) { return handle(s, t.resource, K::Own, off); }
  TRef define(Scope& s, const BorrowType& t, uint32_t off) { return handle(s, t.resource, K::Borrow, off); }
  TRef define(Scope& s, const FuncType& t, uint32_t off) {
    TNode* n = make(K::Func);
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
  TRef define(Scope& s, const ResourceType& t, uint32_t off) {
    if (!s.is_component) return fail(off, "resources can only be defined within a concrete component"), nullptr;
    if (t.dtor) {
      if (!check_index(s, Sort::CoreFunc, *t.dtor, off)) return nullptr;
      wippy::FuncType want{{wippy::ValType::I32}, {}};
      if (!(s.core_funcs[*t.dtor] == want)) return fail(off, "wrong signature for a destructor"), nullptr;
    }
    TNode* n = make(K::Resource);
    n->local = true;
    n->owner = &s;
    s.local_resources.push_back(n);
    return n;
  }
  TRef define(Scope& s, const ComponentType& t, uint32_t off) { return decls(s, t.decls, true, off); }
  TRef define(Scope& s, const InstanceType& t, uint32_t off) { return decls(s, t.decls, false, off); }

  // ---- extern descriptions ----------------------------------------------------

  bool extern_item(Scope& s, const ExternDesc& d, Item& out, uint32_t off) {
    out.sort = d.sort;
    switch (d.sort) {
      case Sort::CoreModule: {
        if (!check_index(s, Sort::CoreType, d.index, off)) return false;
        auto& ct = s.core_types[d.index];
        if (!ct.is_module) return fail(off, fmt::format("core type index {} is not a module type", d.index));
        out.module = ct.module;
        return true;
      }
      case Sort::Func:
      case Sort::Component:
      case Sort::Instance: {
        TRef t = type_at(s, d.index, off);
        if (!t) return false;
        K want = d.sort == Sort::Func ? K::Func : d.sort == Sort::Component ? K::Component : K::Instance;
        if (t->k != want) return fail(off, fmt::format("type index {} is not {} type", d.index, kind_desc(want)));
        out.type = want == K::Func ? t : freshen(t);
        return true;
      }
      case Sort::Value:
        if (d.value_is_eq) {
          if (!check_index(s, Sort::Value, d.index, off)) return false;
          out.type = s.values[d.index];
          return true;
        }
        out.type = valtype(s, d.value_type, off);
        return out.type != nullptr;
      case Sort::Type:
        if (d.bound.sub_resource) {
          TNode* r = make(K::Resource);
          r->owner = &s;
          out.type = r;
          return true;
        }
        out.type = type_at(s, d.bound.index, off);
        return out.type != nullptr;
      default: return fail(off, fmt::format("invalid extern sort {}", sort_name(d.sort)));
    }
  }

  // Adds an item's entity to its index space.
  void push_item(Scope& s, const Item& it) {
    switch (it.sort) {
      case Sort::CoreModule: s.core_modules.push_back(it.module); break;
      case Sort::Func: s.funcs.push_back(it.type); break;
      case Sort::Value: s.values.push_back(it.type); break;
      case Sort::Type: s.types.push_back(it.type); break;
      case Sort::Component: s.components.push_back(it.type); break;
      case Sort::Instance: s.instances.push_back(it.type); break;
      default: break;
    }
  }

  // ---- component and instance type declarators ------------------------------

  TRef decls(Scope& parent, const std::vector<Decl>& ds, bool component, uint32_t off) {
    Scope s;
    s.parent = &parent;
    s.is_component = false;
    TNode* n = make(component ? K::Component : K::Instance);
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
          if (!check_name(s, d.name, imp, it, at)) return nullptr;
          if (!check_visible(s, it, imp, at)) return nullptr;
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

  // ---- core types ------------------------------------------------------------

  bool core_extern(const std::vector<CoreTypeInfo>& types, const wippy::Import& imp, CoreExtern& out,
                   uint32_t off) {
    out.kind = imp.kind;
    out.table = imp.table;
    out.memory = imp.memory;
    out.global = imp.global;
    if (imp.kind == ExternKind::Func) {
      if (imp.func_type >= types.size())
        return fail(off, fmt::format("core type index {} out of bounds", imp.func_type));
      if (types[imp.func_type].is_module)
        return fail(off, fmt::format("core type index {} is not a function type", imp.func_type));
      out.func = types[imp.func_type].func;
    }
    return true;
  }

  bool core_type(Scope& s, const CoreTypeDef& def, uint32_t off) {
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
                return fail(off, fmt::format("duplicate import name `{}:{}`", imp.module, imp.name));
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
                return fail(off, fmt::format("core type index {} out of bounds", d.outer_index));
              types.push_back(types[d.outer_index]);
              break;
            }
            const Scope* target = &s;
            for (uint32_t i = 1; i < d.outer_count; ++i) {
              target = target->parent;
              if (!target) return fail(off, fmt::format("invalid outer alias count of {}", d.outer_count));
            }
            if (d.outer_index >= target->core_types.size())
              return fail(off, fmt::format("core type index {} out of bounds", d.outer_index));
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
              return fail(off, fmt::format("duplicate export name `{}`", d.export_name));
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

  // ---- aliases ---------------------------------------------------------------

  bool push_core(Scope& s, Sort sort, const CoreExtern& e, const std::string& name, uint32_t off) {
    ExternKind want = sort == Sort::CoreFunc     ? ExternKind::Func
                      : sort == Sort::CoreTable  ? ExternKind::Table
                      : sort == Sort::CoreMemory ? ExternKind::Memory
                                                 : ExternKind::Global;
    if (e.kind != want)
      return fail(off, fmt::format("export `{}` for core instance is not a {}", name, extern_kind_name(want)));
    switch (sort) {
      case Sort::CoreFunc: s.core_funcs.push_back(e.func); break;
      case Sort::CoreTable: s.core_tables.push_back(e.table); break;
      case Sort::CoreMemory: s.core_memories.push_back(e.memory); break;
      default: s.core_globals.push_back(e.global); break;
    }
    return true;
  }

  bool alias(Scope& s, const Alias& a, uint32_t off) {
    switch (a.kind) {
      case Alias::Kind::Export: {
        if (!check_index(s, Sort::Instance, a.instance, off)) return false;
        TRef inst = s.instances[a.instance];
        const Item* it = inst ? find_item(inst->exports, a.name) : nullptr;
        if (!it) return fail(off, fmt::format("instance {} has no export named `{}`", a.instance, a.name));
        if (it->sort != a.sort)
          return fail(off, fmt::format("export `{}` for instance {} is not a {}", a.name, a.instance,
                                       sort_name(a.sort)));
        push_item(s, *it);
        return true;
      }
      case Alias::Kind::CoreExport: {
        if (!check_index(s, Sort::CoreInstance, a.instance, off)) return false;
        auto& inst = s.core_instances[a.instance];
        for (auto& [name, e] : inst.exports)
          if (name == a.name) {
            if (!is_core_sort(a.sort) || a.sort == Sort::CoreType || a.sort == Sort::CoreModule ||
                a.sort == Sort::CoreInstance)
              return fail(off, fmt::format("invalid sort {} for a core export alias", sort_name(a.sort)));
            return push_core(s, a.sort, e, a.name, off);
          }
        return fail(off, fmt::format("core instance {} has no export named `{}`", a.instance, a.name));
      }
      case Alias::Kind::Outer: {
        if (a.sort != Sort::CoreModule && a.sort != Sort::CoreType && a.sort != Sort::Type &&
            a.sort != Sort::Component)
          return fail(off, fmt::format("outer aliases of {} are not allowed", sort_name(a.sort)));
        Scope* target = &s;
        bool crosses_component = false;
        for (uint32_t i = 0; i < a.outer_count; ++i) {
          if (target->is_component) crosses_component = true;
          target = target->parent;
          if (!target) return fail(off, fmt::format("invalid outer alias count of {}", a.outer_count));
        }
        if (!check_index(*target, a.sort, a.outer_index, off)) return false;
        switch (a.sort) {
          case Sort::CoreModule: s.core_modules.push_back(target->core_modules[a.outer_index]); break;
          case Sort::CoreType: s.core_types.push_back(target->core_types[a.outer_index]); break;
          case Sort::Component: s.components.push_back(target->components[a.outer_index]); break;
          default: {
            TRef t = target->types[a.outer_index];
            if (crosses_component && refers_to_resources(t))
              return fail(off, "canonical outer alias of a type that transitively refers to resources");
            // A resource named in an enclosing scope stays nameable here.
            if (t && t->k == K::Resource && target->visible_resources.count(t)) s.visible_resources.insert(t);
            s.types.push_back(t);
          }
        }
        return true;
      }
    }
    return true;
  }

  // ---- canon -----------------------------------------------------------------

  bool check_options(Scope& s, const CanonOptions& o, bool lift, uint32_t off) {
    if (o.memory && !check_index(s, Sort::CoreMemory, *o.memory, off)) return false;
    if (o.realloc) {
      if (!check_index(s, Sort::CoreFunc, *o.realloc, off)) return false;
      wippy::FuncType want{{wippy::ValType::I32, wippy::ValType::I32, wippy::ValType::I32, wippy::ValType::I32},
                           {wippy::ValType::I32}};
      if (!(s.core_funcs[*o.realloc] == want))
        return fail(off, fmt::format("canonical option `realloc` uses a core function with an incorrect signature: "
                                     "expected (i32 i32 i32 i32) -> (i32), found {}",
                                     core_type_string(s.core_funcs[*o.realloc])));
      if (!o.memory) return fail(off, "canonical option `memory` is required");
    }
    if (o.post_return) {
      if (!lift) return fail(off, "canonical option `post-return` cannot be specified for lowerings");
      if (!check_index(s, Sort::CoreFunc, *o.post_return, off)) return false;
    }
    return true;
  }

  bool canon(Scope& s, const Canon& c, uint32_t off) {
    switch (c.kind) {
      case Canon::Kind::Lift: {
        if (!check_index(s, Sort::CoreFunc, c.func, off)) return false;
        TRef ft = type_at(s, c.type, off);
        if (!ft) return false;
        if (ft->k != K::Func) return fail(off, fmt::format("type index {} is not a function type", c.type));
        if (!check_options(s, c.options, true, off)) return false;
        bool mem_params = false, mem_result = needs_memory(ft->a);
        for (auto& p : ft->fields) mem_params |= needs_memory(p.second);
        wippy::FuncType core = flatten_func(ft, true);
        std::vector<wippy::ValType> flat_params, flat_results;
        for (auto& p : ft->fields) flatten(p.second, flat_params);
        flatten(ft->a, flat_results);
        if ((mem_params || mem_result || flat_params.size() > 16 || flat_results.size() > 1) && !c.options.memory)
          return fail(off, "canonical option `memory` is required");
        if ((mem_params || flat_params.size() > 16) && !c.options.realloc)
          return fail(off, "canonical option `realloc` is required");
        if (!(s.core_funcs[c.func] == core))
          return fail(off, fmt::format("type mismatch: lowered function type `{}` does not match the type `{}` "
                                       "of core function {}",
                                       core_type_string(core), core_type_string(s.core_funcs[c.func]), c.func));
        if (c.options.post_return) {
          wippy::FuncType want{core.results, {}};
          if (!(s.core_funcs[*c.options.post_return] == want))
            return fail(off, fmt::format("canonical option `post-return` uses a core function with an incorrect "
                                         "signature: expected {}, found {}",
                                         core_type_string(want),
                                         core_type_string(s.core_funcs[*c.options.post_return])));
        }
        s.funcs.push_back(ft);
        return true;
      }
      case Canon::Kind::Lower: {
        if (!check_index(s, Sort::Func, c.func, off)) return false;
        TRef ft = s.funcs[c.func];
        if (!check_options(s, c.options, false, off)) return false;
        bool mem_params = false, mem_result = needs_memory(ft->a);
        for (auto& p : ft->fields) mem_params |= needs_memory(p.second);
        std::vector<wippy::ValType> flat_params, flat_results;
        for (auto& p : ft->fields) flatten(p.second, flat_params);
        flatten(ft->a, flat_results);
        if ((mem_params || mem_result || flat_params.size() > 16 || flat_results.size() > 1) && !c.options.memory)
          return fail(off, "canonical option `memory` is required");
        if (mem_result && !c.options.realloc) return fail(off, "canonical option `realloc` is required");
        s.core_funcs.push_back(flatten_func(ft, false));
        return true;
      }
      case Canon::Kind::ResourceNew:
      case Canon::Kind::ResourceDrop:
      case Canon::Kind::ResourceRep: {
        TRef r = type_at(s, c.type, off);
        if (!r) return false;
        if (r->k != K::Resource) return fail(off, fmt::format("type index {} is not a resource type", c.type));
        using wippy::ValType;
        if (c.kind == Canon::Kind::ResourceDrop) {
          s.core_funcs.push_back(wippy::FuncType{{ValType::I32}, {}});
          return true;
        }
        if (!r->local || r->owner != &s) return fail(off, fmt::format("type index {} is not a local resource", c.type));
        s.core_funcs.push_back(wippy::FuncType{{ValType::I32}, {ValType::I32}});
        return true;
      }
    }
    return true;
  }

  // ---- core instances --------------------------------------------------------

  static CoreExtern module_extern(const Module& m, ExternKind k, uint32_t idx) {
    CoreExtern e;
    e.kind = k;
    switch (k) {
      case ExternKind::Func: e.func = m.func_type(idx); break;
      case ExternKind::Table: e.table = m.table_type(idx); break;
      case ExternKind::Memory: e.memory = m.memory_type(idx); break;
      case ExternKind::Global: e.global = m.global_type(idx); break;
    }
    return e;
  }

  static ModuleRef module_info(const Module& m) {
    auto info = std::make_shared<CoreModuleInfo>();
    for (auto& imp : m.imports) {
      CoreModuleInfo::Imp i{imp.module, imp.name, {}};
      i.type.kind = imp.kind;
      if (imp.kind == ExternKind::Func && imp.func_type < m.types.size()) i.type.func = m.types[imp.func_type];
      i.type.table = imp.table;
      i.type.memory = imp.memory;
      i.type.global = imp.global;
      info->imports.push_back(std::move(i));
    }
    for (auto& e : m.exports) info->exports.emplace_back(e.name, module_extern(m, e.kind, e.index));
    return info;
  }

  bool core_instance(Scope& s, const CoreInstance& ci, uint32_t off) {
    CoreInstInfo out;
    if (ci.instantiate) {
      if (!check_index(s, Sort::CoreModule, ci.module, off)) return false;
      std::map<std::string, uint32_t> args;
      for (auto& a : ci.args) {
        if (!check_index(s, Sort::CoreInstance, a.instance, off)) return false;
        if (!args.emplace(a.name, a.instance).second)
          return fail(off, fmt::format("duplicate module instantiation argument named `{}`", a.name));
      }
      const ModuleRef& mod = s.core_modules[ci.module];
      for (auto& imp : mod->imports) {
        auto it = args.find(imp.module);
        if (it == args.end()) return fail(off, fmt::format("missing module instantiation argument named `{}`", imp.module));
        const CoreExtern* found = nullptr;
        for (auto& [name, e] : s.core_instances[it->second].exports)
          if (name == imp.name) found = &e;
        if (!found)
          return fail(off, fmt::format("module instantiation argument `{}` does not export an item named `{}`",
                                       imp.module, imp.name));
        if (found->kind != imp.type.kind)
          return fail(off, fmt::format("type mismatch for export `{}` of module instantiation argument `{}`: expected "
                                       "{}, found {}",
                                       imp.name, imp.module, extern_kind_name(imp.type.kind),
                                       extern_kind_name(found->kind)));
        switch (imp.type.kind) {
          case ExternKind::Func:
            if (!(found->func == imp.type.func))
              return fail(off, fmt::format("type mismatch for export `{}` of module instantiation argument `{}`: "
                                           "expected {}, found {}",
                                           imp.name, imp.module, core_type_string(imp.type.func),
                                           core_type_string(found->func)));
            break;
          case ExternKind::Table:
            if (found->table.elem != imp.type.table.elem || !limits_match(found->table.limits, imp.type.table.limits))
              return fail(off, fmt::format("mismatch in table limits for `{}` of module instantiation argument `{}`",
                                           imp.name, imp.module));
            break;
          case ExternKind::Memory:
            if (!limits_match(found->memory.limits, imp.type.memory.limits))
              return fail(off, fmt::format("mismatch in memory limits for `{}` of module instantiation argument `{}`",
                                           imp.name, imp.module));
            break;
          case ExternKind::Global:
            if (found->global.type != imp.type.global.type || found->global.mut != imp.type.global.mut)
              return fail(off, fmt::format("global type mismatch for `{}` of module instantiation argument `{}`",
                                           imp.name, imp.module));
            break;
        }
      }
      out.exports = mod->exports;
    } else {
      std::set<std::string> names;
      for (auto& e : ci.exports) {
        if (!names.insert(e.name).second) return fail(off, fmt::format("export name `{}` already defined", e.name));
        if (!check_index(s, e.item.sort, e.item.index, off)) return false;
        CoreExtern x;
        switch (e.item.sort) {
          case Sort::CoreFunc: x.kind = ExternKind::Func; x.func = s.core_funcs[e.item.index]; break;
          case Sort::CoreTable: x.kind = ExternKind::Table; x.table = s.core_tables[e.item.index]; break;
          case Sort::CoreMemory: x.kind = ExternKind::Memory; x.memory = s.core_memories[e.item.index]; break;
          case Sort::CoreGlobal: x.kind = ExternKind::Global; x.global = s.core_globals[e.item.index]; break;
          default: return fail(off, fmt::format("{} cannot be exported from a core instance", sort_name(e.item.sort)));
        }
        out.exports.emplace_back(e.name, std::move(x));
      }
    }
    s.core_instances.push_back(std::move(out));
    return true;
  }

  // ---- component instances --------------------------------------------------

  bool item_of(Scope& s, const SortIdx& si, Item& out, uint32_t off) {
    if (!check_index(s, si.sort, si.index, off)) return false;
    out.sort = si.sort;
    switch (si.sort) {
      case Sort::CoreModule: out.module = s.core_modules[si.index]; return true;
      case Sort::Func: out.type = s.funcs[si.index]; return true;
      case Sort::Value: out.type = s.values[si.index]; return true;
      case Sort::Type: out.type = s.types[si.index]; return true;
      case Sort::Component: out.type = s.components[si.index]; return true;
      case Sort::Instance: out.type = s.instances[si.index]; return true;
      default:
        return fail(off, fmt::format("{} not valid to be used as export", sort_name(si.sort)));
    }
  }

  bool instance(Scope& s, const Instance& in, uint32_t off) {
    if (in.instantiate) {
      if (!check_index(s, Sort::Component, in.component, off)) return false;
      TRef ct = s.components[in.component];
      std::map<std::string, Item> args;
      for (auto& a : in.args) {
        Item it;
        it.name = a.name;
        if (!item_of(s, a.item, it, off)) return false;
        if (!args.emplace(a.name, std::move(it)).second)
          return fail(off, fmt::format("instantiation argument `{}` conflicts with previous argument", a.name));
      }
      Subst m;
      std::set<TRef> fresh(ct->fresh.begin(), ct->fresh.end());
      for (auto& imp : ct->imports) {
        auto it = args.find(imp.name);
        if (it == args.end()) return fail(off, fmt::format("missing import named `{}`", imp.name));
        const Item& arg = it->second;
        if (arg.sort != imp.sort)
          return fail(off, fmt::format("expected {}, found {} for import `{}`", sort_name(imp.sort),
                                       sort_name(arg.sort), imp.name));
        if (imp.sort == Sort::Type && imp.type && imp.type->k == K::Resource && fresh.count(imp.type) &&
            (!arg.type || arg.type->k != K::Resource))
          return fail(off, fmt::format("type mismatch for import `{}`: expected resource", imp.name));
        bind(imp, arg, m, fresh);
      }
      for (auto& imp : ct->imports) {
        const Item& arg = args.find(imp.name)->second;
        TRef want = subst(imp.type, m);
        bool ok = imp.sort == Sort::Type ? type_eq(arg.type, want) : imp.sort == Sort::CoreModule || subtype(arg.type, want);
        if (!ok) {
          bool res = want && (want->k == K::Resource || refers_to_resources(want));
          return fail(off, fmt::format("type mismatch for import `{}`{}", imp.name,
                                       res ? ": resource types are not the same" : ""));
        }
      }
      for (TRef r : ct->fresh) {
        if (m.count(r)) continue;
        TNode* n = make(K::Resource);
        n->owner = r->owner;
        m[r] = n;
      }
      TNode* inst = make(K::Instance);
      for (auto& e : ct->exports) {
        Item x = e;
        x.type = subst(e.type, m);
        inst->exports.push_back(std::move(x));
      }
      s.instances.push_back(inst);
      return true;
    }
    TNode* result = make(K::Instance);
    std::map<std::string, std::string> keys;
    for (auto& e : in.exports) {
      Item it;
      it.name = e.name.name;
      if (!item_of(s, e.item, it, off)) return false;
      auto parsed = parse_extern_name(e.name.name);
      if (!parsed) return fail(off, parsed.error().message);
      std::string key = unique_key(e.name.name, *parsed);
      auto k = keys.find(key);
      if (k != keys.end()) {
        if (k->second == e.name.name) return fail(off, fmt::format("export name `{}` already defined", e.name.name));
        return fail(off, fmt::format("export name `{}` conflicts with previous name `{}`", e.name.name, k->second));
      }
      keys[key] = e.name.name;
      result->exports.push_back(std::move(it));
    }
    s.instances.push_back(result);
    return true;
  }

  // ---- the component body ----------------------------------------------------

  TRef validate_component(Scope* parent, const Component& c, Scope& s) {
    s.parent = parent;
    s.is_component = true;
    for (const DefRef& d : c.order) {
      uint32_t off = d.offset;
      switch (d.origin) {
        case Origin::CoreModule: {
          const Module& m = *c.core_modules[d.item];
          auto r = validate_module(m);
          if (!r) return fail(off, fmt::format("in core module {}: {}", d.item, r.error().message)), nullptr;
          s.core_modules.push_back(module_info(m));
          break;
        }
        case Origin::CoreInstance: core_instance(s, c.core_instances[d.item], off); break;
        case Origin::CoreType: core_type(s, c.core_types[d.item], off); break;
        case Origin::Component: {
          Scope inner;
          TRef t = validate_component(&s, *c.components[d.item], inner);
          if (!t) return nullptr;
          s.components.push_back(t);
          break;
        }
        case Origin::Instance: instance(s, c.instances[d.item], off); break;
        case Origin::Alias: alias(s, c.aliases[d.item], off); break;
        case Origin::Type: {
          TRef t = define_type(s, c.types[d.item], off);
          if (t) s.types.push_back(t);
          break;
        }
        case Origin::Canon: canon(s, c.canons[d.item], off); break;
        case Origin::Start: {
          const Start& st = c.starts[d.item];
          if (!check_index(s, Sort::Func, st.func, off)) break;
          TRef ft = s.funcs[st.func];
          if (ft->fields.size() != st.args.size())
            return fail(off, fmt::format("start function requires {} arguments", ft->fields.size())), nullptr;
          for (size_t i = 0; i < st.args.size(); ++i) {
            if (!check_index(s, Sort::Value, st.args[i], off)) return nullptr;
            if (!type_eq(s.values[st.args[i]], ft->fields[i].second))
              return fail(off, fmt::format("start function argument {} type mismatch", i)), nullptr;
          }
          if (st.results != (ft->a ? 1u : 0u))
            return fail(off, fmt::format("component start function has a result count of {}", st.results)), nullptr;
          if (ft->a) s.values.push_back(ft->a);
          break;
        }
        case Origin::Import: {
          const ComponentImport& imp = c.imports[d.item];
          Item it;
          it.name = imp.name.name;
          if (!extern_item(s, imp.desc, it, off)) return nullptr;
          if (!check_name(s, imp.name, true, it, off)) return nullptr;
          if (!check_visible(s, it, true, off)) return nullptr;
          push_item(s, it);
          s.imports.push_back(std::move(it));
          break;
        }
        case Origin::Export: {
          const ComponentExport& e = c.exports[d.item];
          Item it;
          it.name = e.name.name;
          if (!item_of(s, e.item, it, off)) return nullptr;
          if (e.desc) {
            Item want;
            if (!extern_item(s, *e.desc, want, off)) return nullptr;
            if (want.sort != it.sort)
              return fail(off, fmt::format("export `{}` type ascription sort mismatch", it.name)), nullptr;
            if (want.sort == Sort::Type && e.desc->bound.sub_resource) {
              if (!it.type || it.type->k != K::Resource)
                return fail(off, fmt::format("export `{}` ascribed a resource type but is not a resource", it.name)),
                       nullptr;
            } else if (want.sort != Sort::CoreModule && !subtype(it.type, want.type)) {
              return fail(off, fmt::format("export `{}` type mismatch with its ascribed type", it.name)), nullptr;
            }
          }
          if (!check_name(s, e.name, false, it, off)) return nullptr;
          if (!check_visible(s, it, false, off)) return nullptr;
          push_item(s, it);
          s.exports.push_back(std::move(it));
          break;
        }
        case Origin::Value: {
          TRef t = valtype(s, c.values[d.item].type, off);
          if (t) s.values.push_back(t);
          break;
        }
      }
      if (failed()) return nullptr;
    }
    TNode* n = make(K::Component);
    n->imports = s.imports;
    n->exports = s.exports;
    for (auto& i : s.imports)
      if (i.sort == Sort::Type && i.type && i.type->k == K::Resource && !i.type->local) {
        n->fresh.push_back(i.type);
      } else if ((i.sort == Sort::Instance || i.sort == Sort::Component) && i.type) {
        n->fresh.insert(n->fresh.end(), i.type->fresh.begin(), i.type->fresh.end());
      }
    for (TRef r : s.local_resources) n->fresh.push_back(r);
    return n;
  }
};

}  // namespace

Result<void> validate_component(const Component& component) {
  Validator v;
  return v.run(component);
}

}  // namespace wippy::component
