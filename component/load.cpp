// load.cpp — load_component and validate_once (see load.h).
#include "component/load.h"

#include "component/decode.h"
#include "component/validate.h"

namespace wippy::component {

Result<void> validate_once(const Component& component) {
  std::lock_guard lock(component.memo->mu);
  if (component.memo->validated) return {};
  if (auto v = validate_component(component); !v) return v.error();
  component.memo->validated = true;
  return {};
}

Result<std::shared_ptr<const Component>> load_component(std::span<const uint8_t> bytes) {
  return load_component(SharedBytes::copy_of(bytes));
}

Result<std::shared_ptr<const Component>> load_component(SharedBytes bytes) {
  auto decoded = decode_component(std::move(bytes));
  if (!decoded) return decoded.error();
  auto comp = std::make_shared<const Component>(std::move(*decoded));
  if (auto v = validate_once(*comp); !v) return v.error();
  return comp;
}

}  // namespace wippy::component
