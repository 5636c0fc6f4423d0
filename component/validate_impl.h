// validate_impl.h — component/ internal: the validator shared by the
// validate*.cpp files. Types are resolved into a graph of TNodes owned by
// one arena per validate_component() call: indices are resolved against
// their scope as definitions are met, so later checks (instantiation,
// aliases, canon typing) compare nodes, never indices. Resource types are
// nodes compared by identity; everything else structurally.
//
// Validator's member functions are defined by concern:
//   validate_type_graph.cpp  node construction, predicates, equality and
//                            subtyping, substitution
//   validate_scopes.cpp      index spaces, names and visibility, extern
//                            descriptions, aliases (outer ones included)
//   validate_typedefs.cpp    type definitions, type declarators, core types
//   validate_canon.cpp       canon definitions (flattening: graph_vtype.h)
//   validate.cpp             core and component instances, the component
//                            body, validate_component()
#pragma once
#include <fmt/format.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "component/component.h"
#include "component/decode.h"
#include "component/graph_vtype.h"
#include "component/names.h"
#include "component/type_graph.h"
#include "component/validate.h"

namespace wippy::component::validate_detail {

using tgraph::CoreExtern;
using tgraph::CoreModuleInfo;
using tgraph::Item;
using tgraph::ModuleRef;
using tgraph::NodeKind;
using tgraph::TNode;
using tgraph::TRef;

// A core instance's exports: an instantiated module's are its module's
// (shared, not copied), inline ones are made here.
struct CoreInstInfo {
  using Exports = std::vector<std::pair<std::string, CoreExtern>>;
  std::shared_ptr<const Exports> exports;
};

struct CoreTypeInfo {
  bool is_module = false;
  wippy::FuncType func;
  ModuleRef module;
};

// Measures `root` and every unmeasured node below it (TNode::depth, size).
void measure(TRef root);

inline bool is_valtype_node(TRef t) { return t && uint8_t(t->kind) <= uint8_t(NodeKind::Borrow); }

// One namespace of import or export names: strong uniqueness, and the
// resources named by plain labels (for [constructor]/[method]/[static]).
struct NameCtx {
  std::map<std::string, std::string> keys;  // unique key -> name
  std::map<std::string, TRef> res_by_label;
  std::map<TRef, std::string> label_by_res;  // keyed by the name's node (see alias_node)
};

struct Scope {
  Scope* parent = nullptr;
  bool is_component = true;  // a concrete component (vs a component/instance type)
  std::vector<TRef> types, funcs, instances, components, values;
  std::vector<CoreTypeInfo> core_types;
  std::vector<ModuleRef> core_modules;
  std::vector<CoreInstInfo> core_instances;
  std::vector<wippy::FuncType> core_funcs;
  std::vector<TableType> core_tables;
  std::vector<MemoryType> core_memories;
  std::vector<GlobalType> core_globals;
  std::vector<wippy::FuncType> core_tags;  // each tag's type
  NameCtx import_names, export_names;
  std::vector<Item> imports, exports;
  std::vector<TRef> local_resources;
  std::vector<TRef> abstract_exports;  // resources exported as (sub resource)
  bool is_instance_type = false;
  std::set<TRef> named_imports, named_exports;  // see register_named()

  size_t count(Sort s) const {
    switch (s) {
      case Sort::CoreFunc: return core_funcs.size();
      case Sort::CoreTable: return core_tables.size();
      case Sort::CoreMemory: return core_memories.size();
      case Sort::CoreGlobal: return core_globals.size();
      case Sort::CoreTag: return core_tags.size();
      case Sort::CoreType: return core_types.size();
      case Sort::CoreModule: return core_modules.size();
      case Sort::CoreInstance: return core_instances.size();
      case Sort::Func: return funcs.size();
      case Sort::Value: return values.size();
      case Sort::Type: return types.size();
      case Sort::Component: return components.size();
      case Sort::Instance: return instances.size();
    }
    return 0;
  }
};

class Validator {
 public:
  // Validates `c`; on success the graph's nodes move to `out` (when given).
  // `trusted`: resolve only, every check skipped (tgraph::resolve_component).
  // Checks that guard resolution itself (index bounds) stay.
  Result<void> run(const Component& c, tgraph::TypeGraph* out = nullptr, bool trusted = false) {
    trusted_ = trusted;
    Scope top;
    TRef root = validate_component(nullptr, c, top);
    if (!error_.empty()) {
      // A core module's malformed body (not scanned when decoded) comes first.
      if (!trusted_)
        if (auto bodies = scan_core_bodies(c); !bodies) return bodies;
      return make_error(ErrorKind::Invalid, error_);
    }
    if (out) {
      out->nodes = std::move(arena_);
      out->root = root;
      out->spaces = std::move(spaces_);
    }
    return {};
  }

