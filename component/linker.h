// linker.h — the embedding API for components: a Linker holds what the host
// offers (host instances by interface name and version, with functions on
// Vals and resource types; top-level host functions; instances exported by
// other component instances), instantiates a validated Component against it
// on a wippy::Store, and returns a ComponentInstance whose exports are
// called by name ("run", or "wasi:cli/run@0.2.0#run") with Vals.
// Import matching: exact name first, else the same `ns:pkg/iface` with a
// semver-compatible version: the offered version must be >= the wanted one
// on the same track (same major, and for 0.x the same minor), so a host
// @0.2.12 serves imports @0.2.0 … @0.2.12. Pre-release versions match only
// exactly. A missing import, instance member or resource type fails with
// ErrorKind::Unlinkable naming the import and the member.
// Host functions receive and return Vals; they are typed by the importing
// component's declaration. A HostSigCheck given with a host function vets
// that declaration when the import is bound (the typed API in bind.h builds
// one from the C++ signature); a rejected declaration fails instantiation
// as Unlinkable naming the import, the function and the mismatch. A
// function of another component instance (define_instance) keeps its own
// type, which must equal the importer's declaration (parameter names and
// types, result; rtype.h sig_matches), else Unlinkable the same way.
// Host resources are identified by the ResourceRef
// returned from HostInstance::resource(); a guest dropping an own handle of
// one calls its destructor with the representation.
// Bindings: a linker remembers, per component, each top-level import it
// bound for an earlier instance when the binding depends on nothing of that
// instance (the component defines no resource type at its top level, and the
// bound item points into no scope), and hands the same bound item to later
// instances; any change to the linker or one of its host instances (or to a
// base's) makes it bind afresh. Safe from several threads.
// Sharing: a Linker may extend a base linker (set_base; its own offers win)
// so host interfaces defined once serve every instance, each instance
// reaching its own host state through Store::host_data; set_host_data
// makes instantiate() set that slot of the store.
#pragma once
#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <optional>
#include <vector>
#include <memory>
#include <string>
#include <string_view>

#include "component/component.h"
#include "component/items.h"

namespace wippy::component {

namespace tgraph {
struct TNode;
}

using HostFn = std::function<Result<std::vector<Val>>(Store& store, std::span<const Val> args)>;
using HostSigCheck = std::function<Result<void>(const FuncSig& declared)>;

// True when an import of `wanted` (a version string, e.g. "0.2.0") can be
// served by an offer of `offered` ("0.2.12").
bool semver_compatible(std::string_view offered, std::string_view wanted);

// The host-instance functions a linker defines, as "ns:pkg/iface#name"
// (the interface without its version, as import matching sees it); see
// Linker::only_funcs.
using FuncFilter = std::unordered_set<std::string>;

class HostInstance {
 public:
  // Whether the linker defines function `name` here (Linker::only_funcs).
  bool wants(std::string_view name) const;
  // Defines function `name` (nothing when !wants(name)).
  HostInstance& func(std::string name, HostFn fn, HostSigCheck check = {});
  // Declares resource type `name` (the guest sees it as `(sub resource)`);
  // `host_type`: see Resource::host_type.
  ResourceRef resource(std::string name, std::function<void(uint32_t rep)> dtor = {},
                       const void* host_type = nullptr);
  // The same with a destructor told the store of the dropping instance.
  ResourceRef resource_in_store(std::string name, std::function<void(Store& store, uint32_t rep)> dtor,
                                const void* host_type = nullptr);

 private:
  friend class Linker;
  std::shared_ptr<RtInstance> inst_ = std::make_shared<RtInstance>();
  std::shared_ptr<std::atomic<uint64_t>> generation_;  // the owning linker's, bumped on change
  std::shared_ptr<const FuncFilter> only_;              // the owning linker's (null: every function)
  std::string key_prefix_;                              // "ns:pkg/iface#", for only_
};

class ComponentInstance;

class Linker {
 public:
  // The host instance named `name` ("wasi:cli/stdout@0.2.12"), created empty
  // on first use.
  HostInstance& instance(const std::string& name);
  // A top-level host function import.
  Linker& func(const std::string& name, HostFn fn, HostSigCheck check = {});
  // A top-level resource type import (`(import "r" (type (sub resource)))`).
  ResourceRef resource(const std::string& name, std::function<void(uint32_t rep)> dtor = {},
                       const void* host_type = nullptr);
  // Offers an instance exported by another component instance (its
  // functions are checked against each importer's types when bound).
  Linker& define_instance(const std::string& name, std::shared_ptr<const RtInstance> inst);
  // From now on, host instances define only the functions in `funcs`
  // (null: all), so a linker made for one component holds just what it
  // imports. Call it before the first instance().
  Linker& only_funcs(std::shared_ptr<const FuncFilter> funcs);
  // Offers everything `base` offers too (this linker's own offers first).
  // `base` is shared, not copied: it must not change while in use.
  Linker& set_base(std::shared_ptr<const Linker> base);
  // instantiate() sets the store's host_data / host_data_type to these.
  Linker& set_host_data(void* data, const void* type);

