// validate_type_graph.cpp — the validator's type nodes: making them
// (arena, primitives, `eq` aliases), measuring them, the predicates the
// checks ask of them, equality and subtyping of component and core types
// (with wasm-tools' wording of each mismatch), and substitution of
// abstract resources. See validate_impl.h.
#include "component/validate_impl.h"

#include <fmt/format.h>

#include <algorithm>

#include "interp/quote.h"

namespace wippy::component::validate_detail {

namespace {

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

bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (expected.has_max) {
    if (!actual.has_max) return false;
    if (actual.max > expected.max) return false;
  }
  return true;
}

}  // namespace

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
    bool sums = uint8_t(t->kind) <= uint8_t(NodeKind::Func);  // value and function types
    for_each_child(t, [&](TRef c) {
      if (!c) return;
      depth = std::max(depth, c->depth);
      if (sums) size = std::min(size + c->size, kMaxTypeSize + 1);
    });
    t->size = size;
    t->depth = depth + 1;
  }
}

TNode* Validator::make(NodeKind kind) {
  TNode* n = arena_.make();
  n->kind = kind;
  return n;
}

TRef Validator::prim(PrimValType p) {
  auto it = prims_.find(p);
  if (it != prims_.end()) return it->second;
  TNode* n = make(NodeKind::Prim);
  n->prim = p;
  prims_[p] = n;
  return n;
}

