// instantiate.cpp — walks a component's definitions in binary order and
// builds its run-time items (see instantiate.h).
#include "component/instantiate.h"

#include <fmt/format.h>

#include "base/same_owner.h"
#include "component/canon.h"
#include "component/instantiate_impl.h"
#include "component/linker.h"
#include "component/load.h"
#include "interp/quote.h"

namespace wippy::component {

namespace {
Error link_error(std::string msg) { return make_error(ErrorKind::Unlinkable, std::move(msg)); }

// Attaches the importer's signature to a supplied function, after the
// function's own check of it (typed host functions) and, when `vet_sig`
// (a linker's offer, which the validator never saw), after comparing the
// type the function already has (another component instance's export)
// with the importer's; `iface` and `fname` name the import and the
// function for the error (fname "" for a top-level function import).
// Messages are built only on failure.
Result<ComponentFuncRef> retype(const ComponentFuncRef& f, FuncSigRef sig, std::string name, std::string_view iface,
                                std::string_view fname, bool vet_sig) {
  auto what = [&] {
    return fname.empty() ? fmt::format("import `{}`: function", quote_input(iface))
                         : fmt::format("import `{}`: function `{}`", quote_input(iface), quote_input(fname));
  };
  if (vet_sig && f->sig) {
    if (auto ok = sig_matches(*f->sig, *sig); !ok)
      return link_error(fmt::format("{} has another type: {}", what(), ok.error().message));
  }
  if (f->check) {
    auto ok = f->check(*sig);
    if (!ok) return link_error(fmt::format("{} does not match the host's signature: {}", what(), ok.error().message));
  }
  auto g = std::make_shared<ComponentFunc>();
  g->sig = std::move(sig);
  g->name = std::move(name);
  g->call = f->call;
  g->check = f->check;
  return ComponentFuncRef(g);
}

}  // namespace

// ---- resources -------------------------------------------------------------

// A resource type definition makes a fresh resource for this instance.
Result<void> Scope::define_resource(uint32_t def) {
  TRef t = spaces.type_defs[def];
  if (!t || t->kind != tgraph::NodeKind::Resource || !t->local) return {};
  const auto* rs = std::get_if<ResourceType>(&comp->types[def]);
  if (!rs) return inst_error(fmt::format("type {} is not a resource definition", def));
  auto r = std::make_shared<component::Resource>();
  r->name = "resource";
  r->owner = state.get();
  if (rs->dtor) {
    WIPPY_TRY_ASSIGN(d, core_at(Sort::CoreFunc, *rs->dtor));
    r->dtor = d.func();
  }
  resources[t] = std::move(r);
  return {};
}

// Binds the resource nodes `want` (an import's or instance's item in the
// graph) names to the resources `got` carries, where not bound already:
// an import bound before (Linker::remembered) or a nested instance.
void Scope::bind_resources(const tgraph::Item& want, const Item& got) {
  std::vector<std::pair<TRef, ResourceRef>> found;
  resources_named(want, got, found);
  for (auto& [r, res] : found) resources.try_emplace(r, std::move(res));
}

void Scope::resources_named(const tgraph::Item& want, const Item& got, std::vector<std::pair<TRef, ResourceRef>>& out) {
  if (!want.type) return;
  if (want.sort == Sort::Type) {
    TRef r = tgraph::base_of(want.type);
    if (r->kind == tgraph::NodeKind::Resource && got.resource) out.emplace_back(r, got.resource);
  } else if (want.sort == Sort::Instance && got.instance) {
    for (const tgraph::Item& x : want.type->exports) {
      if (x.sort != Sort::Type && x.sort != Sort::Instance) continue;  // names no resource
      if (auto it = got.instance->exports.find(x.name); it != got.instance->exports.end())
        resources_named(x, it->second, out);
    }
  }
}

void Scope::bind_remembered(uint32_t index, Linker::Remembered known) {
  auto binds = std::move(known.resources);
  if (!binds || binds->graph != graph) {
    auto made = std::make_shared<Linker::ResourceBinds>();
    made->graph = graph;
    resources_named(spaces.imports[index], known.item, made->list);
    linker->remember_resources(comp, index, known.item, made);
    binds = std::move(made);
  }
  for (const auto& [r, res] : binds->list) resources.try_emplace(r, res);
  imports[index].emplace(std::move(known.item));
}

// ---- imports -----------------------------------------------------------------

// Binds an imported instance of graph type `itype` to the offered
// `supplied`: each resource it declares is bound to the supplied one, and
// each function gets the importer's signature.
Result<std::shared_ptr<const RtInstance>> Scope::bind_instance(TRef itype, const RtInstance& supplied,
                                                               const std::string& iface) {
  auto out = std::make_shared<RtInstance>();
  for (const tgraph::Item& d : itype->exports) {
    const std::string& name = d.name;
    auto found = supplied.exports.find(name);
    switch (d.sort) {
      case Sort::Type: {
        Item item;
        item.sort = Sort::Type;
        TRef r = tgraph::base_of(d.type);
        if (r->kind == tgraph::NodeKind::Resource && r == d.type) {  // (sub resource): supplied
          if (found == supplied.exports.end() || found->second.sort != Sort::Type || !found->second.resource)
            return link_error(fmt::format("import `{}`: resource type `{}` is not provided", quote_input(iface), quote_input(name)));
          resources[r] = found->second.resource;
          item.resource = found->second.resource;
        } else {
          WIPPY_TRY_ASSIGN(known, resource_of(d.type));
          item.resource = std::move(known);
        }
        out->exports[name] = item;
        break;
      }
      case Sort::Func: {
        if (found == supplied.exports.end() || found->second.sort != Sort::Func || !found->second.func)
          return link_error(fmt::format("import `{}`: function `{}` is not provided", quote_input(iface), quote_input(name)));
        WIPPY_TRY_ASSIGN(sig, sig_of(d.type));
        Item item;
        item.sort = Sort::Func;
        WIPPY_TRY_ASSIGN(typed, retype(found->second.func, sig, iface + "#" + name, iface, name, linker != nullptr));
        item.func = typed;
        out->exports[name] = item;
        break;
      }
      case Sort::Instance: {
        if (found == supplied.exports.end() || found->second.sort != Sort::Instance || !found->second.instance)
          return link_error(fmt::format("import `{}`: instance `{}` is not provided", quote_input(iface), quote_input(name)));
        WIPPY_TRY_ASSIGN(sub, bind_instance(d.type, *found->second.instance, iface + "#" + name));
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
  }
  return std::shared_ptr<const RtInstance>(out);
}

Result<Item> Scope::bind_import(uint32_t index) {
  const ComponentImport& imp = comp->imports[index];
  const tgraph::Item& want = spaces.imports[index];
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
      WIPPY_TRY_ASSIGN(sig, sig_of(want.type));
      Item item;
      item.sort = Sort::Func;
      WIPPY_TRY_ASSIGN(typed, retype(supplied.func, sig, name, name, {}, linker != nullptr));
      item.func = typed;
      return item;
    }
    case Sort::Instance: {
      if (supplied.sort != Sort::Instance || !supplied.instance)
        return link_error(fmt::format("import `{}`: an instance was expected", quote_input(name)));
      if (!want.type || want.type->kind != tgraph::NodeKind::Instance)
        return link_error(fmt::format("import `{}`: bad instance type", quote_input(name)));
      WIPPY_TRY_ASSIGN(inst, bind_instance(want.type, *supplied.instance, name));
      Item item;
      item.sort = Sort::Instance;
      item.instance = inst;
      return item;
    }
    case Sort::Type: {
      Item item;
      item.sort = Sort::Type;
      if (desc.bound.sub_resource) {
        if (supplied.sort != Sort::Type || !supplied.resource)
          return link_error(fmt::format("import `{}`: a resource type was expected", quote_input(name)));
        resources[tgraph::base_of(want.type)] = supplied.resource;
        item.resource = supplied.resource;
      } else {
        WIPPY_TRY_ASSIGN(known, resource_of(want.type));
        item.resource = std::move(known);
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

Result<void> Scope::make_alias(uint32_t index, const ComponentMemo::AliasHints* hints,
                               ComponentMemo::AliasHints* learn) {
  const Alias& a = comp->aliases[index];
  const ComponentMemo::AliasHint* hint = hints && index < hints->size() ? &(*hints)[index] : nullptr;
  switch (a.kind) {
    case Alias::Kind::Export: {
      WIPPY_TRY_ASSIGN(ref, instance_ref_at(a.instance));
      // The same instance object as last time: the same item, no lookup
      // (its sort was checked then).
      if (hint && hint->item && same_owner(hint->from, *ref)) {
        aliases[index].emplace(*hint->item);
        return {};
      }
      const RtInstance& inst = **ref;
      auto it = inst.exports.find(a.name);
      if (it == inst.exports.end())
        return inst_error(fmt::format("alias: instance {} has no export `{}`", a.instance, quote_input(a.name)));
      if (it->second.sort != a.sort)
        return inst_error(fmt::format("alias: export `{}` is a {}, not a {}", quote_input(a.name), sort_name(it->second.sort),
                                      sort_name(a.sort)));
      if (learn) {
        (*learn)[index].from = *ref;
        (*learn)[index].item = &it->second;
      }
      aliases[index].emplace(it->second);
      return {};
    }
    case Alias::Kind::CoreExport: {
      WIPPY_TRY_ASSIGN(inst, core_instance_at(a.instance));
      Item item;
      item.sort = a.sort;
      if (!hint || hint->core_pos == ComponentMemo::ImportSource::kNone ||
          !inst->at(hint->core_pos, a.name, hint->core_layout, item.core)) {
        const Extern* e = inst->get(a.name);
        if (!e) return inst_error(fmt::format("alias: core instance {} has no export `{}`", a.instance, quote_input(a.name)));
        item.core = *e;
        if (learn)
          if (auto pos = inst->position_of(a.name)) {
            (*learn)[index].core_pos = *pos;
            (*learn)[index].core_layout = inst->layout();
          }
      }
      aliases[index].emplace(std::move(item));
      return {};
    }
    case Alias::Kind::Outer: {
      Scope* s = this;
      for (uint32_t i = 0; i < a.outer_count; ++i) {
        s = s->parent;
        if (!s) return inst_error("outer alias reaches beyond the outermost component");
      }
      WIPPY_TRY_ASSIGN(item, s->get(a.sort, a.outer_index));
      aliases[index].emplace(std::move(item));
      return {};
    }
  }
  return inst_error("unknown alias");
}

// ---- instances -----------------------------------------------------------

Result<std::shared_ptr<CoreInst>> Scope::make_core_instance(const CoreInstance& ci, uint32_t index) {
  auto out = std::make_shared<CoreInst>();
  if (!ci.instantiate) {
    // Sorted by name (the order is the component's, made once); of equal
    // names (the validator refuses them) the first.
    const std::vector<uint32_t>& order = comp->memo->bag_order_for(index, comp->core_instances.size(), [&] {
      std::vector<uint32_t> o(ci.exports.size());
      for (uint32_t k = 0; k < o.size(); ++k) o[k] = k;
      std::stable_sort(o.begin(), o.end(),
                       [&](uint32_t a, uint32_t b) { return ci.exports[a].name < ci.exports[b].name; });
      return o;
    });
    out->names = comp;
    out->bag_def = &ci;
    out->exports.reserve(ci.exports.size());
    for (uint32_t k : order) {
      const CoreInlineExport& e = ci.exports[k];
      WIPPY_TRY_ASSIGN(core, core_at(e.item.sort, e.item.index));
      out->exports.emplace_back(e.name, core);
    }
    return out;
  }
  WIPPY_TRY_ASSIGN(mod, get(Sort::CoreModule, ci.module));
  // The instances the arguments name, each looked up once.
  std::vector<std::pair<std::string_view, const CoreInst*>> from_args;
  from_args.reserve(ci.args.size());
  for (auto& arg : ci.args) {
    WIPPY_TRY_ASSIGN(from, core_instance_at(arg.instance));
    from_args.emplace_back(arg.name, from);
  }
  // The argument named as import `imp`'s module (the first), or none.
  auto arg_for = [&](const Import& imp) -> uint32_t {
    for (uint32_t k = 0; k < from_args.size(); ++k)
      if (from_args[k].first == imp.module) return k;
    return ComponentMemo::ImportSource::kNone;
  };
  const auto& imports = mod.module->imports;
  // Made (or found) first, so that the memo holds the module before it
  // remembers its address (ImportSources::importer).
  std::shared_ptr<CompiledModule> code = comp->memo->code_for(mod.module);
  const auto& sources = comp->memo->import_sources_for(index, comp->core_instances.size(), [&] {
    ComponentMemo::ImportSources v;
    v.importer = mod.module.get();
    v.list.resize(imports.size());
    for (size_t k = 0; k < imports.size(); ++k) {
      const uint32_t arg = arg_for(imports[k]);
      if (arg == ComponentMemo::ImportSource::kNone) continue;
      const CoreInst& from = *from_args[arg].second;
      if (auto pos = from.position_of(imports[k].name)) v.list[k] = {arg, *pos, from.layout()};
    }
    return v;
  });
  // The same importing module: the same imports, each of the argument
  // (named as its module) it was found in. Another: other imports.
  const bool same_importer = sources.importer == mod.module.get();
  std::vector<Extern> externs(imports.size());
  for (size_t k = 0; k < imports.size(); ++k) {
    const Import& imp = imports[k];
    // Where the first instantiation found it; else (another module, or
    // missing) by name.
    if (same_importer && k < sources.list.size()) {
      const ComponentMemo::ImportSource& src = sources.list[k];
      if (src.arg < from_args.size() && from_args[src.arg].second->at(src.pos, imp.name, src.layout, externs[k]))
        continue;
    }
    const uint32_t arg = arg_for(imp);
    const Extern* e = arg == ComponentMemo::ImportSource::kNone ? nullptr : from_args[arg].second->get(imp.name);
    if (!e)
      return link_error(fmt::format("core instance {}: import `{}` `{}` is not supplied", index, quote_input(imp.module), quote_input(imp.name)));
    externs[k] = *e;
  }
  auto inst = wippy::instantiate(store, mod.module, externs, std::move(code));
  if (!inst) {
    Error err = inst.error();
    err.message = fmt::format("core instance {}: {}", index, err.message);
    return err;
  }
  out->inst = *inst;
  return out;
}

Result<std::shared_ptr<const RtInstance>> Scope::make_instance(const Instance& in, uint32_t index) {
  if (!in.instantiate) {
    auto out = std::make_shared<RtInstance>();
    for (auto& e : in.exports) {
      WIPPY_TRY_ASSIGN(item, get(e.item.sort, e.item.index));
      out->exports[e.name.name] = item;
    }
    return std::shared_ptr<const RtInstance>(out);
  }
  WIPPY_TRY_ASSIGN(def, get(Sort::Component, in.component));
  // A component defined in this one has its index spaces in this graph; an
  // imported one has a graph of its own.
  std::shared_ptr<const tgraph::TypeGraph> g = graph;
  const tgraph::ComponentSpaces* sp = g->spaces_of(*def.component);
  if (!sp) {
    WIPPY_TRY_ASSIGN(own, type_graph_of(*def.component));
    g = std::move(own);
    sp = g->spaces_of(*def.component);
    if (!sp) return inst_error(fmt::format("instance {}: the component's types are not resolved", index));
  }
  auto child = std::make_shared<Scope>(store, def.component, def.component_scope, std::move(g), *sp);
  for (auto& a : in.args) {
    WIPPY_TRY_ASSIGN(item, get(a.item.sort, a.item.index));
    child->args[a.name] = item;
  }
  children.push_back(child);
  auto r = child->run();
  if (!r) return r.error();
  // The resources the new instance exports get their identities here.
  tgraph::Item want;
  want.sort = Sort::Instance;
  want.type = spaces.instance_defs[index];
  Item got;
  got.sort = Sort::Instance;
  got.instance = child->out;
  bind_resources(want, got);
  return std::shared_ptr<const RtInstance>(child->out);
}

// ---- the definition walk -------------------------------------------------

namespace {

bool refers_to_scopes(const RtInstance& inst, int depth);

// Does `item`, or an item reachable from it, point into a Scope
// (Item::component_scope: a component definition)?
bool refers_to_scopes(const Item& item, int depth = 0) {
  if (item.component_scope) return true;
  return item.instance && refers_to_scopes(*item.instance, depth + 1);
}

bool refers_to_scopes(const RtInstance& inst, int depth) {
  if (depth > 64) return true;  // deeply nested: assume it does
  for (const auto& [name, item] : inst.exports)
    if (refers_to_scopes(item, depth)) return true;
  return false;
}

}  // namespace

Result<void> Scope::run() {
  // The first instantiation to complete leaves its aliases' findings for
  // the later ones.
  std::shared_ptr<const ComponentMemo::AliasHints> hints;
  std::shared_ptr<ComponentMemo::AliasHints> learn;
  if (!comp->aliases.empty()) {
    hints = comp->memo->alias_hints();
    if (!hints) learn = std::make_shared<ComponentMemo::AliasHints>(comp->aliases.size());
  }
  for (const DefRef& d : comp->order) {
    uint32_t i = d.item;
    switch (d.origin) {
      case Origin::CoreModule: case Origin::CoreType: case Origin::Component: break;
      case Origin::CoreInstance: {
        WIPPY_TRY_ASSIGN(ci, make_core_instance(comp->core_instances[i], i));
        core_instances[i] = std::move(ci);
        done_core_instances[i] = true;
        break;
      }
      case Origin::Instance: {
        WIPPY_TRY_ASSIGN(inst, make_instance(comp->instances[i], i));
        instances[i] = std::move(inst);
        done_instances[i] = true;
        break;
      }
      case Origin::Alias: {
        auto r = make_alias(i, hints.get(), learn.get());
        if (!r) return r.error();
        break;
      }
      case Origin::Type: {
        // Types are the graph's; only a resource definition makes something.
        auto r = define_resource(i);
        if (!r) return r.error();
        break;
      }
      case Origin::Canon: {
        WIPPY_TRY_ASSIGN(item, make_canon(i));
        canons[i].emplace(std::move(item));
        break;
      }
      case Origin::Import: {
        // A binding names no resource of this instance's own (the graph
        // says so per import), so the linker may hand it to every instance.
        const bool share_bindings = linker && spaces.shareable_imports[i];
        if (share_bindings) {
          if (auto known = linker->remembered(comp, i)) {
            bind_remembered(i, std::move(*known));
            break;
          }
        }
        WIPPY_TRY_ASSIGN(item, bind_import(i));
        if (share_bindings && !refers_to_scopes(item)) linker->remember(comp, i, item);
        imports[i].emplace(std::move(item));
        break;
      }
      case Origin::Export: {
        const ComponentExport& e = comp->exports[i];
        WIPPY_TRY_ASSIGN(item, get(e.item.sort, e.item.index));
        // A type export is a new name; one ascribed `(sub resource)` is a
        // resource node of its own, which names the exported resource here.
        tgraph::Item as_seen;
        as_seen.sort = e.item.sort;
        as_seen.type = spaces.export_defs[i];
        bind_resources(as_seen, item);
        out->exports[e.name.name] = item;
        exports[i].emplace(std::move(item));
        break;
      }
      case Origin::Start:
        return inst_error("unsupported: component start functions (value model)");
      case Origin::Value:
        return inst_error("unsupported: component value definitions");
    }
  }
  if (learn) comp->memo->offer_alias_hints(std::move(learn));
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
  WIPPY_TRY_ASSIGN(graph, type_graph_of(*component));
  const tgraph::ComponentSpaces* spaces = graph->spaces_of(*component);
  if (!spaces) return inst_error("the component's types are not resolved");
  auto root = std::make_shared<Scope>(store, std::move(component), nullptr, graph, *spaces);
  root->linker = &linker;
  auto r = root->run();
  if (!r) return r.error();
  if (refers_to_scopes(*root->out, 0)) return Instantiated{root->out, root};
  auto states = std::make_shared<std::vector<std::shared_ptr<InstanceState>>>();
  collect_states(*root, *states);
  return Instantiated{root->out, std::move(states)};
}

}  // namespace wippy::component