  // Validates `component` and instantiates it. The instance keeps pointers
  // into `store`, which must outlive it.
  Result<std::unique_ptr<ComponentInstance>> instantiate(Store& store,
                                                         std::shared_ptr<const Component> component) const;

  // The offer satisfying import `name`, or an Unlinkable error.
  Result<Item> resolve(const std::string& name) const;

 private:
  friend struct Scope;  // instantiation (instantiate_impl.h) binds through these
  // The resource nodes of a component's type graph that a remembered
  // binding gives identities to (Scope::bind_resources, in its order), so
  // later instances bind them without looking the names up again.
  struct ResourceBinds {
    std::shared_ptr<const void> graph;  // the graph the nodes are in (kept alive)
    std::vector<std::pair<const tgraph::TNode*, ResourceRef>> list;
  };
  struct Remembered {
    Item item;
    std::shared_ptr<const ResourceBinds> resources;  // null until remember_resources
  };
  // The remembered binding of top-level import `index` of `component`
  // (see "Bindings" above), or nullopt; remember() stores one, and
  // remember_resources() what it binds, for as long as that same binding
  // stays remembered (a new one for the index forgets it).
  std::optional<Remembered> remembered(const std::shared_ptr<const Component>& component, uint32_t index) const;
  void remember(const std::shared_ptr<const Component>& component, uint32_t index, const Item& bound) const;
  void remember_resources(const std::shared_ptr<const Component>& component, uint32_t index, const Item& bound,
                          std::shared_ptr<const ResourceBinds> binds) const;
  // Per component (by address, with a weak reference telling a component
  // since freed at the same address apart): its bound imports and the
  // generations of the linker chain they were bound under.
  struct Bindings {
    struct Entry {
      std::weak_ptr<const Component> component;
      std::vector<uint64_t> generations;
      std::vector<std::optional<Item>> bound;  // by import index
      std::vector<std::shared_ptr<const ResourceBinds>> resources;  // by import index, of bound's item
    };
    std::mutex mu;
    std::unordered_map<const Component*, Entry> entries;
  };
  void changed();
  std::vector<uint64_t> generations() const;  // this linker's and its bases'
  bool same_generations(std::span<const uint64_t> gens) const;  // == generations(), without making it
  // The entry of b (whose lock the caller holds) remembering a binding for
  // import `index` of `component` under this linker's current generations;
  // null when there is none.
  Bindings::Entry* live_entry(Bindings& b, const std::shared_ptr<const Component>& component, uint32_t index) const;

  std::shared_ptr<std::atomic<uint64_t>> generation_ = std::make_shared<std::atomic<uint64_t>>(0);
  std::shared_ptr<Bindings> bindings_ = std::make_shared<Bindings>();  // replaced on change
  std::map<std::string, HostInstance> instances_;
  std::map<std::string, Item> items_;
  std::shared_ptr<const Linker> base_;
  std::shared_ptr<const FuncFilter> only_;
  void* host_data_ = nullptr;
  const void* host_data_type_ = nullptr;
};

class ComponentInstance {
 public:
  // `keep`: what the exports need kept alive (Instantiated::keep).
  ComponentInstance(Store& store, std::shared_ptr<const RtInstance> exports, std::shared_ptr<const void> keep);
  ~ComponentInstance();

  // "name" for a top-level function export, "iface#name" for a function of
  // an exported instance (the interface version matched as for imports, in
  // either direction on the same track).
  Result<ComponentFuncRef> func(std::string_view name) const;
  Result<std::vector<Val>> call(std::string_view name, std::span<const Val> args) const;
  const RtInstance& exports() const { return *exports_; }
  std::shared_ptr<const RtInstance> exports_ptr() const { return exports_; }

 private:
  Store& store_;
  std::shared_ptr<const RtInstance> exports_;
  std::shared_ptr<const void> keep_;
};

}  // namespace wippy::component
