// load.h — a component made ready to instantiate many times: decoded and
// validated once. load_component() returns it shared and marked validated
// in its memo (component.h), so Linker::instantiate does not validate it
// again, and every instance made from it shares its decoded modules and
// their compiled code. Errors are decode_component's (Malformed) or
// validate_component's (Invalid).
#pragma once
#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"
#include "base/shared_bytes.h"
#include "component/component.h"

namespace wippy::component {

// The span form copies `bytes` once; the SharedBytes form keeps them (its
// core modules are slices of them).
Result<std::shared_ptr<const Component>> load_component(std::span<const uint8_t> bytes);
Result<std::shared_ptr<const Component>> load_component(SharedBytes bytes);

// Validates `component` unless its memo says it already was, and records a
// success there (what Linker::instantiate does before instantiating).
Result<void> validate_once(const Component& component);

// The component's validated type graph (type_graph.h), made once and kept
// in its memo: what instantiation reads every type from.
Result<std::shared_ptr<const tgraph::TypeGraph>> type_graph_of(const Component& component);

}  // namespace wippy::component
