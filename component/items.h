// items.h — the run-time things a component instance's index spaces hold
// and its instances export: component functions (callable with Vals),
// component instances (named exports), resource types, component
// definitions awaiting instantiation, core modules, core instances and core
// externs. Produced by instantiation (instantiate.cpp), consumed by the
// Linker / ComponentInstance API (linker.h).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "component/component.h"
#include "component/handles.h"
#include "component/rtype.h"
#include "component/val.h"
#include "interp/store.h"

namespace wippy::component {

// A callable component-level function. `sig` is null only for host
// functions not yet imported (the importer's declared type is attached when
// the import is bound). `check`, when set (typed host functions, bind.h),
// vets the importer's declared type when the import is bound; its error
// message says what does not match, and the import fails as Unlinkable.
struct ComponentFunc {
  FuncSigRef sig;
  std::string name;  // for messages
  std::function<Result<std::vector<Val>>(Store&, std::span<const Val>)> call;
  std::function<Result<void>(const FuncSig&)> check;
};
using ComponentFuncRef = std::shared_ptr<const ComponentFunc>;

struct Scope;  // one component being instantiated (instantiate.cpp)
struct CoreInst;  // a core instance or a bag of core exports (instantiate.cpp)

struct RtInstance;

// Anything an index space can hold.
struct Item {
  Sort sort = Sort::Func;
  Extern core{};                                  // CoreFunc/Table/Memory/Global
  std::shared_ptr<const Module> module;           // CoreModule
  std::shared_ptr<CoreInst> core_instance;        // CoreInstance
  ComponentFuncRef func;                          // Func
  std::shared_ptr<const RtInstance> instance;     // Instance
  ResourceRef resource;                           // Type: the resource it names (else null)
  std::shared_ptr<const Component> component;     // Component
  Scope* component_scope = nullptr;               // Component: its enclosing scope
};

struct RtInstance {
  std::map<std::string, Item> exports;
};

// Per component instance run-time state (CanonicalABI.md ComponentInstance).
struct InstanceState {
  HandleTable handles;
  bool may_enter = true;
};

}  // namespace wippy::component