 private:
  tgraph::NodeArena arena_;
  std::unordered_map<const Component*, tgraph::ComponentSpaces> spaces_;  // per concrete component
  bool trusted_ = false;
  std::map<PrimValType, TRef> prims_;
  tgraph::GraphVTypes vtypes_;  // canon typing's layouts of arena_'s nodes
  std::string error_;

  bool failed() const { return !error_.empty(); }
  bool fail(uint32_t offset, const std::string& msg) {
    if (error_.empty()) error_ = fmt::format("{} (at offset {})", msg, offset);
    return false;
  }

  TNode* make(NodeKind kind);
  TRef prim(PrimValType p);

  TRef alias_node(TRef t);

  // ---- index helpers (validate_scopes.cpp) ----------------------------------
  static std::string index_out_of_bounds(Sort sort, uint32_t idx);
  bool check_index(const Scope& s, Sort sort, uint32_t idx, uint32_t off);
  TRef type_at(const Scope& s, uint32_t idx, uint32_t off);
  TRef valtype(const Scope& s, const ValType& v, uint32_t off);

  // ---- type predicates (validate_type_graph.cpp) ----------------------------
  static bool contains_borrow(TRef t);
  static bool needs_memory(TRef t);
  static bool refers_to_resources(TRef t);
  // Does every resource `t` reaches (base()) lie in `resources`? `seen`:
  // nodes already walked (shared ones are walked once).
  static bool reaches_only(TRef t, const std::set<TRef>& resources, std::set<TRef>& seen);

  // ---- type equality / subtyping (validate_type_graph.cpp) ------------------
  static TRef base(TRef t);
  static const char* kind_word(NodeKind kind);
  static std::string expected_desc(TRef t);
  static std::string actual_desc(TRef t);
  static bool because(std::string& why, const std::string& context);
  static bool mismatch(std::string& why, std::string msg);
  bool type_eq(TRef a, TRef e, std::string& why);
  bool type_eq(TRef a, TRef e);
  bool fields_eq(TRef a, TRef e, std::string& why, const char* plural, const char* name_words,
                 const char* what);
  bool func_sub(TRef a, TRef e, std::string& why);
  static const Item* find_item(const std::vector<Item>& items, const std::string& name);
  static const char* item_sort_word(Sort s);
  bool item_sub(const Item& a, const Item& e, std::string& why);
  bool subtype(TRef a, TRef e, std::string& why);

  // ---- core type subtyping (validate_type_graph.cpp) ------------------------
  static std::string core_func_text(const wippy::FuncType& f);
  static bool core_extern_sub(const CoreExtern& a, const CoreExtern& e, std::string& why);
  static bool module_sub(const CoreModuleInfo& a, const CoreModuleInfo& e, std::string& why);

  // ---- substitution (validate_type_graph.cpp) -------------------------------
  using Subst = std::map<TRef, TRef>;
  TRef subst(TRef t, Subst& m);
  TRef freshen(TRef t, Subst m = {});
  static void bind(const Item& expected, const Item& actual, Subst& m, const std::set<TRef>& fresh);

  // ---- variant cases (validate_canon.cpp) -----------------------------------
  static std::vector<TRef> case_payloads(TRef t);

  // ---- external visibility (named types) (validate_scopes.cpp) --------------
  static bool type_named(TRef t, const std::set<TRef>& set);
  static bool parts_named(TRef t, const std::set<TRef>& set);
  static TRef referenced(const Item& it);
  bool register_named(Scope& s, const Item& it, bool is_import);
  bool check_visible(Scope& s, const Item& it, bool is_import, uint32_t off);

