// component.h — a decoded (not yet validated) component: every definition
// in binary order, plus the index spaces those definitions build.
// Produced by decode_component() (decode.h), checked by validate_component()
// (validate.h), and read by the instantiation step. Core modules are
// decoded interp Modules shared by pointer (they are immutable once
// decoded); nested components likewise.
// `memo` keeps work that later instantiations reuse (validation verdict,
// type graph, the interpreter's code object per core module); it only caches, so a
// Component stays logically immutable and copies share it.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "component/types.h"
#include "interp/module.h"
#include "interp/store.h"

namespace wippy::component {

// Components nested in components, and component/instance types nested in
// one another, at most this many levels (the decoder and the text parser
// refuse more): each level costs the decoder and validator some hundreds
// of bytes of stack (tests/unit/test_depth.cpp measures them).
inline constexpr uint32_t kMaxComponentNesting = 32;


// Memoised across instantiations of one Component: validated once, and
// each core module's functions compiled once for every instance (the code
// object is store-independent; see prepare_code in interp/store.h).
namespace tgraph {
struct TypeGraph;
}

// The core shape of a core function a canon definition makes (`canon
// lower`, `resource.new`/`rep`/`drop`): its core type (one object for all
// of a component's such functions of that type, so a store interns it
// once; Store::create_host_func) and, for a lower, how many flat
// parameters it lifts (1 when they spill to memory) and whether its
// results spill. It follows from the definition's types alone.
struct LoweredShape {
  std::shared_ptr<const wippy::FuncType> core;
  size_t nflat_params = 0;
  bool results_spill = false;
};

struct Item;        // items.h
struct RtInstance;  // items.h

struct ComponentMemo {
  std::mutex mu;
  bool validated = false;
  // The validated type graph instantiation reads types from (load.h
  // type_graph_of); null until the first validation or instantiation.
  std::shared_ptr<const tgraph::TypeGraph> graph;
  std::map<const Module*, std::shared_ptr<CompiledModule>> code;
  // Functions whose compiled code the code cache's entry for this
  // component holds (runtime/component_cache.h; the root component's memo).
  size_t code_in_cache = 0;
  // Per canon definition (lower, resource.*), made at the first instantiation.
  std::vector<std::unique_ptr<const LoweredShape>> lowered;
  // `make` gives the shape with its core type not yet shared.
  template <class Make>
  const LoweredShape& lowered_for(uint32_t canon, size_t ncanons, Make make) {
    auto shared = [&] {
      LoweredShape l = make();
      for (const auto& other : lowered)
        if (other && *other->core == *l.core) {
          l.core = other->core;
          break;
        }
      return l;
    };
    return *made_once(lowered, canon, ncanons, shared);
  }
  // Per inline bag of core exports (by core instance index): its exports'
  // positions in name order, made at the first instantiation.
  std::vector<std::unique_ptr<const std::vector<uint32_t>>> bag_orders;
  template <class Make>
  const std::vector<uint32_t>& bag_order_for(uint32_t core_instance, size_t ncore_instances, Make make) {
    return *made_once(bag_orders, core_instance, ncore_instances, make);
  }
  // Per core instantiation (by core instance index): for each import of
  // its module, the argument that supplies it and its position there
  // (CoreInst::position_of; arg kNone: not found), made at the first
  // instantiation, with the layout of what supplied it (CoreInst::layout).
  // A use with the same importing module takes the export at that position
  // when the supplier has the same layout; otherwise it checks the name
  // there, so a different module supplied another time only falls back to
  // lookups. The modules named stay alive with this memo (`code` holds
  // them), so no other module can come to have their addresses.
  struct ImportSource {
    static constexpr uint32_t kNone = UINT32_MAX;
    uint32_t arg = kNone;
    uint32_t pos = 0;
    const void* layout = nullptr;
  };
  struct ImportSources {
    const Module* importer = nullptr;
    std::vector<ImportSource> list;
  };
  std::vector<std::unique_ptr<const ImportSources>> import_sources;
  template <class Make>
  const ImportSources& import_sources_for(uint32_t core_instance, size_t ncore_instances, Make make) {
    return *made_once(import_sources, core_instance, ncore_instances, make);
  }
  // Per alias (by alias index), what it found at the first instantiation
  // that completed: for an export of an instance, that instance (owner
  // only) and the item in it, reused when the instance is the same object
  // again (a linker's remembered binding: an RtInstance never changes once
  // made); for an export of a core instance, its position there and the
  // instance's layout, the name at that position checked on each use where
  // the layout differs. Published whole, once; read once per
  // instantiation. Never refreshed: once a linker binds afresh (it
  // changed), later instances find those aliases by name again.
  struct AliasHint {
    std::weak_ptr<const RtInstance> from;
    const Item* item = nullptr;
    uint32_t core_pos = ImportSource::kNone;
    const void* core_layout = nullptr;
  };
  using AliasHints = std::vector<AliasHint>;
  std::shared_ptr<const AliasHints> alias_hints() {
    std::lock_guard lock(mu);
    return alias_hints_;
  }
  void offer_alias_hints(std::shared_ptr<const AliasHints> h) {
    std::lock_guard lock(mu);
    if (!alias_hints_) alias_hints_ = std::move(h);
  }
  std::shared_ptr<CompiledModule> code_for(const std::shared_ptr<const Module>& m) {
    std::lock_guard lock(mu);
    auto& slot = code[m.get()];
    if (!slot) slot = prepare_code(m);
    return slot;
  }

