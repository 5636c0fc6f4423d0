// instantiate_impl.h — component/ internal: what instantiate.cpp and
// instantiate_canon.cpp share — the per-component Scope (index spaces
// filled in binary order), the type Levels outer aliases walk and core
// instances (errors propagate with WIPPY_TRY_ASSIGN, base/result.h).
#pragma once
#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "component/instantiate.h"

namespace wippy::component {

// A type index space for outer aliases: either the declarations of a
// component/instance type (decl_types, enclosed by `up`) or a component.
struct Level {
  std::shared_ptr<std::vector<TypeEntry>> decl_types;
  Scope* scope = nullptr;
  std::shared_ptr<const Level> up;
};

struct CoreInst {
  wippy::Instance* inst = nullptr;
  std::unordered_map<std::string, Extern> exports;  // inline exports
  const Extern* get(const std::string& name) const {
    if (inst) {
      auto it = inst->exports.find(name);
      return it == inst->exports.end() ? nullptr : &it->second;
    }
    auto it = exports.find(name);
    return it == exports.end() ? nullptr : &it->second;
  }
};

inline Error inst_error(std::string msg) { return make_error(ErrorKind::Uninstantiable, std::move(msg)); }

// One component being instantiated: its index spaces, filled as its
// definitions are met in binary order (done_* say which entries exist).
struct Scope : std::enable_shared_from_this<Scope> {
  Store& store;
  std::shared_ptr<const Component> comp;
  // The scope that defined this component. Not owning: scopes own their
  // children (below), so a parent owning pointer would be a cycle that
  // leaks every nested instantiation; the root keeps the whole tree alive.
  Scope* parent = nullptr;
  std::shared_ptr<InstanceState> state = std::make_shared<InstanceState>();
  const Linker* linker = nullptr;     // root: imports come from the linker
  std::map<std::string, Item> args;   // nested: imports come from here
  std::shared_ptr<const Level> level;  // this component's type space as a Level

  std::vector<std::shared_ptr<CoreInst>> core_instances;
  std::vector<std::shared_ptr<const RtInstance>> instances;
  std::vector<Item> aliases, canons, imports, exports;
  std::vector<TypeEntry> types;
  std::vector<bool> done_core_instances, done_instances, done_aliases, done_canons, done_imports,
      done_exports, done_types;
  std::vector<std::shared_ptr<Scope>> children;
  std::shared_ptr<RtInstance> out = std::make_shared<RtInstance>();

  Scope(Store& s, std::shared_ptr<const Component> c, Scope* p)
      : store(s), comp(std::move(c)), parent(p) {
    core_instances.resize(comp->core_instances.size());
    instances.resize(comp->instances.size());
    aliases.resize(comp->aliases.size());
    canons.resize(comp->canons.size());
    imports.resize(comp->imports.size());
    exports.resize(comp->exports.size());
    types.resize(comp->types.size());
    done_core_instances.resize(core_instances.size());
    done_instances.resize(instances.size());
    done_aliases.resize(aliases.size());
    done_canons.resize(canons.size());
    done_imports.resize(imports.size());
    done_exports.resize(exports.size());
    done_types.resize(types.size());
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
    switch (e.origin) {
      case Origin::CoreModule: it.module = comp->core_modules[e.item]; return it;
      case Origin::CoreInstance:
        if (!done_core_instances[e.item]) return not_yet();
        it.core_instance = core_instances[e.item];
        return it;
      case Origin::CoreType: return it;
      case Origin::Component:
        it.component = comp->components[e.item];
        it.component_scope = this;
        return it;
      case Origin::Instance:
        if (!done_instances[e.item]) return not_yet();
        it.instance = instances[e.item];
        return it;
      case Origin::Alias:
        if (!done_aliases[e.item]) return not_yet();
        return aliases[e.item];
      case Origin::Type:
        if (!done_types[e.item]) return not_yet();
        it.type = types[e.item];
        return it;
      case Origin::Canon:
        if (!done_canons[e.item]) return not_yet();
        return canons[e.item];
      case Origin::Import:
        if (!done_imports[e.item]) return not_yet();
        return imports[e.item];
      case Origin::Export:
        if (!done_exports[e.item]) return not_yet();
        return exports[e.item];
      case Origin::Start: case Origin::Value:
        return inst_error("unsupported: component values (value-model start)");
    }
    return not_yet();
  }

  Result<TypeEntry> get_type(uint32_t index) {
    auto it = get(Sort::Type, index);
    if (!it) return it.error();
    return it->type;
  }

  Result<void> run();
  Result<Item> bind_import(const ComponentImport& imp);
  Result<Item> make_canon(const Canon& c);
  Result<Item> make_alias(const Alias& a);
  Result<std::shared_ptr<CoreInst>> make_core_instance(const CoreInstance& ci, uint32_t index);
  Result<std::shared_ptr<const RtInstance>> make_instance(const Instance& in);
};

}  // namespace wippy::component
