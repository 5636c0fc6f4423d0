// load.cpp — load_component and validate_once (see load.h).
#include "component/load.h"

#include "component/decode.h"
#include "component/type_graph.h"
#include "component/validate.h"

namespace wippy::component {

Result<void> validate_once(const Component& component) {
  std::lock_guard lock(component.memo->mu);
  if (component.memo->validated) return {};
  auto g = tgraph::resolve_component(component);
  if (!g) return g.error();
  component.memo->graph = std::move(*g);
  component.memo->validated = true;
  return {};
}

Result<std::shared_ptr<const tgraph::TypeGraph>> type_graph_of(const Component& component) {
  if (auto v = validate_once(component); !v) return v.error();
  std::lock_guard lock(component.memo->mu);
  if (!component.memo->graph) {
    // Validated in this build before (a code cache entry): its types are
    // resolved again, its core modules' bodies not.
    auto g = tgraph::resolve_component(component, true);
    if (!g) return g.error();
    component.memo->graph = std::move(*g);
  }
  return component.memo->graph;
}

Result<std::shared_ptr<const Component>> load_component(std::span<const uint8_t> bytes) {
  return load_component(SharedBytes::copy_of(bytes));
}

Result<std::shared_ptr<const Component>> load_component(SharedBytes bytes) {
  // Validation reads every core module's bodies: no separate scan first.
  auto decoded = decode_component(std::move(bytes), nullptr, DecodeOptions{.scan_bodies = false});
  if (!decoded) return decoded.error();
  auto comp = std::make_shared<const Component>(std::move(*decoded));
  if (auto v = validate_once(*comp); !v) return v.error();
  return comp;
}

}  // namespace wippy::component
