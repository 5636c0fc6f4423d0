// instantiate_impl.h — component/ internal: what instantiate.cpp and
// instantiate_canon.cpp share — the per-component Scope (index spaces
// filled in binary order) and core instances (errors propagate with
// WIPPY_TRY_ASSIGN, base/result.h). Every type is read from the validated
// type graph (type_graph.h): the validator resolved the type index spaces
// and outer aliases once; a Scope only gives the graph's resource nodes
// their run-time identities (a fresh Resource per definition, the supplied
// one per import, the child's per instantiation).
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "component/graph_vtype.h"
#include "component/instantiate.h"
#include "component/linker.h"
#include "component/type_graph.h"

namespace wippy::component {

using tgraph::TRef;

// A core instance, or a bag of core exports made inline. The bag's names
// are the component's own strings (`names` keeps them alive), sorted once
// so that each import looks its export up by binary search.
struct CoreInst {
  wippy::Instance* inst = nullptr;
  std::shared_ptr<const Component> names;                    // owns the views below
  std::vector<std::pair<std::string_view, Extern>> exports;  // inline, sorted by name
  const CoreInstance* bag_def = nullptr;                     // inline: its definition in `names`
  // What fixes the position of each export: the instance's module, or the
  // bag's definition. Two with the same layout have the same export at
  // each position.
  const void* layout() const { return inst ? static_cast<const void*>(inst->module.get()) : bag_def; }
  const Extern* get(const std::string& name) const {
    if (inst) {
      auto it = inst->exports.find(name);
      return it == inst->exports.end() ? nullptr : &it->second;
    }
    auto it = bag_position(name);
    return it != exports.end() && it->first == name ? &it->second : nullptr;
  }
  // Where export `name` is: its position in the bag, or in the instance's
  // module's export list; none when absent.
  std::optional<uint32_t> position_of(const std::string& name) const {
    if (inst) {
      const auto& list = inst->module->exports;
      for (size_t j = 0; j < list.size(); ++j)
        if (list[j].name == name) return uint32_t(j);
      return std::nullopt;
    }
    auto it = bag_position(name);
    if (it == exports.end() || it->first != name) return std::nullopt;
    return uint32_t(it - exports.begin());
  }
  // The export `name` when it is at position `pos` (as position_of gave
  // for it on a CoreInst of layout `seen`); false when it is not there, and
  // `out` is then untouched. The name is compared only when this one's
  // layout is not `seen`.
  bool at(uint32_t pos, const std::string& name, const void* seen, Extern& out) const {
    const bool same = seen && seen == layout();
    if (inst) {
      const auto& list = inst->module->exports;
      if (pos >= list.size() || (!same && list[pos].name != name)) return false;
      out = inst->export_at(pos);
      return true;
    }
    if (pos >= exports.size() || (!same && exports[pos].first != name)) return false;
    out = exports[pos].second;
    return true;
  }

 private:
  using Bag = std::vector<std::pair<std::string_view, Extern>>;
  Bag::const_iterator bag_position(std::string_view name) const {
    return std::lower_bound(exports.begin(), exports.end(), name,
                            [](const auto& e, std::string_view n) { return e.first < n; });
  }
};

inline Error inst_error(std::string msg) { return make_error(ErrorKind::Uninstantiable, std::move(msg)); }

// What a lowered function's core host function needs on each call. An
// instance keeps those of all its lowers in one block (Scope::lowers), so
// the callable holds one pointer and the store keeps the block alive.
struct LowerCtx {
  std::shared_ptr<InstanceState> state;
  ComponentFuncRef callee;
  const FuncSig* sig = nullptr;  // callee's
  MemoryInst* memory = nullptr;
  FuncInst* realloc = nullptr;
  StringEncoding encoding = StringEncoding::Utf8;
  size_t nflat_params = 0;
  bool results_spill = false;
};

// One component being instantiated: its index spaces, filled as its
// definitions are met in binary order (an empty optional, or done_* false:
// not defined yet).
struct Scope : std::enable_shared_from_this<Scope> {
  Store& store;
  std::shared_ptr<const Component> comp;
  // The scope that defined this component. Not owning: scopes own their
  // children (below), so a parent owning pointer would be a cycle that
  // leaks every nested instantiation; the root keeps the whole tree alive.
  Scope* parent = nullptr;
  std::shared_ptr<const tgraph::TypeGraph> graph;  // keeps `spaces` alive
  const tgraph::ComponentSpaces& spaces;           // comp's, in graph
  std::shared_ptr<InstanceState> state = std::make_shared<InstanceState>();
  const Linker* linker = nullptr;     // root: imports come from the linker
  std::map<std::string, Item> args;   // nested: imports come from here

