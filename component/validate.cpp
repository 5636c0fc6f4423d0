// validate.cpp — component validation (validate.h): core and component
// instances, the component body walked in binary order, and
// validate_component(). The validator is declared in validate_impl.h;
// its other concerns are defined in validate_*.cpp.
#include "component/validate.h"

#include <fmt/format.h>

#include <span>

#include "component/validate_impl.h"
#include "interp/quote.h"
#include "interp/validate/validate.h"

namespace wippy::component::validate_detail {

// ---- core instances --------------------------------------------------------

CoreExtern Validator::module_extern(const Module& m, ExternKind kind, uint32_t idx) {
  CoreExtern e;
  e.kind = kind;
  switch (kind) {
    case ExternKind::Func: e.func = m.func_type(idx); break;
    case ExternKind::Table: e.table = m.table_type(idx); break;
    case ExternKind::Memory: e.memory = m.memory_type(idx); break;
    case ExternKind::Global: e.global = m.global_type(idx); break;
    case ExternKind::Tag: e.func = m.types[m.tag_type_index(idx)]; break;
  }
  return e;
}

ModuleRef Validator::module_info(const Module& m, bool with_imports) {
  auto info = std::make_shared<CoreModuleInfo>();
  if (with_imports) {
    info->imports.reserve(m.imports.size());
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
  }
  info->exports.reserve(m.exports.size());
  for (auto& e : m.exports) info->exports.emplace_back(e.name, module_extern(m, e.kind, e.index));
  return info;
}

bool Validator::core_instance(Scope& s, const CoreInstance& ci, uint32_t off) {
  CoreInstInfo out;
  if (ci.instantiate) {
    if (!check_index(s, Sort::CoreModule, ci.module, off)) return false;
    const ModuleRef& mod = s.core_modules[ci.module];
    out.exports = std::shared_ptr<const CoreInstInfo::Exports>(mod, &mod->exports);
    if (trusted_) {
      s.core_instances.push_back(std::move(out));
      return true;
    }
    std::map<std::string, uint32_t> args;
    for (auto& a : ci.args) {
      if (!check_index(s, Sort::CoreInstance, a.instance, off)) return false;
      if (!args.emplace(a.name, a.instance).second)
        return fail(off, fmt::format("duplicate module instantiation argument named `{}`", quote_input(a.name)));
    }
    for (auto& imp : mod->imports) {
      auto it = args.find(imp.module);
      if (it == args.end()) return fail(off, fmt::format("missing module instantiation argument named `{}`", quote_input(imp.module)));
      const CoreExtern* found = nullptr;
      for (auto& [name, e] : *s.core_instances[it->second].exports)
        if (name == imp.name) found = &e;
      if (!found)
        return fail(off, fmt::format("module instantiation argument `{}` does not export an item named `{}`",
                                     quote_input(imp.module), quote_input(imp.name)));
      std::string why;
      if (!core_extern_sub(*found, imp.type, why))
        return fail(off, fmt::format("type mismatch for export `{}` of module instantiation argument `{}`: {}",
                                     quote_input(imp.name), quote_input(imp.module), why));
    }
  } else {
    auto exports = std::make_shared<CoreInstInfo::Exports>();
    exports->reserve(ci.exports.size());
    std::set<std::string> names;
    for (auto& e : ci.exports) {
      if (!trusted_ && !names.insert(e.name).second) return fail(off, fmt::format("export name `{}` already defined", quote_input(e.name)));
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
      exports->emplace_back(e.name, std::move(x));
    }
    out.exports = std::move(exports);
  }
  s.core_instances.push_back(std::move(out));
  return true;
}

// ---- component instances --------------------------------------------------

bool Validator::item_of(Scope& s, const SortIdx& si, Item& out, uint32_t off) {
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

bool Validator::instance(Scope& s, const Instance& in, uint32_t off) {
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
          imp.type->kind != NodeKind::Resource && !m.count(imp.type))
        m[imp.type] = arg.type;
    }
    for (auto& imp : trusted_ ? std::span<const Item>{} : std::span<const Item>(ct->imports)) {
      const Item& arg = args.find(imp.name)->second;
      Item want = imp;
      bool eq_type = imp.sort == Sort::Type && imp.type && imp.type->kind != NodeKind::Resource && imp.type->alias_of;
      want.type = subst(eq_type ? imp.type->alias_of : imp.type, m);
      std::string why;
      if (!item_sub(arg, want, why))
        return fail(off, fmt::format("type mismatch for component instantiation argument `{}`: {}", quote_input(imp.name), why));
    }
    for (TRef r : ct->fresh) {
      if (m.count(r)) continue;
      TNode* n = make(NodeKind::Resource);
      n->owner = r->owner;
      m[r] = n;
    }
    TNode* inst = make(NodeKind::Instance);
    for (auto& e : ct->exports) {
      Item x = e;
      x.type = subst(e.type, m);
      inst->exports.push_back(std::move(x));
    }
    s.instances.push_back(inst);
    return true;
  }
  TNode* result = make(NodeKind::Instance);
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

