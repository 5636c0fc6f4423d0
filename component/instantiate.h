// instantiate.h — instantiation of a component graph (Explainer.md
// "Instance Definitions", "Alias Definitions", "Canonical Definitions"):
// core modules are instantiated with their arguments, core and component
// aliases and outer aliases followed, canon lift/lower/resource.* turned
// into component functions and core host functions, nested components
// instantiated with their own handle tables, and imports bound against the
// Linker (root) or the instantiating component's arguments (nested), with
// the importer's declared types attached. Every type comes from the
// component's validated type graph (load.h type_graph_of), so index spaces
// and outer aliases are resolved in one place, the validator. Used by
// Linker::instantiate().
#pragma once
#include <map>
#include <memory>
#include <string>

#include "component/items.h"

namespace wippy::component {

class Linker;

struct Instantiated {
  std::shared_ptr<const RtInstance> exports;
  // What the exports still need once instantiation is done: the whole scope
  // tree when an export refers into it (a component definition, which is
  // instantiated later in its defining scope), else only the instances'
  // InstanceStates (resource owners are compared by identity).
  // The scopes' index spaces, tens of KB per instance, are freed then.
  std::shared_ptr<const void> keep;
};

// Instantiates the (validated) `component`: imports from `linker`.
Result<Instantiated> instantiate_component(Store& store, const Linker& linker,
                                           std::shared_ptr<const Component> component);

}  // namespace wippy::component