  // The run-time identity of each resource node (tgraph::base_of) bound so
  // far, and the graph's types converted with them.
  std::unordered_map<TRef, ResourceRef> resources;
  tgraph::GraphVTypes vtypes{[this](TRef r) { return bound_resource(r); }};
  std::unordered_map<TRef, FuncSigRef> sigs;

  std::vector<std::shared_ptr<CoreInst>> core_instances;
  std::vector<std::shared_ptr<const RtInstance>> instances;
  // Empty until defined (an Item is large: resizing writes only the flags).
  std::vector<std::optional<Item>> aliases, canons, imports, exports;
  std::vector<bool> done_core_instances, done_instances;
  std::vector<std::shared_ptr<Scope>> children;
  // One LowerCtx per canon lower, made at the first; reserved for all of
  // them, so never moved.
  std::shared_ptr<std::vector<LowerCtx>> lowers;
  std::shared_ptr<RtInstance> out = std::make_shared<RtInstance>();

  Scope(Store& s, std::shared_ptr<const Component> c, Scope* p, std::shared_ptr<const tgraph::TypeGraph> g,
        const tgraph::ComponentSpaces& sp)
      : store(s), comp(std::move(c)), parent(p), graph(std::move(g)), spaces(sp) {
    core_instances.resize(comp->core_instances.size());
    instances.resize(comp->instances.size());
    aliases.resize(comp->aliases.size());
    canons.resize(comp->canons.size());
    imports.resize(comp->imports.size());
    exports.resize(comp->exports.size());
    done_core_instances.resize(core_instances.size());
    done_instances.resize(instances.size());
  }
  // `vtypes` resolves through `this`: a Scope stays where it was made.
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // The run-time resource of resource node `r` (base_of), here or in an
  // enclosing scope; null when none is bound.
  ResourceRef bound_resource(TRef r) const {
    for (const Scope* s = this; s; s = s->parent)
      if (auto it = s->resources.find(r); it != s->resources.end()) return it->second;
    return nullptr;
  }

  // What type node `t` names at run time: its resource, or null when it is
  // not a resource type. An unbound resource is an error.
  Result<ResourceRef> resource_of(TRef t) const {
    t = tgraph::base_of(t);
    if (!t || t->kind != tgraph::NodeKind::Resource) return ResourceRef{};
    if (auto r = bound_resource(t)) return r;
    return inst_error("a resource type is used before it is bound");
  }

  // Function type node `ft` with its resources bound. One that names no
  // resource is the graph's, shared by every instance (plain_sig).
  Result<FuncSigRef> sig_of(TRef ft) {
    if (!ft || ft->kind != tgraph::NodeKind::Func) return inst_error("not a function type");
    if (auto it = sigs.find(ft); it != sigs.end()) return it->second;
    FuncSigRef sig = graph->plain_sig(ft);
    if (!sig) {
      bool handles = false;
      sig = std::make_shared<const FuncSig>(vtypes.func(ft, &handles));
      if (vtypes.unbound()) return inst_error("a function type names a resource that is not bound");
      if (!handles) sig = graph->keep_plain_sig(ft, std::move(sig));
    }
    sigs.emplace(ft, sig);
    return sig;
  }

  Result<Item> get(Sort sort, uint32_t index) {
    auto& space = comp->space(sort);
    if (index >= space.size())
      return inst_error(fmt::format("{} index {} out of range", sort_name(sort), index));
    const IndexEntry& e = space[index];
    auto not_yet = [&]() {
      return inst_error(fmt::format("{} index {} used before its definition", sort_name(sort), index));
    };
    Item it;
    it.sort = sort;
    if (sort == Sort::Type) {
      if (index >= spaces.types.size()) return not_yet();
      WIPPY_TRY_ASSIGN(r, resource_of(spaces.types[index]));
      it.resource = std::move(r);
      return it;
    }
    switch (e.origin) {
      case Origin::CoreModule: it.module = comp->core_modules[e.item]; return it;
      case Origin::CoreInstance:
        if (!done_core_instances[e.item]) return not_yet();
        it.core_instance = core_instances[e.item];
        return it;
      case Origin::CoreType: case Origin::Type: return it;
      case Origin::Component:
        it.component = comp->components[e.item];
        it.component_scope = this;
        return it;
      case Origin::Instance:
        if (!done_instances[e.item]) return not_yet();
        it.instance = instances[e.item];
        return it;
      case Origin::Alias:
        if (!aliases[e.item]) return not_yet();
        return *aliases[e.item];
      case Origin::Canon:
        if (!canons[e.item]) return not_yet();
        return *canons[e.item];
      case Origin::Import:
        if (!imports[e.item]) return not_yet();
        return *imports[e.item];
      case Origin::Export:
        if (!exports[e.item]) return not_yet();
        return *exports[e.item];
      case Origin::Start: case Origin::Value:
        return inst_error("unsupported: component values (value-model start)");
    }
    return not_yet();
  }