// A new name for `t` (an `eq`-bounded type import or export): a
// structural copy, or for a resource a node whose base() is t's.
TRef Validator::alias_node(TRef t) {
  if (!t) return t;
  TNode* n = make(t->kind);
  if (t->kind == NodeKind::Resource) {
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

// ---- type predicates ----------------------------------------------------

bool Validator::contains_borrow(TRef t) {
  if (!t) return false;
  switch (t->kind) {
    case NodeKind::Borrow: return true;
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Tuple:
      for (auto& f : t->fields)
        if (contains_borrow(f.second)) return true;
      return false;
    case NodeKind::List: case NodeKind::Option: return contains_borrow(t->a);
    case NodeKind::Result: return contains_borrow(t->a) || contains_borrow(t->b);
    default: return false;
  }
}

bool Validator::needs_memory(TRef t) {
  if (!t) return false;
  switch (t->kind) {
    case NodeKind::Prim: return t->prim == PrimValType::String;
    case NodeKind::List: return !t->fixed_len || needs_memory(t->a);
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Tuple:
      for (auto& f : t->fields)
        if (needs_memory(f.second)) return true;
      return false;
    case NodeKind::Option: return needs_memory(t->a);
    case NodeKind::Result: return needs_memory(t->a) || needs_memory(t->b);
    default: return false;
  }
}

// Does `t` transitively mention a resource not owned by scope `owner`?
bool Validator::reaches_only(TRef t, const std::set<TRef>& resources, std::set<TRef>& seen) {
  if (!t || !seen.insert(t).second) return true;
  auto all = [&](const std::vector<tgraph::Item>& items) {
    for (auto& i : items)
      if (!reaches_only(i.type, resources, seen)) return false;
    return true;
  };
  switch (t->kind) {
    case NodeKind::Resource: return resources.count(base(t)) > 0;
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Tuple: case NodeKind::Func:
      for (auto& f : t->fields)
        if (!reaches_only(f.second, resources, seen)) return false;
      return reaches_only(t->a, resources, seen);
    case NodeKind::List: case NodeKind::Option: case NodeKind::Own: case NodeKind::Borrow:
      return reaches_only(t->a, resources, seen);
    case NodeKind::Result: return reaches_only(t->a, resources, seen) && reaches_only(t->b, resources, seen);
    case NodeKind::Instance: case NodeKind::Component: return all(t->imports) && all(t->exports);
    default: return true;
  }
}

bool Validator::refers_to_resources(TRef t) {
  if (!t) return false;
  switch (t->kind) {
    case NodeKind::Resource: case NodeKind::Own: case NodeKind::Borrow: return true;
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Tuple: case NodeKind::Func:
      for (auto& f : t->fields)
        if (refers_to_resources(f.second)) return true;
      return refers_to_resources(t->a);
    case NodeKind::List: case NodeKind::Option: return refers_to_resources(t->a);
    case NodeKind::Result: return refers_to_resources(t->a) || refers_to_resources(t->b);
    case NodeKind::Instance: case NodeKind::Component:
      for (auto* v : {&t->imports, &t->exports})
        for (auto& i : *v)
          if (i.sort == Sort::Type && i.type && i.type->kind == NodeKind::Resource) return true;
      return false;
    default: return false;
  }
}

// ---- type equality / subtyping ------------------------------------------

//
// Each check returns true on a match; otherwise false with `why` holding
// the reason, outermost context first ("type mismatch in record field
// `x`: expected u32, found tuple"), worded as wasm-tools words it.

TRef Validator::base(TRef t) { return tgraph::base_of(t); }

const char* Validator::kind_word(NodeKind kind) {
  switch (kind) {
    case NodeKind::Prim: return "primitive";
    case NodeKind::Record: return "record";
    case NodeKind::Variant: return "variant";
    case NodeKind::List: return "list";  // see list_word()
    case NodeKind::Tuple: return "tuple";
    case NodeKind::Flags: return "flags";
    case NodeKind::Enum: return "enum";
    case NodeKind::Option: return "option";
    case NodeKind::Result: return "result";
    case NodeKind::Own: return "own";
    case NodeKind::Borrow: return "borrow";
    case NodeKind::Func: return "func";
    case NodeKind::Component: return "component";
    case NodeKind::Instance: return "instance";
    case NodeKind::Resource: return "resource";
  }
  return "type";
}

// A primitive written directly as a value type is named by itself; one
// defined by a type definition is "primitive" on the expected side.
std::string Validator::expected_desc(TRef t) {
  if (t->kind == NodeKind::Prim && !t->defined) return prim_name(t->prim);
  return t->kind == NodeKind::List && t->is_map ? "map" : kind_word(t->kind);
}

std::string Validator::actual_desc(TRef t) {
  if (t->kind == NodeKind::Prim) return prim_name(t->prim);
  return t->kind == NodeKind::List && t->is_map ? "map" : kind_word(t->kind);
}

bool Validator::because(std::string& why, const std::string& context) {
  why = why.empty() ? context : context + ": " + why;
  return false;
}

bool Validator::mismatch(std::string& why, std::string msg) {
  why = std::move(msg);
  return false;
}

// Value and defined types: equality (the component model has no value
// subtyping yet).
bool Validator::type_eq(TRef a, TRef e, std::string& why) {
  if (a == e) return true;
  if (!a || !e) return mismatch(why, "missing type");
  if (a->kind != e->kind) return mismatch(why, fmt::format("expected {}, found {}", expected_desc(e), actual_desc(a)));
  switch (a->kind) {
    case NodeKind::Prim:
      if (a->prim == e->prim) return true;
      return mismatch(why, fmt::format("expected primitive `{}` found primitive `{}`", prim_name(e->prim),
                                       prim_name(a->prim)));
    case NodeKind::Resource:
      if (base(a) == base(e)) return true;
      return mismatch(why, "resource types are not the same");
    case NodeKind::Record:
      return fields_eq(a, e, why, "fields", "field name", "record field");
    case NodeKind::Variant:
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
    case NodeKind::Tuple:
      if (a->fields.size() != e->fields.size())
        return mismatch(why, fmt::format("expected {} types, found {}", e->fields.size(), a->fields.size()));
      for (size_t i = 0; i < a->fields.size(); ++i)
        if (!type_eq(a->fields[i].second, e->fields[i].second, why))
          return because(why, fmt::format("type mismatch in tuple field {}", i));
      return true;
    case NodeKind::Flags:
      if (a->labels == e->labels) return true;
      return mismatch(why, "mismatch in flags elements");
    case NodeKind::Enum:
      if (a->labels == e->labels) return true;
      return mismatch(why, "mismatch in enum elements");
    case NodeKind::List:
      if (a->is_map != e->is_map)
        return mismatch(why, fmt::format("expected {}, found {}", expected_desc(e), actual_desc(a)));
      if (a->fixed_len != e->fixed_len)
        return mismatch(why, fmt::format("expected a list of {} elements, found one of {}",
                                         e->fixed_len ? std::to_string(e->fixed_len) : "any number of",
                                         a->fixed_len ? std::to_string(a->fixed_len) : "any number"));
      return type_eq(a->a, e->a, why) ||
             because(why, a->is_map ? "type mismatch in map key or value" : "type mismatch in list element");
    case NodeKind::Option:
      return type_eq(a->a, e->a, why) || because(why, "type mismatch in option payload");
    case NodeKind::Own:
    case NodeKind::Borrow:
      return type_eq(a->a, e->a, why);
    case NodeKind::Result:
      for (int side = 0; side < 2; ++side) {
        TRef at = side ? a->b : a->a, et = side ? e->b : e->a;
        const char* which = side ? "err" : "ok";
        if (!et && at) return mismatch(why, fmt::format("expected {} type to not be present", which));
        if (et && !at) return mismatch(why, fmt::format("expected {} type, but found none", which));
        if (et && !type_eq(at, et, why))
          return because(why, fmt::format("type mismatch in {} variant", which));
      }
      return true;
    case NodeKind::Func: return func_sub(a, e, why);
    case NodeKind::Instance:
    case NodeKind::Component: {
      std::string ignored;
      if (!subtype(a, e, why)) return false;
      if (!subtype(e, a, ignored)) return mismatch(why, fmt::format("{} types are not the same", kind_word(a->kind)));
      return true;
    }
  }
  return mismatch(why, "type mismatch");
}

bool Validator::type_eq(TRef a, TRef e) {
  std::string why;
  return type_eq(a, e, why);
}

// Named fields (record fields, function parameters) pairwise equal.
bool Validator::fields_eq(TRef a, TRef e, std::string& why, const char* plural, const char* name_words,
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

bool Validator::func_sub(TRef a, TRef e, std::string& why) {
  if (!fields_eq(a, e, why, "parameters", "parameter named", "function parameter")) return false;
  // The wording of the two result-presence cases is wasm-tools'.
  if (a->a && !e->a) return mismatch(why, "expected a result, found none");
  if (!a->a && e->a) return mismatch(why, "expected no result, found one");
  if (e->a && !type_eq(a->a, e->a, why)) return because(why, "type mismatch with result type");
  return true;
}

const Item* Validator::find_item(const std::vector<Item>& items, const std::string& name) {
  for (auto& i : items)
    if (i.name == name) return &i;
  return nullptr;
}

const char* Validator::item_sort_word(Sort s) { return s == Sort::CoreModule ? "module" : sort_name(s); }

// actual <: expected for import/export items.
bool Validator::item_sub(const Item& a, const Item& e, std::string& why) {
  if (a.sort != e.sort)
    return mismatch(why, fmt::format("expected {}, found {}", item_sort_word(e.sort), item_sort_word(a.sort)));
  switch (e.sort) {
    case Sort::Type: {
      TRef at = base(a.type), et = base(e.type);
      if (!at || !et) return mismatch(why, "missing type");
      if (et->kind == NodeKind::Resource) {
        if (at->kind != NodeKind::Resource)
          return mismatch(why, fmt::format("expected resource, found {} type",
                                           is_valtype_node(at) ? "defined" : kind_word(at->kind)));
        return at == et || mismatch(why, "resource types are not the same");
      }
      if (at->kind == NodeKind::Resource) return mismatch(why, "expected defined type, found resource");
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
bool Validator::subtype(TRef a, TRef e, std::string& why) {
  if (a == e) return true;
  if (!a || !e) return mismatch(why, "missing type");
  if (a->kind != e->kind)
    return mismatch(why, fmt::format("expected {}, found {}", kind_word(e->kind), kind_word(a->kind)));
  if (a->kind == NodeKind::Func) return func_sub(a, e, why);
  if (a->kind != NodeKind::Instance && a->kind != NodeKind::Component) return type_eq(a, e, why);
  if (a->kind == NodeKind::Component) {
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
  if (a->kind == NodeKind::Component) {
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
      return because(why, fmt::format("type mismatch in {}export `{}`", a->kind == NodeKind::Instance ? "instance " : "",
                                      quote_input(x.name)));
  }
  return true;
}

// ---- core type subtyping -----------------------------------------------------

std::string Validator::core_func_text(const wippy::FuncType& f) {
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
bool Validator::core_extern_sub(const CoreExtern& a, const CoreExtern& e, std::string& why) {
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
bool Validator::module_sub(const CoreModuleInfo& a, const CoreModuleInfo& e, std::string& why) {
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

TRef Validator::subst(TRef t, Subst& m) {
  if (!t) return t;
  auto it = m.find(t);
  if (it != m.end()) return it->second;
  if (t->kind == NodeKind::Resource && t->alias_of) {
    // Another name for a resource: renamed when its base is substituted.
    TRef b = subst(t->alias_of, m);
    if (b == t->alias_of) return t;
    TRef n = alias_node(b);
    m[t] = n;
    return n;
  }
  if (t->kind == NodeKind::Prim || t->kind == NodeKind::Resource || t->kind == NodeKind::Flags ||
      t->kind == NodeKind::Enum)
    return t;
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
  TNode* n = make(t->kind);
  *n = std::move(copy);
  n->depth = 0;  // its parts changed
  measure(n);
  m[t] = n;
  return n;
}

// A copy of an instance/component type whose own abstract resources are
// fresh (each import or instantiation gets distinct resource types).
TRef Validator::freshen(TRef t, Subst m) {
  if (!t) return t;
  for (TRef r : t->fresh) {
    if (m.count(r)) continue;
    TNode* n = make(NodeKind::Resource);
    n->owner = r->owner;
    m[r] = n;
  }
  return subst(t, m);
}

// Binds the abstract resources of `fresh` met in `expected` to the
// corresponding types in `actual` (type imports supplied by arguments,
// including resources exported by instance arguments).
void Validator::bind(const Item& expected, const Item& actual, Subst& m, const std::set<TRef>& fresh) {
  if (expected.sort != actual.sort || !expected.type || !actual.type) return;
  if (expected.sort == Sort::Type) {
    TRef e = base(expected.type);
    if (e->kind == NodeKind::Resource && fresh.count(e) && !m.count(e) && actual.type->kind == NodeKind::Resource)
      m[e] = base(actual.type);
    return;
  }
  if (expected.sort == Sort::Instance) {
    for (auto& e : expected.type->exports)
      if (const Item* a = find_item(actual.type->exports, e.name)) bind(e, *a, m, fresh);
  }
}

}  // namespace wippy::component::validate_detail