  // ---- names (validate_scopes.cpp) ------------------------------------------
  bool check_implements(const ExternName& n, const ParsedName& parsed, Sort sort, uint32_t off);
  bool check_name(NameCtx& ctx, const ExternName& n, const char* what, const Item& item, uint32_t off);
  // An import's or export's item (is_import says which): check_name in the
  // scope's import or export names, then check_visible.
  bool check_extern(Scope& s, const ExternName& n, const Item& item, bool is_import, uint32_t off);

  // ---- definitions (validate_typedefs.cpp) ----------------------------------
  bool labels_unique(const std::vector<std::string>& names, const char* what, uint32_t off);
  TRef define_type(Scope& s, const TypeDef& def, uint32_t off);
  static constexpr uint64_t kMaxValueSize = uint64_t(1) << 28;
  struct Layout {
    uint64_t size = 0, align = 1;
  };
  static uint64_t align_up(uint64_t n, uint64_t a);
  static uint64_t disc_size(size_t cases);
  static Layout layout(TRef t);
  TRef define(Scope&, const PrimValType& p, uint32_t);
  TRef define(Scope& s, const RecordType& t, uint32_t off);
  TRef define(Scope& s, const VariantType& t, uint32_t off);
  TRef define(Scope& s, const ListType& t, uint32_t off);
  TRef define(Scope& s, const MapType& t, uint32_t off);
  TRef define(Scope& s, const TupleType& t, uint32_t off);
  TRef define(Scope&, const FlagsType& t, uint32_t off);
  TRef define(Scope&, const EnumType& t, uint32_t off);
  TRef define(Scope& s, const OptionType& t, uint32_t off);
  TRef define(Scope& s, const ResultType& t, uint32_t off);
  TRef handle(Scope& s, uint32_t idx, NodeKind kind, uint32_t off);
  TRef define(Scope& s, const OwnType& t, uint32_t off);
  TRef define(Scope& s, const BorrowType& t, uint32_t off);
  TRef define(Scope& s, const FuncType& t, uint32_t off);
  TRef define(Scope& s, const ResourceType& t, uint32_t off);
  TRef define(Scope& s, const ComponentType& t, uint32_t off);
  TRef define(Scope& s, const InstanceType& t, uint32_t off);

  // ---- extern descriptions (validate_scopes.cpp) ----------------------------
  bool extern_item(Scope& s, const ExternDesc& d, Item& out, uint32_t off);
  void push_item(Scope& s, const Item& it);

  // ---- component and instance type declarators (validate_typedefs.cpp) ------
  TRef decls(Scope& parent, const std::vector<Decl>& ds, bool component, uint32_t off);

  // ---- core type definitions (validate_typedefs.cpp) ------------------------
  bool core_extern(const std::vector<CoreTypeInfo>& types, const wippy::Import& imp, CoreExtern& out,
                   uint32_t off);
  bool core_type(Scope& s, const CoreTypeDef& def, uint32_t off);

  // ---- aliases (validate_scopes.cpp) ----------------------------------------
  bool push_core(Scope& s, Sort sort, const CoreExtern& e, const std::string& name, uint32_t instance,
                 uint32_t off);
  bool alias(Scope& s, const Alias& a, uint32_t off);

  // ---- canon (validate_canon.cpp) -------------------------------------------
  static std::string core_types_list(const std::vector<wippy::ValType>& ts);
  bool check_options(Scope& s, const CanonOptions& o, bool lift, uint32_t off);
  bool canon(Scope& s, const Canon& c, uint32_t off);

  // ---- core instances (validate.cpp) ----------------------------------------
  static CoreExtern module_extern(const Module& m, ExternKind kind, uint32_t idx);
  // A defined module's imports and exports. Trusted resolution leaves the
  // imports out: it reads only exports (what instances and aliases give);
  // imports are checked against instantiation arguments, which it skips.
  static ModuleRef module_info(const Module& m, bool with_imports);
  bool core_instance(Scope& s, const CoreInstance& ci, uint32_t off);

  // ---- component instances (validate.cpp) -----------------------------------
  bool item_of(Scope& s, const SortIdx& si, Item& out, uint32_t off);
  bool instance(Scope& s, const Instance& in, uint32_t off);

  // ---- the component body (validate.cpp) ------------------------------------
  TRef validate_component(Scope* parent, const Component& c, Scope& s);
};

}  // namespace wippy::component::validate_detail
