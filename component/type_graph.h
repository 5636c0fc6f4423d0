// type_graph.h — the resolved component type model: what validation makes
// of a component's types. Every type index, alias (outer ones included) and
// import/export bound is resolved into a graph of TNodes, so users read
// types, never index spaces. resolve_component() validates a component and
// returns the graph (which owns its nodes) with the root Component node:
// its imports and exports as Items, in binary order. Each type import or
// export is its own node (alias_of: the type it names), so a node stands
// for one name; resources compare by identity. Nodes are immutable.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/block_arena.h"
#include "base/result.h"
#include "component/component.h"
#include "component/rtype.h"

namespace wippy::component::tgraph {

struct TNode;
using TRef = const TNode*;

struct CoreExtern {
  ExternKind kind = ExternKind::Func;
  wippy::FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct CoreModuleInfo {
  struct Imp {
    std::string module, name;
    CoreExtern type;
  };
  std::vector<Imp> imports;
  std::vector<std::pair<std::string, CoreExtern>> exports;
};
using ModuleRef = std::shared_ptr<const CoreModuleInfo>;

// A component-level extern item: a named import or export.
struct Item {
  std::string name;
  Sort sort = Sort::Func;
  TRef type = nullptr;  // func/instance/component type node; the type itself (Type); value type (Value)
  ModuleRef module;     // CoreModule
};

enum class NodeKind : uint8_t {
  Prim, Record, Variant, List, Tuple, Flags, Enum, Option, Result, Own, Borrow, Func, Component, Instance,
  Resource,
};

struct TNode {
  NodeKind kind = NodeKind::Prim;
  PrimValType prim = PrimValType::Bool;
  std::vector<std::pair<std::string, TRef>> fields;  // record, variant (null payload), func params, tuple
  std::vector<std::string> labels;                   // flags, enum
  TRef a = nullptr, b = nullptr;  // list/option elem; result ok/err; own/borrow resource; func result
  std::vector<Item> imports, exports;  // component (imports+exports), instance (exports)
  std::vector<TRef> fresh;  // resources made fresh per instantiation/import
  bool local = false;       // Resource defined by a type definition in a concrete component
  const void* owner = nullptr;  // Resource: the scope that defined it (identity only; gone after validation)
  // The type an import or export with an `eq` bound names: the node is a
  // distinct name for it (wasm-tools' "created" type), equal in structure;
  // resources compare by base() identity.
  TRef alias_of = nullptr;
  bool defined = false;  // Prim: made by a type definition, not written inline
  uint32_t fixed_len = 0;  // List: (list t N) when non-zero
  bool is_map = false;     // List: (map k v), `a` the tuple<k, v> it is laid out as
  // Filled by measure(): nesting depth (a leaf is 1) and effective size
  // (value and function types count their parts with repetition; 0: not
  // measured yet).
  mutable uint32_t depth = 0;
  mutable uint64_t size = 0;
};

// The resource a type node names, through the distinct names imports and
// exports make (alias_of); other nodes are returned as they are.
inline TRef base_of(TRef t) {
  while (t && t->kind == NodeKind::Resource && t->alias_of) t = t->alias_of;
  return t;
}

// One concrete component's resolved index spaces, as instantiation reads
// them: the node of every type index, and of each type, import, instance
// and export definition (indexed like Component::types, imports,
// instances, exports).
struct ComponentSpaces {
  std::vector<TRef> types;          // the type index space
  std::vector<TRef> type_defs;      // per type definition
  std::vector<Item> imports;        // per import: its fresh item
  std::vector<TRef> instance_defs;  // per instance definition: its instance node
  std::vector<TRef> export_defs;    // per export: the type outside sees (its own name for a type)
  // Per import: every resource its type reaches is one a top-level import
  // brings, so a linker binds it alike for every instance (linker.h
  // "Bindings"). External visibility makes this hold for every import of
  // a valid component; it is computed, not assumed.
  std::vector<bool> shareable_imports;
};

// Where a graph's nodes live: never moved (a node's address is its
// identity), so making a node is not an allocation of its own.
using NodeArena = BlockArena<TNode, 64>;

// A validated component's type graph: the nodes, the root, and the index
// spaces of the root and of every component nested in it (keyed by the
// Component, which the graph's owner keeps alive).
struct TypeGraph {
  NodeArena nodes;
  TRef root = nullptr;  // NodeKind::Component: the top-level imports and exports
  std::unordered_map<const Component*, ComponentSpaces> spaces;
  const ComponentSpaces* spaces_of(const Component& c) const {
    auto it = spaces.find(&c);
    return it == spaces.end() ? nullptr : &it->second;
  }

  // The run-time signatures of function nodes that name no resource
  // (no own or borrow anywhere in them): the same for every instance, so
  // instantiation (Scope::sig_of) makes each once and shares it. Safe from
  // several threads.
  FuncSigRef plain_sig(TRef ft) const {
    std::lock_guard lock(plain_sigs_mu_);
    auto it = plain_sigs_.find(ft);
    return it == plain_sigs_.end() ? nullptr : it->second;
  }
  // Keeps `sig` for `ft` unless one is kept already; returns the one kept.
  FuncSigRef keep_plain_sig(TRef ft, FuncSigRef sig) const {
    std::lock_guard lock(plain_sigs_mu_);
    return plain_sigs_.try_emplace(ft, std::move(sig)).first->second;
  }

 private:
  mutable std::mutex plain_sigs_mu_;
  mutable std::unordered_map<TRef, FuncSigRef> plain_sigs_;
};

// Validates `component` (see validate.h) and returns its type graph.
// `trusted` (only for a component whose memo says it was validated in this
// build, e.g. by a code cache entry) resolves the types and skips every
// check: core module bodies, names, visibility, subtyping, canon options.
Result<std::shared_ptr<const TypeGraph>> resolve_component(const Component& component,
                                                           bool trusted = false);

}  // namespace wippy::component::tgraph
