// validate.cpp — component validation. Types are resolved into a graph of
// TNodes owned by one arena per validate_component() call: indices are
// resolved against their scope as definitions are met, so later checks
// (instantiation, aliases, canon typing) compare nodes, never indices.
// Resource types are nodes compared by identity; everything else
// structurally.
#include "component/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>

#include "component/names.h"
#include "interp/validate/validate.h"
#include "interp/quote.h"

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
  // The type an import or export with an `eq` bound names: the node is a
  // distinct name for it (wasm-tools' "created" type), equal in structure;
  // resources compare by base() identity.
  TRef alias_of = nullptr;
  bool defined = false;  // Prim: made by a type definition, not written inline
  uint32_t fixed_len = 0;  // List: (list t N) when non-zero
  bool is_map = false;     // List: (map k v), `a` the tuple<k, v> it is laid out as
  // Filled by measure(): nesting depth (a leaf is 1) and effective size
  // (value and function types count their parts with repetition; 0: not
  // measured yet).
  mutable uint32_t depth = 0;
  mutable uint64_t size = 0;
};

// Calls f(child) for every node `t` refers to.
template <class F>
void for_each_child(TRef t, F&& f) {
  for (auto& fl : t->fields) f(fl.second);
  f(t->a);
  f(t->b);
  for (auto* v : {&t->imports, &t->exports})
    for (auto& i : *v) f(i.type);
  for (TRef r : t->fresh) f(r);
  f(t->alias_of);
}

// Measures `root` and every unmeasured node below it, without recursion
// (the type graph is acyclic: a node only refers to nodes made before it).
void measure(TRef root) {
  if (!root || root->depth) return;
  std::vector<std::pair<TRef, bool>> work{{root, false}};
  while (!work.empty()) {
    auto [t, children_done] = work.back();
    if (t->depth) {
      work.pop_back();
      continue;
    }
    if (!children_done) {
      work.back().second = true;
      for_each_child(t, [&](TRef c) {
        if (c && !c->depth) work.emplace_back(c, false);
      });
      continue;
    }
    work.pop_back();
    uint32_t depth = 0;
    uint64_t size = 1;
    bool sums = uint8_t(t->k) <= uint8_t(K::Func);  // value and function types
    for_each_child(t, [&](TRef c) {
      if (!c) return;
      depth = std::max(depth, c->depth);
      if (sums) size = std::min(size + c->size, kMaxTypeSize + 1);
    });
    t->size = size;
    t->depth = depth + 1;
  }
}

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

