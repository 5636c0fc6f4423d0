// instantiate.h — instantiation of a component graph (Explainer.md
// "Instance Definitions", "Alias Definitions", "Canonical Definitions"):
// core modules are instantiated with their arguments, core and component
// aliases and outer aliases followed, canon lift/lower/resource.* turned
// into component functions and core host functions, nested components
// instantiated with their own handle tables, and imports bound against the
// Linker (root) or the instantiating component's arguments (nested), with
// the importer's declared types attached. Used by Linker::instantiate().
#pragma once
#include <map>
#include <memory>
#include <string>

#include "component/items.h"

namespace wippy::component {

class Linker;

struct Instantiated {
  std::shared_ptr<const RtInstance> exports;
  std::shared_ptr<Scope> scope;  // keeps every nested scope alive
};

// Instantiates the (validated) `component`: imports from `linker`.
Result<Instantiated> instantiate_component(Store& store, const Linker& linker,
                                           std::shared_ptr<const Component> component);

}  // namespace wippy::component
