// instantiate.cpp — walks a component's definitions in binary order and
// builds its run-time items (see instantiate.h).
#include "component/instantiate.h"

#include <fmt/format.h>

#include "component/canon.h"
#include "component/instantiate_impl.h"
#include "component/linker.h"
#include "interp/quote.h"

namespace wippy::component {

// A copy of `l` for an instance or component type defined in it. The
// declared types are copied as they are now: the new type's outer aliases
// can only see earlier declarations, and a level that shared the live list
// would hold the entry that holds it (a shared_ptr cycle, leaked).
std::shared_ptr<const Level> snapshot_level(const Level& l) {
  auto c = std::make_shared<Level>(l);
  if (l.decl_types) c->decl_types = std::make_shared<std::vector<TypeEntry>>(*l.decl_types);
  return c;
}

namespace {
Error link_error(std::string msg) { return make_error(ErrorKind::Unlinkable, std::move(msg)); }

// ---- types -----------------------------------------------------------------

Result<TypeEntry> type_at(const Level& l, uint32_t index) {
  if (l.decl_types) {
    if (index >= l.decl_types->size()) return inst_error(fmt::format("type index {} out of range", index));
    return (*l.decl_types)[index];
  }
  return l.scope->get_type(index);
}

Result<TypeEntry> outer_type(const Level& l, uint32_t count, uint32_t index) {
  const Level* cur = &l;
  Scope* s = nullptr;
  bool scoped = false;  // walked out of a component level: follow scope parents
  for (uint32_t i = 0; i < count; ++i) {
    if (scoped) {
      s = s->parent;
    } else if (cur->decl_types) {
      cur = cur->up.get();
    } else {
      s = cur->scope->parent;
      scoped = true;
    }
    if ((scoped && !s) || (!scoped && !cur))
      return inst_error("outer alias reaches beyond the outermost component");
  }
  return scoped ? s->get_type(index) : type_at(*cur, index);
}

Result<VTypeRef> resolve_valtype(const ValType& vt, const Level& l);

Result<TypeEntry> resolve_deftype(const TypeDef& def, const Level& l, Scope* defining) {
  TypeEntry out;
  out.kind = TypeEntry::Kind::Value;
  auto sub = [&](const ValType& v) { return resolve_valtype(v, l); };
  VType t;
  if (auto* p = std::get_if<PrimValType>(&def)) {
    out.value = prim_vtype(prim_kind(*p));
    return out;
  } else if (auto* r = std::get_if<RecordType>(&def)) {
    t.kind = ValKind::Record;
    for (auto& f : r->fields) {
      WIPPY_TRY_ASSIGN(ft, sub(f.type));
      t.labels.push_back(f.name);
      t.elems.push_back(ft);
    }
  } else if (auto* v = std::get_if<VariantType>(&def)) {
    t.kind = ValKind::Variant;
    for (auto& c : v->cases) {
      t.labels.push_back(c.name);
      if (c.type) {
        WIPPY_TRY_ASSIGN(ct, sub(*c.type));
        t.elems.push_back(ct);
      } else {
        t.elems.push_back(nullptr);
      }
    }
  } else if (auto* li = std::get_if<ListType>(&def)) {
    t.kind = ValKind::List;
    WIPPY_TRY_ASSIGN(et, sub(li->elem));
    t.elems.push_back(et);
    t.length = li->length.value_or(0);
  } else if (auto* mp = std::get_if<MapType>(&def)) {
    // map<k, v> lifts and lowers as list<tuple<k, v>>.
    VType entry;
    entry.kind = ValKind::Tuple;
    WIPPY_TRY_ASSIGN(kt, sub(mp->key));
    WIPPY_TRY_ASSIGN(vt, sub(mp->value));
    entry.elems = {kt, vt};
    t.kind = ValKind::List;
    t.elems.push_back(make_vtype(std::move(entry)));
  } else if (auto* tu = std::get_if<TupleType>(&def)) {
    t.kind = ValKind::Tuple;
    for (auto& e : tu->elems) {
      WIPPY_TRY_ASSIGN(et, sub(e));
      t.elems.push_back(et);
    }
  } else if (auto* fl = std::get_if<FlagsType>(&def)) {
    t.kind = ValKind::Flags;
    t.labels = fl->names;
    if (t.labels.size() > 32) return inst_error("unsupported: flags with more than 32 labels");
  } else if (auto* en = std::get_if<EnumType>(&def)) {
    t.kind = ValKind::Enum;
    t.labels = en->names;
  } else if (auto* op = std::get_if<OptionType>(&def)) {
    t.kind = ValKind::Option;
    WIPPY_TRY_ASSIGN(et, sub(op->elem));
    t.elems.push_back(et);
  } else if (auto* re = std::get_if<ResultType>(&def)) {
    t.kind = ValKind::Result;
    for (auto& o : {re->ok, re->err}) {
      if (o) {
        WIPPY_TRY_ASSIGN(et, sub(*o));
        t.elems.push_back(et);
      } else {
        t.elems.push_back(nullptr);
      }
    }
  } else if (auto* ow = std::get_if<OwnType>(&def)) {
    t.kind = ValKind::Own;
    WIPPY_TRY_ASSIGN(rt, type_at(l, ow->resource));
    if (!rt.resource) return inst_error(fmt::format("own of type {} which is not a resource", ow->resource));
    t.resource = rt.resource;
  } else if (auto* bo = std::get_if<BorrowType>(&def)) {
    t.kind = ValKind::Borrow;
    WIPPY_TRY_ASSIGN(rt, type_at(l, bo->resource));
    if (!rt.resource) return inst_error(fmt::format("borrow of type {} which is not a resource", bo->resource));
    t.resource = rt.resource;
  } else if (auto* fn = std::get_if<FuncType>(&def)) {
    auto sig = std::make_shared<FuncSig>();
    for (auto& p : fn->params) {
      WIPPY_TRY_ASSIGN(pt, sub(p.type));
      sig->param_names.push_back(p.name);
      sig->params.push_back(pt);
    }
    if (fn->result) {
      WIPPY_TRY_ASSIGN(rt, sub(*fn->result));
      sig->result = rt;
    }
    out.kind = TypeEntry::Kind::Func;
    out.func = std::move(sig);
    return out;
  } else if (auto* it = std::get_if<InstanceType>(&def)) {
    out.kind = TypeEntry::Kind::Instance;
    out.instance_type = it;
    out.level = snapshot_level(l);
    return out;
  } else if (auto* ct = std::get_if<ComponentType>(&def)) {
    out.kind = TypeEntry::Kind::Component;
    out.component_type = ct;
    out.level = snapshot_level(l);
    return out;
  } else if (auto* rs = std::get_if<ResourceType>(&def)) {
    if (!defining) return inst_error("resource type outside a component");
    auto r = std::make_shared<component::Resource>();
    r->name = "resource";
    r->owner = defining->state.get();
    if (rs->dtor) {
      WIPPY_TRY_ASSIGN(d, defining->get(Sort::CoreFunc, *rs->dtor));
      r->dtor = d.core.func();
    }
    out.kind = TypeEntry::Kind::Resource;
    out.resource = std::move(r);
    return out;
  }
  out.value = make_vtype(std::move(t));
  return out;
}

Result<VTypeRef> resolve_valtype(const ValType& vt, const Level& l) {
  if (vt.is_prim) return prim_vtype(prim_kind(vt.prim));
  WIPPY_TRY_ASSIGN(e, type_at(l, vt.index));
  if (e.kind != TypeEntry::Kind::Value || !e.value)
    return inst_error(fmt::format("type index {} is not a value type", vt.index));
  return e.value;
}

// Attaches the importer's signature to a supplied function, after the
// function's own check of it (typed host functions); `iface` and `fname`
// name the import and the function for the error (fname "" for a
// top-level function import). Messages are built only on failure.
Result<ComponentFuncRef> retype(const ComponentFuncRef& f, FuncSigRef sig, std::string name, std::string_view iface,
                                std::string_view fname) {
  if (f->check) {
    auto ok = f->check(*sig);
    if (!ok) {
      std::string what = fname.empty()
                             ? fmt::format("import `{}`: function", quote_input(iface))
                             : fmt::format("import `{}`: function `{}`", quote_input(iface), quote_input(fname));
      return link_error(fmt::format("{} does not match the host's signature: {}", what, ok.error().message));
    }
  }
  auto g = std::make_shared<ComponentFunc>();
  g->sig = std::move(sig);
  g->name = std::move(name);
  g->call = f->call;
  g->check = f->check;
  return ComponentFuncRef(g);
}

// Binds an imported instance of type `it` to the offered `supplied`.
Result<std::shared_ptr<const RtInstance>> bind_instance(const InstanceType& it, std::shared_ptr<const Level> def_level,
                                                        const RtInstance& supplied, const std::string& iface) {
  auto types = std::make_shared<std::vector<TypeEntry>>();
  types->reserve(it.decls.size());
  auto level = std::make_shared<Level>();
  level->decl_types = types;
  level->up = std::move(def_level);
  auto out = std::make_shared<RtInstance>();
  for (auto& d : it.decls) {
    switch (d.kind) {
      case Decl::Kind::CoreType: case Decl::Kind::Import: break;
      case Decl::Kind::Type: {
        WIPPY_TRY_ASSIGN(t, resolve_deftype(d.type[0], *level, nullptr));
        types->push_back(t);
        break;
      }
      case Decl::Kind::Alias: {
        if (d.alias.kind != Alias::Kind::Outer || d.alias.sort != Sort::Type) {
          if (d.alias.sort == Sort::Type)
            return link_error(fmt::format("import `{}`: unsupported alias in instance type", quote_input(iface)));
          break;
        }
        WIPPY_TRY_ASSIGN(t, outer_type(*level, d.alias.outer_count, d.alias.outer_index));
        types->push_back(t);
        break;
      }
      case Decl::Kind::Export: {
        const std::string& name = d.name.name;
        auto found = supplied.exports.find(name);
        switch (d.desc.sort) {
          case Sort::Type: {
            TypeEntry t;
            if (d.desc.bound.sub_resource) {
              if (found == supplied.exports.end() || found->second.sort != Sort::Type ||
                  !found->second.type.resource)
                return link_error(fmt::format("import `{}`: resource type `{}` is not provided", quote_input(iface), quote_input(name)));
              t = found->second.type;
            } else {
              WIPPY_TRY_ASSIGN(e, type_at(*level, d.desc.bound.index));
              t = e;
            }
            types->push_back(t);
            Item item;
            item.sort = Sort::Type;
            item.type = t;
            out->exports[name] = item;
            break;
          }
          case Sort::Func: {
            if (found == supplied.exports.end() || found->second.sort != Sort::Func || !found->second.func)
              return link_error(fmt::format("import `{}`: function `{}` is not provided", quote_input(iface), quote_input(name)));
            WIPPY_TRY_ASSIGN(ft, type_at(*level, d.desc.index));
            if (ft.kind != TypeEntry::Kind::Func) return link_error(fmt::format("import `{}`: `{}` is not typed as a function", quote_input(iface), quote_input(name)));
            Item item;
            item.sort = Sort::Func;
            WIPPY_TRY_ASSIGN(typed, retype(found->second.func, ft.func, iface + "#" + name, iface, name));
            item.func = typed;
            out->exports[name] = item;
            break;
          }
          case Sort::Instance: {
            if (found == supplied.exports.end() || found->second.sort != Sort::Instance)
              return link_error(fmt::format("import `{}`: instance `{}` is not provided", quote_input(iface), quote_input(name)));
            WIPPY_TRY_ASSIGN(t, type_at(*level, d.desc.index));
            if (!t.instance_type) return link_error(fmt::format("import `{}`: bad instance type for `{}`", quote_input(iface), quote_input(name)));
            WIPPY_TRY_ASSIGN(sub, bind_instance(*t.instance_type, t.level, *found->second.instance, iface + "#" + name));
            Item item;
            item.sort = Sort::Instance;
            item.instance = sub;
            out->exports[name] = item;
            break;
          }
          default:
            if (found == supplied.exports.end())
              return link_error(fmt::format("import `{}`: `{}` is not provided", quote_input(iface), quote_input(name)));
            out->exports[name] = found->second;
            break;
        }
        break;
      }
    }
  }
  return std::shared_ptr<const RtInstance>(out);
}

}  // namespace

// ---- imports -----------------------------------------------------------------

Result<Item> Scope::bind_import(const ComponentImport& imp) {
  const std::string& name = imp.name.name;
  Item supplied;
  if (imp.desc.sort == Sort::Type && !imp.desc.bound.sub_resource && (linker || !args.count(name))) {
    // An `eq`-bounded type import names a type the component defines
    // itself: nothing needs supplying (as in wasmtime).
  } else if (linker) {
    auto r = linker->resolve(name);
    if (!r) return r.error();
    supplied = std::move(*r);
  } else {
    auto it = args.find(name);
    if (it == args.end()) return link_error(fmt::format("missing import `{}`", quote_input(name)));
    supplied = it->second;
  }
  const ExternDesc& desc = imp.desc;
  switch (desc.sort) {
    case Sort::Func: {
      if (supplied.sort != Sort::Func || !supplied.func)
        return link_error(fmt::format("import `{}`: a function was expected", quote_input(name)));
      WIPPY_TRY_ASSIGN(t, get_type(desc.index));
      if (t.kind != TypeEntry::Kind::Func) return link_error(fmt::format("import `{}`: bad function type", quote_input(name)));
      Item item;
      item.sort = Sort::Func;
      WIPPY_TRY_ASSIGN(typed, retype(supplied.func, t.func, name, name, {}));
      item.func = typed;
      return item;
    }
    case Sort::Instance: {
      if (supplied.sort != Sort::Instance || !supplied.instance)
        return link_error(fmt::format("import `{}`: an instance was expected", quote_input(name)));
      WIPPY_TRY_ASSIGN(t, get_type(desc.index));
      if (!t.instance_type) return link_error(fmt::format("import `{}`: bad instance type", quote_input(name)));
      WIPPY_TRY_ASSIGN(inst, bind_instance(*t.instance_type, t.level, *supplied.instance, name));
      Item item;
      item.sort = Sort::Instance;
      item.instance = inst;
      return item;
    }
    case Sort::Type: {
      Item item;
      item.sort = Sort::Type;
      if (desc.bound.sub_resource) {
        if (supplied.sort != Sort::Type || !supplied.type.resource)
          return link_error(fmt::format("import `{}`: a resource type was expected", quote_input(name)));
        item.type = supplied.type;
      } else {
        WIPPY_TRY_ASSIGN(t, get_type(desc.bound.index));
        item.type = t;
      }
      return item;
    }
    default:
      if (supplied.sort != desc.sort)
        return link_error(fmt::format("import `{}`: a {} was expected", quote_input(name), sort_name(desc.sort)));
      return supplied;
  }
}

// ---- aliases -------------------------------------------------------------

Result<Item> Scope::make_alias(const Alias& a) {
  switch (a.kind) {
    case Alias::Kind::Export: {
      WIPPY_TRY_ASSIGN(inst, get(Sort::Instance, a.instance));
      auto it = inst.instance->exports.find(a.name);
      if (it == inst.instance->exports.end())
        return inst_error(fmt::format("alias: instance {} has no export `{}`", a.instance, quote_input(a.name)));
      if (it->second.sort != a.sort)
        return inst_error(fmt::format("alias: export `{}` is a {}, not a {}", quote_input(a.name), sort_name(it->second.sort),
                                      sort_name(a.sort)));
      return it->second;
    }
    case Alias::Kind::CoreExport: {
      WIPPY_TRY_ASSIGN(inst, get(Sort::CoreInstance, a.instance));
      const Extern* e = inst.core_instance->get(a.name);
      if (!e) return inst_error(fmt::format("alias: core instance {} has no export `{}`", a.instance, quote_input(a.name)));
      Item item;
      item.sort = a.sort;
      item.core = *e;
      return item;
    }
    case Alias::Kind::Outer: {
      Scope* s = this;
      for (uint32_t i = 0; i < a.outer_count; ++i) {
        s = s->parent;
        if (!s) return inst_error("outer alias reaches beyond the outermost component");
      }
      return s->get(a.sort, a.outer_index);
    }
  }
  return inst_error("unknown alias");
}

// ---- instances -----------------------------------------------------------

Result<std::shared_ptr<CoreInst>> Scope::make_core_instance(const CoreInstance& ci, uint32_t index) {
  auto out = std::make_shared<CoreInst>();
  if (!ci.instantiate) {
    for (auto& e : ci.exports) {
      WIPPY_TRY_ASSIGN(item, get(e.item.sort, e.item.index));
      out->exports[e.name] = item.core;
    }
    return out;
  }
  WIPPY_TRY_ASSIGN(mod, get(Sort::CoreModule, ci.module));
  std::vector<Extern> externs;
  for (auto& imp : mod.module->imports) {
    const CoreInst* from = nullptr;
    for (auto& arg : ci.args) {
      if (arg.name == imp.module) {
        WIPPY_TRY_ASSIGN(ai, get(Sort::CoreInstance, arg.instance));
        from = ai.core_instance.get();
        break;
      }
    }
    const Extern* e = from ? from->get(imp.name) : nullptr;
    if (!e)
      return link_error(fmt::format("core instance {}: import `{}` `{}` is not supplied", index, quote_input(imp.module), quote_input(imp.name)));
    externs.push_back(*e);
  }
  auto inst = wippy::instantiate(store, mod.module, externs, comp->memo->code_for(mod.module));
  if (!inst) {
    Error err = inst.error();
    err.message = fmt::format("core instance {}: {}", index, err.message);
    return err;
  }
  out->inst = *inst;
  return out;
}

Result<std::shared_ptr<const RtInstance>> Scope::make_instance(const Instance& in) {
  if (!in.instantiate) {
    auto out = std::make_shared<RtInstance>();
    for (auto& e : in.exports) {
      WIPPY_TRY_ASSIGN(item, get(e.item.sort, e.item.index));
      out->exports[e.name.name] = item;
    }
    return std::shared_ptr<const RtInstance>(out);
  }
  WIPPY_TRY_ASSIGN(def, get(Sort::Component, in.component));
  auto child = std::make_shared<Scope>(store, def.component, def.component_scope);
  for (auto& a : in.args) {
    WIPPY_TRY_ASSIGN(item, get(a.item.sort, a.item.index));
    child->args[a.name] = item;
  }
  children.push_back(child);
  auto r = child->run();
  if (!r) return r.error();
  return std::shared_ptr<const RtInstance>(child->out);
}

// ---- the definition walk -------------------------------------------------

namespace {

bool refers_to_scopes(const RtInstance& inst, int depth);

// Does `item`, or an item reachable from it, point into a Scope
// (Item::component_scope, or a TypeEntry::level of an instance or
// component type)?
bool refers_to_scopes(const Item& item, int depth = 0) {
  if (item.component_scope || item.type.level) return true;
  return item.instance && refers_to_scopes(*item.instance, depth + 1);
}

bool refers_to_scopes(const RtInstance& inst, int depth) {
  if (depth > 64) return true;  // deeply nested: assume it does
  for (const auto& [name, item] : inst.exports)
    if (refers_to_scopes(item, depth)) return true;
  return false;
}

// Can this component's top-level import bindings be shared between its
// instances? Not when it defines a resource type at its top level: the
// importer's types an import's declarations alias could then name one
// instance's own resource.
bool bindings_shareable(const Component& c) {
  for (const TypeDef& t : c.types)
    if (std::holds_alternative<ResourceType>(t)) return false;
  return true;
}

}  // namespace

Result<void> Scope::run() {
  auto self_level = std::make_shared<Level>();
  self_level->scope = this;
  level = self_level;
  const bool share_bindings = linker && bindings_shareable(*comp);
  for (const DefRef& d : comp->order) {
    uint32_t i = d.item;
    switch (d.origin) {
      case Origin::CoreModule: case Origin::CoreType: case Origin::Component: break;
      case Origin::CoreInstance: {
        WIPPY_TRY_ASSIGN(ci, make_core_instance(comp->core_instances[i], i));
        core_instances[i] = ci;
        done_core_instances[i] = true;
        break;
      }
      case Origin::Instance: {
        WIPPY_TRY_ASSIGN(inst, make_instance(comp->instances[i]));
        instances[i] = inst;
        done_instances[i] = true;
        break;
      }
      case Origin::Alias: {
        WIPPY_TRY_ASSIGN(item, make_alias(comp->aliases[i]));
        aliases[i] = item;
        done_aliases[i] = true;
        break;
      }
      case Origin::Type: {
        WIPPY_TRY_ASSIGN(t, resolve_deftype(comp->types[i], *level, this));
        types[i] = t;
        done_types[i] = true;
        break;
      }
      case Origin::Canon: {
        WIPPY_TRY_ASSIGN(item, make_canon(comp->canons[i]));
        canons[i] = item;
        done_canons[i] = true;
        break;
      }
      case Origin::Import: {
        if (share_bindings) {
          if (auto known = linker->remembered(comp, i)) {
            imports[i] = std::move(*known);
            done_imports[i] = true;
            break;
          }
        }
        WIPPY_TRY_ASSIGN(item, bind_import(comp->imports[i]));
        if (share_bindings && !refers_to_scopes(item)) linker->remember(comp, i, item);
        imports[i] = item;
        done_imports[i] = true;
        break;
      }
      case Origin::Export: {
        const ComponentExport& e = comp->exports[i];
        WIPPY_TRY_ASSIGN(item, get(e.item.sort, e.item.index));
        exports[i] = item;
        done_exports[i] = true;
        out->exports[e.name.name] = item;
        break;
      }
      case Origin::Start:
        return inst_error("unsupported: component start functions (value model)");
      case Origin::Value:
        return inst_error("unsupported: component value definitions");
    }
  }
  return {};
}

namespace {

void collect_states(const Scope& s, std::vector<std::shared_ptr<InstanceState>>& out) {
  out.push_back(s.state);
  for (const auto& c : s.children) collect_states(*c, out);
}

}  // namespace

Result<Instantiated> instantiate_component(Store& store, const Linker& linker,
                                           std::shared_ptr<const Component> component) {
  auto root = std::make_shared<Scope>(store, std::move(component), nullptr);
  root->linker = &linker;
  auto r = root->run();
  if (!r) return r.error();
  if (refers_to_scopes(*root->out, 0)) return Instantiated{root->out, root};
  auto states = std::make_shared<std::vector<std::shared_ptr<InstanceState>>>();
  collect_states(*root, *states);
  return Instantiated{root->out, std::move(states)};
}

}  // namespace wippy::component
