// hosted_instance.h — test helper: a component instantiated on its own
// Store through a host object's `linker` (Host: any type with a
// component::Linker member named linker). The instantiation must succeed
// (REQUIRE, with its error message).
#pragma once
#include <doctest/doctest.h>

#include <memory>

#include "component/linker.h"
#include "interp/store.h"

namespace wippy::testing {

template <class Host>
struct HostedInstance {
  Host host;
  Store store;
  std::unique_ptr<component::ComponentInstance> inst;
  explicit HostedInstance(std::shared_ptr<const component::Component> comp) {
    auto r = host.linker.instantiate(store, comp);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    inst = std::move(*r);
  }
};

}  // namespace wippy::testing