// One namespace of import or export names: strong uniqueness, and the
// resources named by plain labels (for [constructor]/[method]/[static]).
struct NameCtx {
  std::map<std::string, std::string> keys;  // unique key -> name
  std::map<std::string, TRef> res_by_label;
  std::map<TRef, std::string> label_by_res;  // keyed by the name's node (see alias_node)
};

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
  std::vector<wippy::FuncType> core_tags;  // each tag's type
  NameCtx import_names, export_names;
  std::vector<Item> imports, exports;
  std::vector<TRef> local_resources;
  std::vector<TRef> abstract_exports;  // resources exported as (sub resource)
  bool is_instance_type = false;
  std::set<TRef> named_imports, named_exports;  // see register_named()

  size_t count(Sort s) const {
    switch (s) {
      case Sort::CoreFunc: return core_funcs.size();
      case Sort::CoreTable: return core_tables.size();
      case Sort::CoreMemory: return core_memories.size();
      case Sort::CoreGlobal: return core_globals.size();
      case Sort::CoreTag: return core_tags.size();
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

  // A new name for `t` (an `eq`-bounded type import or export): a
  // structural copy, or for a resource a node whose base() is t's.
  TRef alias_node(TRef t) {
    if (!t) return t;
    TNode* n = make(t->k);
    if (t->k == K::Resource) {
      n->alias_of = base(t);
      n->local = t->local;
      n->owner = t->owner;
      return n;
    }
    *n = *t;
    n->alias_of = t;
    n->depth = 0;  // one level above t
    measure(n);
    return n;
  }

  // ---- index helpers -----------------------------------------------------

  // "unknown core function 7: function index out of bounds" (wasm-tools
  // names the index space without "core").
  static std::string index_out_of_bounds(Sort sort, uint32_t idx) {
    const char* space = "type";
    switch (sort) {
      case Sort::CoreFunc: case Sort::Func: space = "function"; break;
      case Sort::CoreTable: space = "table"; break;
      case Sort::CoreMemory: space = "memory"; break;
      case Sort::CoreGlobal: space = "global"; break;
      case Sort::CoreTag: space = "tag"; break;
      case Sort::CoreType: case Sort::Type: space = "type"; break;
      case Sort::CoreModule: space = "module"; break;
      case Sort::CoreInstance: case Sort::Instance: space = "instance"; break;
      case Sort::Value: space = "value"; break;
      case Sort::Component: space = "component"; break;
    }
    bool core = is_core_sort(sort) && sort != Sort::CoreModule && sort != Sort::CoreTag;
    return fmt::format("unknown {}{} {}: {} index out of bounds", core ? "core " : "", space, idx, space);
  }

  bool check_index(const Scope& s, Sort sort, uint32_t idx, uint32_t off) {
    if (idx < s.count(sort)) return true;
    return fail(off, index_out_of_bounds(sort, idx));
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

  static bool contains_borrow(TRef t) {
    if (!t) return false;
    switch (t->k) {
      case K::Borrow: return true;
      case K::Record: case K::Variant: case K::Tuple:
        for (auto& f : t->fields)
          if (contains_borrow(f.second)) return true;
        return false;
      case K::List: case K::Option: return contains_borrow(t->a);
      case K::Result: return contains_borrow(t->a) || contains_borrow(t->b);
      default: return false;
    }
  }

  static bool needs_memory(TRef t) {
    if (!t) return false;
    switch (t->k) {
      case K::Prim: return t->prim == PrimValType::String;
      case K::List: return !t->fixed_len || needs_memory(t->a);
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
  static bool refers_to_resources(TRef t) {
    if (!t) return false;
    switch (t->k) {
      case K::Resource: case K::Own: case K::Borrow: return true;
      case K::Record: case K::Variant: case K::Tuple: case K::Func:
        for (auto& f : t->fields)
          if (refers_to_resources(f.second)) return true;
        return refers_to_resources(t->a);
      case K::List: case K::Option: return refers_to_resources(t->a);
      case K::Result: return refers_to_resources(t->a) || refers_to_resources(t->b);
      case K::Instance: case K::Component:
        for (auto* v : {&t->imports, &t->exports})
          for (auto& i : *v)
            if (i.sort == Sort::Type && i.type && i.type->k == K::Resource) return true;
        return false;
      default: return false;
    }
  }

  // ---- type equality / subtyping ------------------------------------------
  //
  // Each check returns true on a match; otherwise false with `why` holding
  // the reason, outermost context first ("type mismatch in record field
  // `x`: expected u32, found tuple"), worded as wasm-tools words it.

  static TRef base(TRef t) {
    while (t && t->k == K::Resource && t->alias_of) t = t->alias_of;
    return t;
  }

  static const char* kind_word(K k) {
    switch (k) {
      case K::Prim: return "primitive";
      case K::Record: return "record";
      case K::Variant: return "variant";
      case K::List: return "list";  // see list_word()
      case K::Tuple: return "tuple";
      case K::Flags: return "flags";
      case K::Enum: return "enum";
      case K::Option: return "option";
      case K::Result: return "result";
      case K::Own: return "own";
      case K::Borrow: return "borrow";
      case K::Func: return "func";
      case K::Component: return "component";
      case K::Instance: return "instance";
      case K::Resource: return "resource";
    }
    return "type";
  }
  // A primitive written directly as a value type is named by itself; one
  // defined by a type definition is "primitive" on the expected side.
  static std::string expected_desc(TRef t) {
    if (t->k == K::Prim && !t->defined) return prim_name(t->prim);
    return t->k == K::List && t->is_map ? "map" : kind_word(t->k);
  }
  static std::string actual_desc(TRef t) {
    if (t->k == K::Prim) return prim_name(t->prim);
    return t->k == K::List && t->is_map ? "map" : kind_word(t->k);
  }

  static bool because(std::string& why, const std::string& context) {
    why = why.empty() ? context : context + ": " + why;
    return false;
  }
  static bool mismatch(std::string& why, std::string msg) {
    why = std::move(msg);
    return false;
  }

  // Value and defined types: equality (the component model has no value
  // subtyping yet).
  bool type_eq(TRef a, TRef e, std::string& why) {
    if (a == e) return true;
    if (!a || !e) return mismatch(why, "missing type");
    if (a->k != e->k) return mismatch(why, fmt::format("expected {}, found {}", expected_desc(e), actual_desc(a)));
    switch (a->k) {
      case K::Prim:
        if (a->prim == e->prim) return true;
        return mismatch(why, fmt::format("expected primitive `{}` found primitive `{}`", prim_name(e->prim),
                                         prim_name(a->prim)));
      case K::Resource:
        if (base(a) == base(e)) return true;
        return mismatch(why, "resource types are not the same");
      case K::Record:
        return fields_eq(a, e, why, "fields", "field name", "record field");
      case K::Variant:
        if (a->fields.size() != e->fields.size())
          return mismatch(why, fmt::format("expected {} cases, found {}", e->fields.size(), a->fields.size()));
        for (size_t i = 0; i < a->fields.size(); ++i) {
          const std::string& name = e->fields[i].first;
          TRef at = a->fields[i].second, et = e->fields[i].second;
          if (a->fields[i].first != name)
            return mismatch(why, fmt::format("expected case named `{}`, found `{}`", quote_input(name), quote_input(a->fields[i].first)));
          if (et && !at) return mismatch(why, fmt::format("expected case `{}` to have a type, found none", quote_input(name)));
          if (!et && at) return mismatch(why, fmt::format("expected case `{}` to have no type", quote_input(name)));
          if (et && !type_eq(at, et, why))
            return because(why, fmt::format("type mismatch in variant case `{}`", quote_input(name)));
        }
        return true;
      case K::Tuple:
        if (a->fields.size() != e->fields.size())
          return mismatch(why, fmt::format("expected {} types, found {}", e->fields.size(), a->fields.size()));
        for (size_t i = 0; i < a->fields.size(); ++i)
          if (!type_eq(a->fields[i].second, e->fields[i].second, why))
            return because(why, fmt::format("type mismatch in tuple field {}", i));
        return true;
      case K::Flags:
        if (a->labels == e->labels) return true;
        return mismatch(why, "mismatch in flags elements");
      case K::Enum:
        if (a->labels == e->labels) return true;
        return mismatch(why, "mismatch in enum elements");
      case K::List:
        if (a->is_map != e->is_map)
          return mismatch(why, fmt::format("expected {}, found {}", expected_desc(e), actual_desc(a)));
        if (a->fixed_len != e->fixed_len)
          return mismatch(why, fmt::format("expected a list of {} elements, found one of {}",
                                           e->fixed_len ? std::to_string(e->fixed_len) : "any number of",
                                           a->fixed_len ? std::to_string(a->fixed_len) : "any number"));
        return type_eq(a->a, e->a, why) ||
               because(why, a->is_map ? "type mismatch in map key or value" : "type mismatch in list element");
      case K::Option:
        return type_eq(a->a, e->a, why) || because(why, "type mismatch in option payload");
      case K::Own:
      case K::Borrow:
        return type_eq(a->a, e->a, why);
      case K::Result:
        for (int side = 0; side < 2; ++side) {
          TRef at = side ? a->b : a->a, et = side ? e->b : e->a;
          const char* which = side ? "err" : "ok";
          if (!et && at) return mismatch(why, fmt::format("expected {} type to not be present", which));
          if (et && !at) return mismatch(why, fmt::format("expected {} type, but found none", which));
          if (et && !type_eq(at, et, why))
            return because(why, fmt::format("type mismatch in {} variant", which));
        }
        return true;
      case K::Func: return func_sub(a, e, why);
      case K::Instance:
      case K::Component: {
        std::string ignored;
        if (!subtype(a, e, why)) return false;
        if (!subtype(e, a, ignored)) return mismatch(why, fmt::format("{} types are not the same", kind_word(a->k)));
        return true;
      }
    }
    return mismatch(why, "type mismatch");
  }
  bool type_eq(TRef a, TRef e) {
    std::string why;
    return type_eq(a, e, why);
  }

  // Named fields (record fields, function parameters) pairwise equal.
  bool fields_eq(TRef a, TRef e, std::string& why, const char* plural, const char* name_words,
                 const char* what) {
    if (a->fields.size() != e->fields.size())
      return mismatch(why, fmt::format("expected {} {}, found {}", e->fields.size(), plural, a->fields.size()));
    for (size_t i = 0; i < a->fields.size(); ++i) {
      const std::string& name = e->fields[i].first;
      if (a->fields[i].first != name)
        return mismatch(why, fmt::format("expected {} `{}`, found `{}`", name_words, quote_input(name), quote_input(a->fields[i].first)));
      if (!type_eq(a->fields[i].second, e->fields[i].second, why))
        return because(why, fmt::format("type mismatch in {} `{}`", what, quote_input(name)));
    }
    return true;
  }

  bool func_sub(TRef a, TRef e, std::string& why) {
    if (!fields_eq(a, e, why, "parameters", "parameter named", "function parameter")) return false;
    // The wording of the two result-presence cases is wasm-tools'.
    if (a->a && !e->a) return mismatch(why, "expected a result, found none");
    if (!a->a && e->a) return mismatch(why, "expected no result, found one");
    if (e->a && !type_eq(a->a, e->a, why)) return because(why, "type mismatch with result type");
    return true;
  }

  static const Item* find_item(const std::vector<Item>& items, const std::string& name) {
    for (auto& i : items)
      if (i.name == name) return &i;
    return nullptr;
  }

  static const char* item_sort_word(Sort s) { return s == Sort::CoreModule ? "module" : sort_name(s); }

  // actual <: expected for import/export items.
  bool item_sub(const Item& a, const Item& e, std::string& why) {
    if (a.sort != e.sort)
      return mismatch(why, fmt::format("expected {}, found {}", item_sort_word(e.sort), item_sort_word(a.sort)));
    switch (e.sort) {
      case Sort::Type: {
        TRef at = base(a.type), et = base(e.type);
        if (!at || !et) return mismatch(why, "missing type");
        if (et->k == K::Resource) {
          if (at->k != K::Resource)
            return mismatch(why, fmt::format("expected resource, found {} type", is_valtype_node(at) ? "defined" : kind_word(at->k)));
          return at == et || mismatch(why, "resource types are not the same");
        }
        if (at->k == K::Resource) return mismatch(why, "expected defined type, found resource");
        return type_eq(at, et, why);
      }
      case Sort::CoreModule: return module_sub(*a.module, *e.module, why);
      case Sort::Value: return type_eq(a.type, e.type, why);
      default: return subtype(a.type, e.type, why);
    }
  }

  // actual <: expected for func, instance and component types. The
  // abstract resources of either side are first unified through the
  // imports (component) and exports (instance and component) they are
  // named by.
  bool subtype(TRef a, TRef e, std::string& why) {
    if (a == e) return true;
    if (!a || !e) return mismatch(why, "missing type");
    if (a->k != e->k) return mismatch(why, fmt::format("expected {}, found {}", kind_word(e->k), kind_word(a->k)));
    if (a->k == K::Func) return func_sub(a, e, why);
    if (a->k != K::Instance && a->k != K::Component) return type_eq(a, e, why);
    if (a->k == K::Component) {
      // The actual component's abstract imports take the expected ones.
      Subst m;
      std::set<TRef> fresh(a->fresh.begin(), a->fresh.end());
      for (auto& i : a->imports)
        if (const Item* x = find_item(e->imports, i.name)) bind(i, *x, m, fresh);
      if (!m.empty()) a = subst(a, m);
    }
    {
      // The expected side's abstract exports take the actual ones.
      Subst m;
      std::set<TRef> fresh(e->fresh.begin(), e->fresh.end());
      for (auto& x : e->exports)
        if (const Item* i = find_item(a->exports, x.name)) bind(x, *i, m, fresh);
      if (!m.empty()) e = subst(e, m);
    }
    if (a->k == K::Component) {
      for (auto& i : a->imports) {
        const Item* x = find_item(e->imports, i.name);
        if (!x) return mismatch(why, fmt::format("missing expected import `{}`", quote_input(i.name)));
        if (!item_sub(*x, i, why)) return because(why, fmt::format("type mismatch in import `{}`", quote_input(i.name)));
      }
    }
    for (auto& x : e->exports) {
      const Item* i = find_item(a->exports, x.name);
      if (!i) return mismatch(why, fmt::format("missing expected export `{}`", quote_input(x.name)));
      if (!item_sub(*i, x, why))
        return because(why, fmt::format("type mismatch in {}export `{}`", a->k == K::Instance ? "instance " : "", quote_input(x.name)));
    }
    return true;
  }

  // ---- core types -----------------------------------------------------------

  static std::string core_func_text(const wippy::FuncType& f) {
    std::string s = "(func";
    if (!f.params.empty()) {
      s += " (param";
      for (auto t : f.params) s += fmt::format(" {}", valtype_name(t));
      s += ")";
    }
    if (!f.results.empty()) {
      s += " (result";
      for (auto t : f.results) s += fmt::format(" {}", valtype_name(t));
      s += ")";
    }
    return s + ")";
  }

  // actual <: expected for core extern types (wasm-tools' wording).
  static bool core_extern_sub(const CoreExtern& a, const CoreExtern& e, std::string& why) {
    if (a.kind != e.kind)
      return mismatch(why, fmt::format("expected {}, found {}", extern_kind_name(e.kind), extern_kind_name(a.kind)));
    switch (e.kind) {
      case ExternKind::Func:
        if (a.func == e.func) return true;
        return mismatch(why, fmt::format("function types differ: expected: {}, found: {}", core_func_text(e.func),
                                         core_func_text(a.func)));
      case ExternKind::Table:
        if (a.table.elem != e.table.elem)
          return mismatch(why, fmt::format("expected table element type {}, found {}", valtype_name(e.table.elem),
                                           valtype_name(a.table.elem)));
        return limits_match(a.table.limits, e.table.limits) || mismatch(why, "mismatch in table limits");
      case ExternKind::Memory:
        if (a.memory.shared != e.memory.shared) return mismatch(why, "mismatch in the shared flag for memories");
        return limits_match(a.memory.limits, e.memory.limits) || mismatch(why, "mismatch in memory limits");
      case ExternKind::Global:
        if (a.global.mut != e.global.mut) return mismatch(why, "global types differ in mutability");
        if (a.global.type != e.global.type)
          return mismatch(why, fmt::format("expected global type {}, found {}", valtype_name(e.global.type),
                                           valtype_name(a.global.type)));
        return true;
      case ExternKind::Tag:  // the tag's type is kept in `func`
        if (a.func == e.func) return true;
        return mismatch(why, fmt::format("tag types differ: expected: {}, found: {}", core_func_text(e.func),
                                         core_func_text(a.func)));
    }
    return true;
  }

  // Module types: imports contravariant (the actual module may import
  // less), exports covariant (it may export more).
  static bool module_sub(const CoreModuleInfo& a, const CoreModuleInfo& e, std::string& why) {
    for (auto& ai : a.imports) {
      const CoreModuleInfo::Imp* ei = nullptr;
      for (auto& x : e.imports)
        if (x.module == ai.module && x.name == ai.name) ei = &x;
      if (!ei) return mismatch(why, fmt::format("missing expected import `{}::{}`", ai.module, ai.name));
      if (!core_extern_sub(ei->type, ai.type, why))
        return because(why, fmt::format("type mismatch in import `{}::{}`", ai.module, ai.name));
    }
    for (auto& [name, et] : e.exports) {
      const CoreExtern* at = nullptr;
      for (auto& [n, t] : a.exports)
        if (n == name) at = &t;
      if (!at) return mismatch(why, fmt::format("missing expected export `{}`", quote_input(name)));
      if (!core_extern_sub(*at, et, why)) return because(why, fmt::format("type mismatch in export `{}`", quote_input(name)));
    }
    return true;
  }

  // ---- substitution -------------------------------------------------------

  using Subst = std::map<TRef, TRef>;

  TRef subst(TRef t, Subst& m) {
    if (!t) return t;
    auto it = m.find(t);
    if (it != m.end()) return it->second;
    if (t->k == K::Resource && t->alias_of) {
      // Another name for a resource: renamed when its base is substituted.
      TRef b = subst(t->alias_of, m);
      if (b == t->alias_of) return t;
      TRef n = alias_node(b);
      m[t] = n;
      return n;
    }
    if (t->k == K::Prim || t->k == K::Resource || t->k == K::Flags || t->k == K::Enum) return t;
    TNode copy = *t;
    bool changed = false;
    auto sub = [&](TRef& r) {
      TRef n = subst(r, m);
      if (n != r) changed = true;
      r = n;
    };
    for (auto& f : copy.fields) sub(f.second);
    sub(copy.a);
    sub(copy.b);
    for (auto* v : {&copy.imports, &copy.exports})
      for (auto& i : *v) sub(i.type);
    for (auto& r : copy.fresh) sub(r);
    sub(copy.alias_of);
    if (!changed) {
      m[t] = t;
      return t;
    }
    TNode* n = make(t->k);
    *n = std::move(copy);
    n->depth = 0;  // its parts changed
    measure(n);
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
  static void bind(const Item& expected, const Item& actual, Subst& m, const std::set<TRef>& fresh) {
    if (expected.sort != actual.sort || !expected.type || !actual.type) return;
    if (expected.sort == Sort::Type) {
      TRef e = base(expected.type);
      if (e->k == K::Resource && fresh.count(e) && !m.count(e) && actual.type->k == K::Resource)
        m[e] = base(actual.type);
      return;
    }
    if (expected.sort == Sort::Instance) {
      for (auto& e : expected.type->exports)
        if (const Item* a = find_item(actual.type->exports, e.name)) bind(e, *a, m, fresh);
    }
  }

  // ---- flattening ---------------------------------------------------------

  // The case payloads of a variant, option or result (nullptr: no payload).
  static std::vector<TRef> case_payloads(TRef t) {
    if (t->k == K::Option) return {nullptr, t->a};
    if (t->k == K::Result) return {t->a, t->b};
    std::vector<TRef> out;
    for (auto& f : t->fields) out.push_back(f.second);
    return out;
  }

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
      case K::List:
        if (t->fixed_len) {
          for (uint32_t i = 0; i < t->fixed_len && out.size() <= 64; ++i) flatten(t->a, out);  // > 16 spills anyway
          return;
        }
        out.push_back(ValType::I32);
        out.push_back(ValType::I32);
        return;
      case K::Record: case K::Tuple:
        for (auto& f : t->fields) flatten(f.second, out);
        return;
      case K::Flags: case K::Enum: case K::Own: case K::Borrow: out.push_back(ValType::I32); return;
      case K::Variant: case K::Option: case K::Result: {
        std::vector<TRef> payloads = case_payloads(t);
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

  // ---- external visibility (named types) ----------------------------------------
  //
  // Explainer.md "external visibility": an imported or exported item may
  // only refer to records, variants, enums, flags and resources through
  // names this scope has imported or exported before. Each type import or
  // export makes a new name (alias_node); only those names are in the sets,
  // so the definition a name was made from stays unnamed. Imports name for
  // imports and exports; exports name for exports. Instance types are
  // checked when they are attached to an import or export.

  // Is `t`, referenced from a named item, itself named (or anonymous with
  // named parts)?
  static bool type_named(TRef t, const std::set<TRef>& set) {
    if (!t) return true;
    switch (t->k) {
      case K::Prim: return true;
      case K::Record: case K::Variant: case K::Enum: case K::Flags: case K::Resource: return set.count(t) > 0;
      case K::Own: case K::Borrow: return set.count(t->a) > 0;
      case K::Tuple:
        for (auto& f : t->fields)
          if (!type_named(f.second, set)) return false;
        return true;
      case K::List: case K::Option: return type_named(t->a, set);
      case K::Result: return type_named(t->a, set) && type_named(t->b, set);
      default: return true;
    }
  }

  // The parts of a type being named by an import or export must be named.
  static bool parts_named(TRef t, const std::set<TRef>& set) {
    if (!t) return true;
    switch (t->k) {
      case K::Prim: case K::Flags: case K::Enum: case K::Resource: case K::Component: return true;
      case K::Own: case K::Borrow: return set.count(t->a) > 0;
      case K::Record: case K::Variant: case K::Tuple: case K::Func:
        for (auto& f : t->fields)
          if (!type_named(f.second, set)) return false;
        return type_named(t->a, set);
      case K::List: case K::Option: return type_named(t->a, set);
      case K::Result: return type_named(t->a, set) && type_named(t->b, set);
      case K::Instance:
        for (auto& x : t->exports) {
          if (x.sort == Sort::Type) {
            if (!parts_named(x.type, set)) return false;
          } else if (x.sort == Sort::Value) {
            if (!type_named(x.type, set)) return false;
          } else if (x.sort != Sort::CoreModule && !parts_named(x.type, set)) {
            return false;
          }
        }
        return true;
    }
    return true;
  }

  static TRef referenced(const Item& it) {
    if (!it.type) return nullptr;
    return it.type->alias_of ? it.type->alias_of : it.type;
  }

  // Checks `it` against the named sets of `s` and adds the names it makes.
  bool register_named(Scope& s, const Item& it, bool is_import) {
    if (s.is_instance_type) return true;
    std::set<TRef>& set = is_import ? s.named_imports : s.named_exports;
    switch (it.sort) {
      case Sort::Type: {
        if (!parts_named(referenced(it), set)) return false;
        s.named_exports.insert(it.type);
        if (is_import) s.named_imports.insert(it.type);
        return true;
      }
      case Sort::Instance:
        if (!it.type) return true;
        for (auto& x : it.type->exports)
          if (!register_named(s, x, is_import)) return false;
        return true;
      case Sort::Func: return parts_named(it.type, set);
      case Sort::Value: return type_named(it.type, set);
      default: return true;
    }
  }

  bool check_visible(Scope& s, const Item& it, bool is_import, uint32_t off) {
    if (register_named(s, it, is_import)) return true;
    const char* how = is_import ? "import" : "export";
    return fail(off, fmt::format("{} not valid to be used as {}: the type of `{}` refers to a record, variant, enum, "
                                 "flags or resource type that was not {}ed under a name before",
                                 item_sort_word(it.sort), how, it.name, how));
  }

  // ---- names ---------------------------------------------------------------

  // (implements "ns:pkg/iface"): only on instances with plain names.
  bool check_implements(const ExternName& n, const ParsedName& parsed, Sort sort, uint32_t off) {
    if (!n.implements) return true;
    if (sort != Sort::Instance)
      return fail(off, fmt::format("only instances can have an `implements` attribute (`{}`)", quote_input(n.name)));
    if (parsed.kind != ParsedName::Kind::Label)
      return fail(off, fmt::format("name `{}` is not valid with `implements`", quote_input(n.name)));
    auto in = parse_extern_name(*n.implements);
    if (!in || in->kind != ParsedName::Kind::Interface)
      return fail(off, fmt::format("`{}` is not a valid name for `implements`: it must be an interface name",
                                   *n.implements));
    return true;
  }

  // Checks an import/export name in its namespace `ctx`: the name's form,
  // strong uniqueness, attributes, and the shape and resource of annotated
  // function names (wasm-tools' wording).
  bool check_name(NameCtx& ctx, const ExternName& n, const char* what, const Item& item, uint32_t off) {
    auto parsed = parse_extern_name(n.name);
    if (!parsed) return fail(off, parsed.error().message);
    std::string key = unique_key(n.name, *parsed);
    auto it = ctx.keys.find(key);
    if (it != ctx.keys.end())
      return fail(off, fmt::format("{} name `{}` conflicts with previous name `{}`", what, quote_input(n.name), quote_input(it->second)));
    ctx.keys[key] = n.name;
    if (!check_implements(n, *parsed, item.sort, off)) return false;
    using PK = ParsedName::Kind;
    if (parsed->kind == PK::Label && item.sort == Sort::Type && item.type && item.type->k == K::Resource) {
      ctx.res_by_label[parsed->label] = item.type;
      ctx.label_by_res.emplace(item.type, parsed->label);
    }
    if (parsed->kind != PK::Constructor && parsed->kind != PK::Method && parsed->kind != PK::Static) return true;
    if (item.sort != Sort::Func || !item.type)
      return fail(off, fmt::format("{} name `{}` is not a function", what, quote_input(n.name)));
    TRef ft = item.type, res = nullptr;
    auto bad = [&](const std::string& why) { return fail(off, fmt::format("{} `{}`: {}", what, quote_input(n.name), why)); };
    switch (parsed->kind) {
      case PK::Constructor: {
        if (!ft->a) return bad("function should return one value");
        TRef result = ft->a->k == K::Result ? ft->a->a : ft->a;
        if (!result || result->k != K::Own) return bad("function should return `(own $T)` or `(result (own $T))`");
        res = result->a;
        break;
      }
      case PK::Method:
        if (ft->fields.empty()) return bad("function should have at least one argument");
        if (ft->fields[0].first != "self") return bad("function should have a first argument called `self`");
        if (ft->fields[0].second->k != K::Borrow) return bad("function should take a first argument of `(borrow $T)`");
        res = ft->fields[0].second->a;
        break;
      default:
        if (!ctx.res_by_label.count(parsed->resource))
          return bad(fmt::format("static resource name is not known in this context (no resource `{}` {}ed)",
                                 parsed->resource, what));
        return true;
    }
    auto named = ctx.label_by_res.find(res);
    if (named == ctx.label_by_res.end()) return bad("resource used in function does not have a name in this context");
    if (named->second != parsed->resource)
      return bad(fmt::format("function does not match expected resource name `{}`", quote_input(named->second)));
    return true;
  }

  // ---- definitions ---------------------------------------------------------

  bool labels_unique(const std::vector<std::string>& names, const char* what, uint32_t off) {
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

  TRef define_type(Scope& s, const TypeDef& def, uint32_t off) {
    TRef t = std::visit([&](const auto& t) -> TRef { return define(s, t, off); }, def);
    if (!t) return nullptr;
    // Measured before anything walks it (layout() below, later checks).
    measure(t);
    if (t->depth > kMaxTypeDepth)
      return fail(off, fmt::format("type nesting is too deep (more than {} levels)", kMaxTypeDepth)), nullptr;
    if (t->size > kMaxTypeSize)
      return fail(off, fmt::format("effective type size exceeds the limit of {}", kMaxTypeSize)), nullptr;
    // CanonicalABI.md "Element Size": with 64-bit pointers, below 2^28.
    if (t && is_valtype_node(t)) {
      uint64_t size = layout(t).size;
      if (size >= kMaxValueSize)
        return fail(off, fmt::format("value type exceeds maximum byte size: {} bytes with 64-bit pointers (the limit "
                                     "is {})",
                                     size, kMaxValueSize - 1)),
               nullptr;
    }
    return t;
  }

  static constexpr uint64_t kMaxValueSize = uint64_t(1) << 28;

  struct Layout {
    uint64_t size = 0, align = 1;
  };
  static uint64_t align_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }
  static uint64_t disc_size(size_t cases) { return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4; }

  // Size and alignment in memory with 64-bit pointers (sizes saturate well
  // above the limit, so nesting cannot overflow).
  static Layout layout(TRef t) {
    constexpr uint64_t kCap = uint64_t(1) << 40;
    if (!t) return {};
    switch (t->k) {
      case K::Prim:
        switch (t->prim) {
          case PrimValType::Bool: case PrimValType::S8: case PrimValType::U8: return {1, 1};
          case PrimValType::S16: case PrimValType::U16: return {2, 2};
          case PrimValType::S64: case PrimValType::U64: case PrimValType::F64: return {8, 8};
          case PrimValType::String: return {16, 8};
          default: return {4, 4};
        }
      case K::List: {
        if (!t->fixed_len) return {16, 8};
        Layout e = layout(t->a);
        return {std::min(kCap, e.size * t->fixed_len), e.align};
      }
      case K::Record: case K::Tuple: {
        Layout out;
        for (auto& f : t->fields) {
          Layout e = layout(f.second);
          out.size = std::min(kCap, align_up(out.size, e.align) + e.size);
          out.align = std::max(out.align, e.align);
        }
        out.size = align_up(out.size, out.align);
        return out;
      }
      case K::Flags: {
        size_t n = t->labels.size();
        if (n <= 8) return {1, 1};
        if (n <= 16) return {2, 2};
        return {4 * ((n + 31) / 32), 4};
      }
      case K::Enum: {
        uint64_t d = disc_size(t->labels.size());
        return {d, d};
      }
      case K::Variant: case K::Option: case K::Result: {
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

  TRef define(Scope&, const PrimValType& p, uint32_t) {
    TNode* n = make(K::Prim);
    n->prim = p;
    n->defined = true;
    return n;
  }
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
    if (t.length) {
      if (*t.length == 0) return fail(off, "fixed-size lists must have more than zero elements"), nullptr;
      n->fixed_len = *t.length;
    }
    return n;
  }
  TRef define(Scope& s, const MapType& t, uint32_t off) {
    TNode* entry = make(K::Tuple);
    TRef k = valtype(s, t.key, off), v = k ? valtype(s, t.value, off) : nullptr;
    if (!v) return nullptr;
    entry->fields = {{"", k}, {"", v}};
    TNode* n = make(K::List);
    n->a = entry;
    n->is_map = true;
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
        out.type = alias_node(type_at(s, d.bound.index, off));
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
    auto heap_scope = std::make_unique<Scope>();  // on the heap: nesting costs less stack
    Scope& s = *heap_scope;
    s.parent = &parent;
    s.is_component = false;
    s.is_instance_type = !component;
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
          if (!check_name(imp ? s.import_names : s.export_names, d.name, imp ? "import" : "export", it, at))
            return nullptr;
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

  // ---- aliases ---------------------------------------------------------------

  bool push_core(Scope& s, Sort sort, const CoreExtern& e, const std::string& name, uint32_t instance,
                 uint32_t off) {
    ExternKind want = sort == Sort::CoreFunc     ? ExternKind::Func
                      : sort == Sort::CoreTable  ? ExternKind::Table
                      : sort == Sort::CoreMemory ? ExternKind::Memory
                      : sort == Sort::CoreTag    ? ExternKind::Tag
                                                 : ExternKind::Global;
    if (e.kind != want)
      return fail(off, fmt::format("export `{}` for core instance {} is not a {}", quote_input(name), instance,
                                   extern_kind_name(want)));
    switch (sort) {
      case Sort::CoreFunc: s.core_funcs.push_back(e.func); break;
      case Sort::CoreTable: s.core_tables.push_back(e.table); break;
      case Sort::CoreMemory: s.core_memories.push_back(e.memory); break;
      case Sort::CoreTag: s.core_tags.push_back(e.func); break;
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
        if (!it) return fail(off, fmt::format("instance {} has no export named `{}`", a.instance, quote_input(a.name)));
        if (it->sort != a.sort)
          return fail(off, fmt::format("export `{}` for instance {} is not a {} (it is a {})", quote_input(a.name), a.instance,
                                       item_sort_word(a.sort), item_sort_word(it->sort)));
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
            return push_core(s, a.sort, e, a.name, a.instance, off);
          }
        return fail(off, fmt::format("core instance {} has no export named `{}`", a.instance, quote_input(a.name)));
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
            if (t && t->k == K::Resource) {
              if (target->named_imports.count(t)) s.named_imports.insert(t);
              if (target->named_exports.count(t)) s.named_exports.insert(t);
            }
            s.types.push_back(t);
          }
        }
        return true;
      }
    }
    return true;
  }

  // ---- canon -----------------------------------------------------------------

  // "[I32, I64]", as wasm-tools lists core types.
  static std::string core_types_list(const std::vector<wippy::ValType>& ts) {
    std::string s = "[";
    for (size_t i = 0; i < ts.size(); ++i) {
      std::string n = valtype_name(ts[i]);
      for (char& c : n) c = char(std::toupper(static_cast<unsigned char>(c)));
      s += (i ? ", " : "") + n;
    }
    return s + "]";
  }

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
      if (!o.memory) return fail(off, "canonical option `realloc` requires `memory` to also be specified");
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
        if (!(s.core_funcs[c.func] == core)) {
          const wippy::FuncType& have = s.core_funcs[c.func];
          bool params = core.params != have.params;
          return fail(off, fmt::format("lowered {0} types `{1}` do not match {0} types `{2}` of core function {3}",
                                       params ? "parameter" : "result",
                                       core_types_list(params ? core.params : core.results),
                                       core_types_list(params ? have.params : have.results), c.func));
        }
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
      case ExternKind::Tag: e.func = m.types[m.tag_type_index(idx)]; break;
    }
    return e;
  }

  static ModuleRef module_info(const Module& m) {
    auto info = std::make_shared<CoreModuleInfo>();
    for (auto& imp : m.imports) {
      CoreModuleInfo::Imp i{imp.module, imp.name, {}};
      i.type.kind = imp.kind;
      // a func's type, or a tag's (kept in `func` too)
      if ((imp.kind == ExternKind::Func || imp.kind == ExternKind::Tag) && imp.func_type < m.types.size())
        i.type.func = m.types[imp.func_type];
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
          return fail(off, fmt::format("duplicate module instantiation argument named `{}`", quote_input(a.name)));
      }
      const ModuleRef& mod = s.core_modules[ci.module];
      for (auto& imp : mod->imports) {
        auto it = args.find(imp.module);
        if (it == args.end()) return fail(off, fmt::format("missing module instantiation argument named `{}`", quote_input(imp.module)));
        const CoreExtern* found = nullptr;
        for (auto& [name, e] : s.core_instances[it->second].exports)
          if (name == imp.name) found = &e;
        if (!found)
          return fail(off, fmt::format("module instantiation argument `{}` does not export an item named `{}`",
                                       quote_input(imp.module), quote_input(imp.name)));
        std::string why;
        if (!core_extern_sub(*found, imp.type, why))
          return fail(off, fmt::format("type mismatch for export `{}` of module instantiation argument `{}`: {}",
                                       quote_input(imp.name), quote_input(imp.module), why));
      }
      out.exports = mod->exports;
    } else {
      std::set<std::string> names;
      for (auto& e : ci.exports) {
        if (!names.insert(e.name).second) return fail(off, fmt::format("export name `{}` already defined", quote_input(e.name)));
        if (!check_index(s, e.item.sort, e.item.index, off)) return false;
        CoreExtern x;
        switch (e.item.sort) {
          case Sort::CoreFunc: x.kind = ExternKind::Func; x.func = s.core_funcs[e.item.index]; break;
          case Sort::CoreTable: x.kind = ExternKind::Table; x.table = s.core_tables[e.item.index]; break;
          case Sort::CoreMemory: x.kind = ExternKind::Memory; x.memory = s.core_memories[e.item.index]; break;
          case Sort::CoreGlobal: x.kind = ExternKind::Global; x.global = s.core_globals[e.item.index]; break;
          case Sort::CoreTag: x.kind = ExternKind::Tag; x.func = s.core_tags[e.item.index]; break;
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
          return fail(off, fmt::format("instantiation argument `{}` conflicts with previous argument `{}`", quote_input(a.name), quote_input(a.name)));
      }
      Subst m;
      std::set<TRef> fresh(ct->fresh.begin(), ct->fresh.end());
      for (auto& imp : ct->imports) {
        auto it = args.find(imp.name);
        if (it == args.end()) return fail(off, fmt::format("missing import named `{}`", quote_input(imp.name)));
        const Item& arg = it->second;
        bind(imp, arg, m, fresh);
        // An `eq`-bounded type import stands for its argument from now on.
        if (imp.sort == Sort::Type && arg.sort == Sort::Type && imp.type && arg.type && imp.type->alias_of &&
            imp.type->k != K::Resource && !m.count(imp.type))
          m[imp.type] = arg.type;
      }
      for (auto& imp : ct->imports) {
        const Item& arg = args.find(imp.name)->second;
        Item want = imp;
        bool eq_type = imp.sort == Sort::Type && imp.type && imp.type->k != K::Resource && imp.type->alias_of;
        want.type = subst(eq_type ? imp.type->alias_of : imp.type, m);
        std::string why;
        if (!item_sub(arg, want, why))
          return fail(off, fmt::format("type mismatch for component instantiation argument `{}`: {}", quote_input(imp.name), why));
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
    NameCtx names;
    for (auto& e : in.exports) {
      Item it;
      it.name = e.name.name;
      if (!item_of(s, e.item, it, off)) return false;
      if (it.sort == Sort::Type) it.type = alias_node(it.type);  // a new name, as for component exports
      if (!check_name(names, e.name, "export", it, off)) return false;
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
          // Two-level import names must stay unique as `module:name`.
          std::set<std::pair<std::string, std::string>> import_names;
          for (auto& imp : m.imports)
            if (!import_names.emplace(imp.module, imp.name).second)
              return fail(off, fmt::format("duplicate import name `{}:{}` in core module {}", quote_input(imp.module), quote_input(imp.name),
                                           d.item)),
                     nullptr;
          s.core_modules.push_back(module_info(m));
          break;
        }
        case Origin::CoreInstance: core_instance(s, c.core_instances[d.item], off); break;
        case Origin::CoreType: core_type(s, c.core_types[d.item], off); break;
        case Origin::Component: {
          auto inner = std::make_unique<Scope>();  // on the heap: nesting costs less stack
          TRef t = validate_component(&s, *c.components[d.item], *inner);
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
          if (!check_name(s.import_names, imp.name, "import", it, off)) return nullptr;
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
            // The ascribed type replaces the item's type for everyone
            // outside; it must be a supertype of it.
            Item want;
            want.name = it.name;
            if (!extern_item(s, *e.desc, want, off)) return nullptr;
            std::string why;
            if (want.sort == Sort::Type && e.desc->bound.sub_resource) {
              if (!it.type || it.type->k != K::Resource)
                why = fmt::format("expected resource, found {} type", it.type ? kind_word(it.type->k) : "no");
              else
                s.abstract_exports.push_back(want.type);
            } else {
              item_sub(it, want, why);
            }
            if (!why.empty())
              return fail(off, fmt::format("ascribed type of export is not compatible with item's type (export `{}`): {}",
                                           it.name, why)),
                     nullptr;
            it = std::move(want);
          } else if (it.sort == Sort::Type) {
            it.type = alias_node(it.type);
          }
          if (!check_name(s.export_names, e.name, "export", it, off)) return nullptr;
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
      if (i.sort == Sort::Type && i.type && i.type->k == K::Resource && !i.type->local && !i.type->alias_of) {
        n->fresh.push_back(i.type);
      } else if ((i.sort == Sort::Instance || i.sort == Sort::Component) && i.type) {
        n->fresh.insert(n->fresh.end(), i.type->fresh.begin(), i.type->fresh.end());
      }
    for (TRef r : s.local_resources) n->fresh.push_back(r);
    for (TRef r : s.abstract_exports) n->fresh.push_back(r);
    return n;
  }
};

}  // namespace

Result<void> validate_component(const Component& component) {
  Validator v;
  return v.run(component);
}

}  // namespace wippy::component