  // The Item this scope keeps at `index` of sort `sort` (an alias, canon,
  // import or export defined so far), else null. No copy; not for types,
  // whose items are made from the graph (get).
  const Item* stored_at(Sort sort, uint32_t index) const {
    const auto& space = comp->space(sort);
    if (sort == Sort::Type || index >= space.size()) return nullptr;
    const IndexEntry& e = space[index];
    switch (e.origin) {
      case Origin::Alias: return aliases[e.item] ? &*aliases[e.item] : nullptr;
      case Origin::Canon: return canons[e.item] ? &*canons[e.item] : nullptr;
      case Origin::Import: return imports[e.item] ? &*imports[e.item] : nullptr;
      case Origin::Export: return exports[e.item] ? &*exports[e.item] : nullptr;
      default: return nullptr;
    }
  }

  // What get() returns, read without copying an Item where the scope keeps
  // one (the definition walk reads these for every alias, argument and
  // canon option): the core item of a core sort, a function, an instance,
  // a core instance.
  Result<Extern> core_at(Sort sort, uint32_t index) {
    if (const Item* it = stored_at(sort, index)) return it->core;
    WIPPY_TRY_ASSIGN(it, get(sort, index));
    return it.core;
  }
  Result<ComponentFuncRef> func_at(uint32_t index) {
    if (const Item* it = stored_at(Sort::Func, index)) return it->func;
    WIPPY_TRY_ASSIGN(it, get(Sort::Func, index));
    return it.func;
  }
  // The instance at `index`, as the owning pointer this scope keeps.
  Result<const std::shared_ptr<const RtInstance>*> instance_ref_at(uint32_t index) {
    const auto& space = comp->space(Sort::Instance);
    if (const Item* it = stored_at(Sort::Instance, index)) {
      if (it->instance) return &it->instance;
    } else if (index < space.size() && space[index].origin == Origin::Instance && done_instances[space[index].item]) {
      return &instances[space[index].item];
    }
    if (auto r = get(Sort::Instance, index); !r) return r.error();  // an index not defined yet
    return inst_error(fmt::format("instance {} is not an instance", index));
  }
  Result<const RtInstance*> instance_at(uint32_t index) {
    WIPPY_TRY_ASSIGN(ref, instance_ref_at(index));
    return static_cast<const RtInstance*>(ref->get());
  }
  Result<const CoreInst*> core_instance_at(uint32_t index) {
    const auto& space = comp->space(Sort::CoreInstance);
    if (index < space.size() && space[index].origin == Origin::CoreInstance && done_core_instances[space[index].item])
      return static_cast<const CoreInst*>(core_instances[space[index].item].get());
    WIPPY_TRY_ASSIGN(it, get(Sort::CoreInstance, index));
    if (!it.core_instance) return inst_error(fmt::format("core instance {} is not a core instance", index));
    return static_cast<const CoreInst*>(it.core_instance.get());
  }

  Result<void> run();
  Result<void> define_resource(uint32_t def);
  Result<Item> bind_import(uint32_t index);
  Result<std::shared_ptr<const RtInstance>> bind_instance(TRef itype, const RtInstance& supplied,
                                                          const std::string& iface);
  void bind_resources(const tgraph::Item& want, const Item& got);
  // The (node, resource) pairs bind_resources binds, in its order, whether
  // bound already or not (so applying them later binds the same).
  static void resources_named(const tgraph::Item& want, const Item& got,
                              std::vector<std::pair<TRef, ResourceRef>>& out);
  // Binds import `index` remembered by the linker, with the resources it
  // gives found once per binding (Linker::remember_resources).
  void bind_remembered(uint32_t index, Linker::Remembered known);
  Result<Item> make_canon(uint32_t index);  // comp->canons[index]
  // Defines alias `index` (aliases[index]); `hints` from an earlier
  // instantiation or null, `learn` to fill for later ones or null.
  Result<void> make_alias(uint32_t index, const ComponentMemo::AliasHints* hints, ComponentMemo::AliasHints* learn);
  Result<std::shared_ptr<CoreInst>> make_core_instance(const CoreInstance& ci, uint32_t index);
  Result<std::shared_ptr<const RtInstance>> make_instance(const Instance& in, uint32_t index);
};

}  // namespace wippy::component