TRef Validator::validate_component(Scope* parent, const Component& c, Scope& s) {
  s.parent = parent;
  s.is_component = true;
  std::vector<TRef> type_defs, instance_defs, export_defs;  // for tgraph::ComponentSpaces
  for (const DefRef& d : c.order) {
    uint32_t off = d.offset;
    switch (d.origin) {
      case Origin::CoreModule: {
        const Module& m = *c.core_modules[d.item];
        if (!trusted_) {
          auto r = validate_module(m);
          if (!r) return fail(off, fmt::format("in core module {}: {}", d.item, r.error().message)), nullptr;
          // Two-level import names must stay unique as `module:name`.
          std::set<std::pair<std::string, std::string>> import_names;
          for (auto& imp : m.imports)
            if (!import_names.emplace(imp.module, imp.name).second)
              return fail(off, fmt::format("duplicate import name `{}:{}` in core module {}", quote_input(imp.module),
                                           quote_input(imp.name), d.item)),
                     nullptr;
        }
        s.core_modules.push_back(module_info(m, !trusted_));
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
      case Origin::Instance:
        if (instance(s, c.instances[d.item], off)) instance_defs.push_back(s.instances.back());
        break;
      case Origin::Alias: alias(s, c.aliases[d.item], off); break;
      case Origin::Type: {
        TRef t = define_type(s, c.types[d.item], off);
        if (t) s.types.push_back(t);
        type_defs.push_back(t);
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
        if (!check_extern(s, imp.name, it, true, off)) return nullptr;
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
            if (!it.type || it.type->kind != NodeKind::Resource)
              why = fmt::format("expected resource, found {} type", it.type ? kind_word(it.type->kind) : "no");
            else
              s.abstract_exports.push_back(want.type);
          } else if (!trusted_) {
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
        if (!check_extern(s, e.name, it, false, off)) return nullptr;
        push_item(s, it);
        export_defs.push_back(it.type);
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
  TNode* n = make(NodeKind::Component);
  n->imports = s.imports;
  n->exports = s.exports;
  for (auto& i : s.imports)
    if (i.sort == Sort::Type && i.type && i.type->kind == NodeKind::Resource && !i.type->local && !i.type->alias_of) {
      n->fresh.push_back(i.type);
    } else if ((i.sort == Sort::Instance || i.sort == Sort::Component) && i.type) {
      n->fresh.insert(n->fresh.end(), i.type->fresh.begin(), i.type->fresh.end());
    }
  const std::set<TRef> imported(n->fresh.begin(), n->fresh.end());  // the imports' resources only, so far
  std::vector<bool> shareable;
  for (auto& i : s.imports) {
    std::set<TRef> seen;
    shareable.push_back(reaches_only(i.type, imported, seen));
  }
  spaces_[&c] = tgraph::ComponentSpaces{s.types,       std::move(type_defs), s.imports, std::move(instance_defs),
                                        std::move(export_defs), std::move(shareable)};
  for (TRef r : s.local_resources) n->fresh.push_back(r);
  for (TRef r : s.abstract_exports) n->fresh.push_back(r);
  return n;
}

}  // namespace wippy::component::validate_detail

namespace wippy::component {

Result<void> validate_component(const Component& component) {
  validate_detail::Validator v;
  return v.run(component);
}

Result<std::shared_ptr<const tgraph::TypeGraph>> tgraph::resolve_component(const Component& component,
                                                                           bool trusted) {
  auto g = std::make_shared<TypeGraph>();
  validate_detail::Validator v;
  if (auto r = v.run(component, g.get(), trusted); !r) return r.error();
  return std::shared_ptr<const TypeGraph>(std::move(g));
}

}  // namespace wippy::component
