// validate_scopes.cpp — the validator's index spaces and names: index
// checks, external visibility of named types, import and export names,
// extern descriptions (what an import or export brings into its scope)
// and aliases, outer aliases included. See validate_impl.h.
#include "component/validate_impl.h"

#include <fmt/format.h>

#include "component/names.h"
#include "interp/quote.h"

namespace wippy::component::validate_detail {

namespace {

const char* kind_desc(NodeKind kind) {
  switch (kind) {
    case NodeKind::Func: return "a function";
    case NodeKind::Component: return "a component";
    case NodeKind::Instance: return "an instance";
    case NodeKind::Resource: return "a resource";
    default: return "a defined";
  }
}

}  // namespace

// ---- index helpers -----------------------------------------------------

// "unknown core function 7: function index out of bounds" (wasm-tools
// names the index space without "core").
std::string Validator::index_out_of_bounds(Sort sort, uint32_t idx) {
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

bool Validator::check_index(const Scope& s, Sort sort, uint32_t idx, uint32_t off) {
  if (idx < s.count(sort)) return true;
  return fail(off, index_out_of_bounds(sort, idx));
}

TRef Validator::type_at(const Scope& s, uint32_t idx, uint32_t off) {
  if (!check_index(s, Sort::Type, idx, off)) return nullptr;
  return s.types[idx];
}

TRef Validator::valtype(const Scope& s, const ValType& v, uint32_t off) {
  if (v.is_prim) return prim(v.prim);
  TRef t = type_at(s, v.index, off);
  if (!t) return nullptr;
  if (!is_valtype_node(t)) {
    fail(off, fmt::format("type index {} is not a defined type", v.index));
    return nullptr;
  }
  return t;
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
bool Validator::type_named(TRef t, const std::set<TRef>& set) {
  if (!t) return true;
  switch (t->kind) {
    case NodeKind::Prim: return true;
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Enum: case NodeKind::Flags: case NodeKind::Resource:
      return set.count(t) > 0;
    case NodeKind::Own: case NodeKind::Borrow: return set.count(t->a) > 0;
    case NodeKind::Tuple:
      for (auto& f : t->fields)
        if (!type_named(f.second, set)) return false;
      return true;
    case NodeKind::List: case NodeKind::Option: return type_named(t->a, set);
    case NodeKind::Result: return type_named(t->a, set) && type_named(t->b, set);
    default: return true;
  }
}

// The parts of a type being named by an import or export must be named.
bool Validator::parts_named(TRef t, const std::set<TRef>& set) {
  if (!t) return true;
  switch (t->kind) {
    case NodeKind::Prim: case NodeKind::Flags: case NodeKind::Enum: case NodeKind::Resource: case NodeKind::Component:
      return true;
    case NodeKind::Own: case NodeKind::Borrow: return set.count(t->a) > 0;
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Tuple: case NodeKind::Func:
      for (auto& f : t->fields)
        if (!type_named(f.second, set)) return false;
      return type_named(t->a, set);
    case NodeKind::List: case NodeKind::Option: return type_named(t->a, set);
    case NodeKind::Result: return type_named(t->a, set) && type_named(t->b, set);
    case NodeKind::Instance:
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

TRef Validator::referenced(const Item& it) {
  if (!it.type) return nullptr;
  return it.type->alias_of ? it.type->alias_of : it.type;
}

// Checks `it` against the named sets of `s` and adds the names it makes.
bool Validator::register_named(Scope& s, const Item& it, bool is_import) {
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

bool Validator::check_visible(Scope& s, const Item& it, bool is_import, uint32_t off) {
  if (register_named(s, it, is_import)) return true;
  const char* how = is_import ? "import" : "export";
  return fail(off, fmt::format("{} not valid to be used as {}: the type of `{}` refers to a record, variant, enum, "
                               "flags or resource type that was not {}ed under a name before",
                               item_sort_word(it.sort), how, it.name, how));
}

// ---- names ---------------------------------------------------------------

// (implements "ns:pkg/iface"): only on instances with plain names.
bool Validator::check_implements(const ExternName& n, const ParsedName& parsed, Sort sort, uint32_t off) {
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

bool Validator::check_extern(Scope& s, const ExternName& n, const Item& item, bool is_import, uint32_t off) {
  if (trusted_) return true;  // checked when the component was validated
  return check_name(is_import ? s.import_names : s.export_names, n, is_import ? "import" : "export", item, off) &&
         check_visible(s, item, is_import, off);
}

// Checks an import/export name in its namespace `ctx`: the name's form,
// strong uniqueness, attributes, and the shape and resource of annotated
// function names (wasm-tools' wording).
bool Validator::check_name(NameCtx& ctx, const ExternName& n, const char* what, const Item& item, uint32_t off) {
  auto parsed = parse_extern_name(n.name);
  if (!parsed) return fail(off, parsed.error().message);
  std::string key = unique_key(n.name, *parsed);
  auto it = ctx.keys.find(key);
  if (it != ctx.keys.end())
    return fail(off, fmt::format("{} name `{}` conflicts with previous name `{}`", what, quote_input(n.name), quote_input(it->second)));
  ctx.keys[key] = n.name;
  if (!check_implements(n, *parsed, item.sort, off)) return false;
  using PK = ParsedName::Kind;
  if (parsed->kind == PK::Label && item.sort == Sort::Type && item.type && item.type->kind == NodeKind::Resource) {
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
      TRef result = ft->a->kind == NodeKind::Result ? ft->a->a : ft->a;
      if (!result || result->kind != NodeKind::Own)
        return bad("function should return `(own $T)` or `(result (own $T))`");
      res = result->a;
      break;
    }
    case PK::Method:
      if (ft->fields.empty()) return bad("function should have at least one argument");
      if (ft->fields[0].first != "self") return bad("function should have a first argument called `self`");
      if (ft->fields[0].second->kind != NodeKind::Borrow)
        return bad("function should take a first argument of `(borrow $T)`");
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

// ---- extern descriptions ----------------------------------------------------

bool Validator::extern_item(Scope& s, const ExternDesc& d, Item& out, uint32_t off) {
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
      NodeKind want = d.sort == Sort::Func        ? NodeKind::Func
                      : d.sort == Sort::Component ? NodeKind::Component
                                                  : NodeKind::Instance;
      if (t->kind != want) return fail(off, fmt::format("type index {} is not {} type", d.index, kind_desc(want)));
      out.type = want == NodeKind::Func ? t : freshen(t);
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
        TNode* r = make(NodeKind::Resource);
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
void Validator::push_item(Scope& s, const Item& it) {
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

// ---- aliases ---------------------------------------------------------------

bool Validator::push_core(Scope& s, Sort sort, const CoreExtern& e, const std::string& name, uint32_t instance,
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

bool Validator::alias(Scope& s, const Alias& a, uint32_t off) {
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
      for (auto& [name, e] : *inst.exports)
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
          if (t && t->kind == NodeKind::Resource) {
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

}  // namespace wippy::component::validate_detail