 private:
  std::shared_ptr<const AliasHints> alias_hints_;
  // Slot i of a per-definition table (sized n, the definitions' count, on
  // first use; never resized after), made by make() the first time.
  template <class Ptr, class Make>
  const Ptr& made_once(std::vector<Ptr>& table, uint32_t i, size_t n, Make& make) {
    std::lock_guard lock(mu);
    if (table.size() < n) table.resize(n);
    Ptr& slot = table[i];
    if (!slot) slot = Ptr(new typename Ptr::element_type(make()));
    return slot;
  }
};

struct Component;

// (core instance (instantiate m (with "n" (instance i))*)) or inline exports.
struct CoreInstanceArg {
  std::string name;
  uint32_t instance = 0;  // core instance index
};
struct CoreInlineExport {
  std::string name;
  SortIdx item;  // a core sort
};
struct CoreInstance {
  bool instantiate = true;
  uint32_t module = 0;                   // instantiate
  std::vector<CoreInstanceArg> args;     // instantiate
  std::vector<CoreInlineExport> exports; // !instantiate
};

// (instance (instantiate c (with "n" sortidx)*)) or inline exports.
struct InstanceArg {
  std::string name;
  SortIdx item;
};
struct InlineExport {
  ExternName name;
  SortIdx item;
};
struct Instance {
  bool instantiate = true;
  uint32_t component = 0;            // instantiate
  std::vector<InstanceArg> args;     // instantiate
  std::vector<InlineExport> exports; // !instantiate
};

enum class StringEncoding : uint8_t { Utf8, Utf16, Latin1Utf16 };
const char* string_encoding_name(StringEncoding e);

struct CanonOptions {
  StringEncoding string_encoding = StringEncoding::Utf8;
  bool string_encoding_set = false;
  std::optional<uint32_t> memory;       // core memory index
  std::optional<uint32_t> realloc;      // core func index
  std::optional<uint32_t> post_return;  // core func index
  uint32_t offset = 0;                  // first option byte (messages)
};

struct Canon {
  enum class Kind : uint8_t { Lift, Lower, ResourceNew, ResourceDrop, ResourceRep } kind = Kind::Lift;
  uint32_t func = 0;  // Lift: core func index; Lower: component func index
  uint32_t type = 0;  // Lift: func type index; Resource*: resource type index
  CanonOptions options;
};

// (start f (value arg)* (result (value))^n) — value-model start.
struct Start {
  uint32_t func = 0;
  std::vector<uint32_t> args;  // value indices
  uint32_t results = 0;
};

struct ComponentImport {
  ExternName name;
  ExternDesc desc;
};

struct ComponentExport {
  ExternName name;
  SortIdx item;
  std::optional<ExternDesc> desc;  // optional ascribed type
};

// (value t v) — the value-model value section: type and encoded bytes.
struct ValueDef {
  ValType type;
  std::vector<uint8_t> bytes;
};

// Which definition an index refers to.
enum class Origin : uint8_t {
  CoreModule, CoreInstance, CoreType, Component, Instance, Alias, Type, Canon, Start, Import,
  Export, Value,
};

struct IndexEntry {
  Origin origin = Origin::Import;
  uint32_t item = 0;  // index into the vector named by `origin`
};

// One definition in binary order: which vector and which element.
struct DefRef {
  Origin origin = Origin::Import;
  uint32_t item = 0;
  uint32_t offset = 0;  // byte offset of the definition (messages)
};

struct Component {
  // Definitions, each kind in its own vector, in binary order.
  std::vector<std::shared_ptr<const Module>> core_modules;
  std::vector<CoreInstance> core_instances;
  std::vector<CoreTypeDef> core_types;
  std::vector<std::shared_ptr<const Component>> components;
  std::vector<Instance> instances;
  std::vector<Alias> aliases;
  std::vector<TypeDef> types;
  std::vector<Canon> canons;
  std::vector<Start> starts;
  std::vector<ComponentImport> imports;
  std::vector<ComponentExport> exports;
  std::vector<ValueDef> values;

  // All definitions interleaved in binary order.
  std::vector<DefRef> order;

  // Index spaces, indexed by Sort.
  std::array<std::vector<IndexEntry>, kNumSorts> spaces;

  const std::vector<IndexEntry>& space(Sort s) const { return spaces[size_t(s)]; }
  uint32_t count(Sort s) const { return uint32_t(spaces[size_t(s)].size()); }

  std::shared_ptr<ComponentMemo> memo = std::make_shared<ComponentMemo>();
};

}  // namespace wippy::component
