// host_context.h — per-instance host state for host functions defined once.
// A Linker built once serves many instances; each instance's own state (a
// host context, e.g. hostfns' WasiCtx) travels in its Store's host_data
// slot. A type C is a host context when HostContextTraits<C> is specialized
// with `static ResourceTable& table(C&)` (where C's resource handles live).
// Contract: bind_host_context() points a store at `c` (not owned: `c` must
// outlive the store's use); host_context<C>() returns it, or null when the
// store holds no C (or another type). Typed host functions (bind.h) whose
// first parameter is `C&` receive it, and a call on a store without one
// traps instead of touching anything.
#pragma once
#include <concepts>

#include "component/bind_values.h"
#include "component/resource_table.h"
#include "interp/store.h"

namespace wippy::component {

template <class C>
struct HostContextTraits;  // specialize: static ResourceTable& table(C&);

template <class C>
concept HostContextType = requires(C& c) {
  { HostContextTraits<C>::table(c) } -> std::same_as<ResourceTable&>;
};

// The type tag of C in Store::host_data_type (one per C++ type).
template <class C>
const void* host_context_tag() {
  return resource_tag<C>();
}

template <HostContextType C>
void bind_host_context(Store& store, C& c) {
  store.host_data = &c;
  store.host_data_type = host_context_tag<C>();
}

template <HostContextType C>
C* host_context(Store& store) {
  return store.host_data_type == host_context_tag<C>() ? static_cast<C*>(store.host_data) : nullptr;
}

}  // namespace wippy::component
