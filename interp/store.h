// store.h — runtime objects and the embedding API of the core engine.
// A Store owns function, memory, table and global instances and the module
// instances built from them. instantiate() links a validated Module against
// imports and runs its start function; invoke() calls any function with
// typed values. Traps come back as Error{ErrorKind::Trap, reason} (stack
// exhaustion as ErrorKind::Exhaustion) and never take the process down.
// Nothing here knows about components or WASI. ExecLimits::max_memory_bytes
// caps the sum of the store's memory and table sizes, max_table_elems the
// total table entries; large buffers (memories, tables, interpreter stacks)
// are mmap'd, so untouched pages cost nothing, and running out of memory is
// an error for the call or instantiation, not an abort. snapshot.h resets a
// store to a captured state (memories copy-on-write from a memfd image).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/block_arena.h"
#include "base/result.h"
#include "mapped_array.h"
#include "interp/runtime/type_keys.h"
#include "module.h"
#include "types.h"

namespace wippy {

class Store;
struct Instance;
struct FuncInst;
struct CompiledModule;  // interpreter's threaded code for one Module (exec/)
class MemoryPool;      // reservations kept for reuse (interp/memory_pool.h)
struct MemoryImage;     // a snapshot's memory contents (interp/runtime/memory_image.h)
struct DataImages;      // a module's data segments as memory images (interp/runtime/data_image.h)
struct TableImages;     // a module's element segments as table contents (interp/runtime/table_image.h)
struct GcLayout;        // how a struct or array type's objects are laid out (interp/runtime/gc_heap.h)
struct GcObject;
class GcHeap;

// One wasm value slot. References are stored as 64-bit payloads: 0 is null;
// a funcref is a FuncInst* ; an externref is an opaque non-zero host value
// below 2^62; i31s and GC objects of the any hierarchy carry a tag in the
// top two bits (ref_bits.h).
union Value {
  uint32_t i32;
  uint64_t i64;
  float f32;
  double f64;
  uint64_t ref;
};
static_assert(sizeof(Value) == 8);

inline Value val_i32(uint32_t v) { Value x; x.i64 = 0; x.i32 = v; return x; }
inline Value val_i64(uint64_t v) { Value x; x.i64 = v; return x; }
inline Value val_f32(float v) { Value x; x.i64 = 0; x.f32 = v; return x; }
inline Value val_f64(double v) { Value x; x.f64 = v; return x; }
inline Value val_ref(uint64_t v) { Value x; x.ref = v; return x; }

// Passed to host functions: the store and the instance of the calling wasm
// function (nullptr when called from the host), e.g. to reach its memory.
struct HostContext {
  Store& store;
  Instance* caller;
};
using HostFunc =
    std::function<Result<void>(HostContext& ctx, std::span<const Value> args, std::span<Value> results)>;

// `type` points into the defining module's types (kept alive by
// `instance->module`) or, for a host function, into the signature its store
// keeps beside the callable: an instance's functions share their module's
// signatures instead of copying. Trivially destructible and small (32
// bytes), so an instance's thousands of functions are one block written
// once. A wasm function (instance set) reads only `code`, a host function
// only `host`.
struct FuncInst {
  const FuncType* type = nullptr;
  uint32_t type_id = 0;          // the store's canonical type id: equivalent types, equal ids
  uint32_t def_index = 0;        // index into instance->module->funcs / codes
  Instance* instance = nullptr;  // defining instance (wasm functions only)
  union {
    const void* code = nullptr;  // wasm functions: compiled code, set lazily by the interpreter
    const HostFunc* host;        // host functions: the callable (owned by the store)
  };
  bool is_host() const { return instance == nullptr; }
};
static_assert(std::is_trivially_destructible_v<FuncInst>);
static_assert(sizeof(void*) != 8 || sizeof(FuncInst) == 32);

struct MemoryInst {
  MemoryType type;
  uint8_t* data = nullptr;     // base of a reservation that never moves
  uint64_t size = 0;           // current size in bytes (pages * 64 KiB)
  // [0, committed) is read-write, [committed, reserved) PROT_NONE, and
  // committed >= size: pages past `size` that a grow opened ahead
  // (kGrowHeadroom, memory_map.h) or a reset left open read zero, so
  // growing into them needs no system call and the reset sent no TLB
  // shootdown. Every access is bounded by `size` in code (the interpreter,
  // the canonical ABI, host functions), never by the mapping.
  uint64_t committed = 0;
  uint64_t reserved = 0;       // bytes reserved (address space)
  uint64_t max_pages = kMaxPages;  // effective maximum (type max, limit)
  Store* owner = nullptr;      // whose ExecLimits::max_memory_bytes bounds grow()
  // Snapshot image mapped copy-on-write over the start of `data` (null: the
  // whole reservation is anonymous memory). Kept alive while it is mapped.
  std::shared_ptr<const MemoryImage> image;
  // `image` is not mapped but copied: the memory held a small image's bytes
  // in its own anonymous pages when it was captured, and mapping it would
  // only have cost an mmap, a TLB shootdown and faults (memory_image.h).
  bool image_copied = false;
  MemoryInst() = default;
  MemoryInst(const MemoryInst&) = delete;
  MemoryInst& operator=(const MemoryInst&) = delete;
  ~MemoryInst();
  uint32_t pages() const { return uint32_t(size / kPageSize); }
  // Returns the old size in pages, or -1 (as uint32_t) if it cannot grow
  // (beyond max_pages, or beyond the owner store's memory limit).
  uint32_t grow(uint32_t delta_pages);
};

// A table of functions filled from its module's image (table_image.h) holds
// lazy entries: the odd value lazy_func_entry(i) stands for function i of
// `lazy_owner` (its whole index space), which is made when the entry is
// first read and written back. No other reference is odd in a table of
// functions (FuncInst* is aligned), and only tables with a lazy_owner hold
// them. Read entries through get() unless the code resolves them itself.
struct TableInst {
  TableType type;
  MappedArray<uint64_t> elems;  // references (0 = null); may move when grown
  Store* owner = nullptr;       // whose table and memory limits bound grow()
  Instance* lazy_owner = nullptr;  // whose functions lazy entries name (null: none)
  uint32_t size() const { return uint32_t(elems.size()); }
  // Entry i (< size()), a lazy one made now.
  uint64_t get(size_t i) {
    const uint64_t r = elems[i];
    return (r & 1) && lazy_owner ? resolve(i) : r;
  }
  // Makes the function of lazy entry i, writes it in its place and returns it.
  uint64_t resolve(size_t i);
  // Returns the old size, or -1 (as uint32_t) if it cannot grow: beyond its
  // max or kMaxTableElems, beyond the owner store's limits
  // (ExecLimits::max_table_elems, max_memory_bytes), or out of memory.
  uint32_t grow(uint32_t delta, uint64_t init);
};

inline constexpr uint64_t lazy_func_entry(uint32_t func_index) { return uint64_t(func_index) << 1 | 1; }

// What one table entry counts against ExecLimits::max_memory_bytes.
inline constexpr uint64_t kTableEntryBytes = sizeof(uint64_t);

struct GlobalInst {
  GlobalType type;
  Value value{};
  Value hi{};  // v128 globals: the high 8 bytes (value holds the low 8)
};

// An exception tag. Tags are matched by identity: two modules catch each
// other's exceptions only when they share the TagInst (imports/exports).
struct TagInst {
  FuncType type;  // params: the exception's payload; no results
  uint32_t type_id = 0;  // the store's canonical type id (imports match it exactly)
};

// An external value: what is imported or exported.
struct Extern {
  ExternKind kind = ExternKind::Func;
  void* ptr = nullptr;  // FuncInst*, TableInst*, MemoryInst*, GlobalInst* or TagInst*
  FuncInst* func() const { return static_cast<FuncInst*>(ptr); }
  TableInst* table() const { return static_cast<TableInst*>(ptr); }
  MemoryInst* memory() const { return static_cast<MemoryInst*>(ptr); }
  GlobalInst* global() const { return static_cast<GlobalInst*>(ptr); }
  TagInst* tag() const { return static_cast<TagInst*>(ptr); }
};

// An instance's exports by name, made on first use from its module's
// export list: instantiation and a component's aliases read exports by
// position (Instance::export_at), so most instances never build it. A
// host-made instance (no module) holds what was put in with emplace.
// Reads build it; one instance is used by one thread at a time.
class ExportMap {
 public:
  using Map = std::unordered_map<std::string, Extern>;
  explicit ExportMap(Instance& owner) : owner_(owner) {}
  ExportMap(const ExportMap&) = delete;
  ExportMap& operator=(const ExportMap&) = delete;
  Map::const_iterator find(const std::string& name) const { return map().find(name); }
  Map::const_iterator begin() const { return map().begin(); }
  Map::const_iterator end() const { return map().end(); }
  const Extern& at(const std::string& name) const { return map().at(name); }
  size_t size() const { return map().size(); }
  size_t count(const std::string& name) const { return map().count(name); }
  void emplace(std::string name, Extern e) { built().emplace(std::move(name), e); }

 private:
  const Map& map() const { return built_ ? map_ : build(); }
  Map& built() { return built_ ? map_ : build(); }
  Map& build() const;
  Instance& owner_;
  mutable Map map_;
  mutable bool built_ = false;
};

struct Instance {
  std::shared_ptr<const Module> module;
  std::shared_ptr<CompiledModule> code;  // shared by all instances of `module`
  // Functions: the imported ones, then the defined ones, made when first
  // referenced (func(): an export, a table element, ref.func, start). A
  // direct call of a defined function runs its code (code->funcs) and needs
  // none, so an instance of a big module writes only the functions it hands
  // out. func_block: the store's storage for the defined ones (index
  // def_index), made[def_index / 64] bit def_index % 64 telling which exist.
  std::vector<FuncInst*> imported_funcs;
  FuncInst* func_block = nullptr;
  std::vector<uint64_t> made;
  std::vector<uint32_t> type_ids;  // the store's id of each module type index
  uint32_t defined_count = 0;      // the module's defined functions
  uint32_t num_funcs() const { return uint32_t(imported_funcs.size()) + defined_count; }
  // Function `index` of the whole index space (imports first); < num_funcs().
  FuncInst* func(uint32_t index) {
    if (index < imported_funcs.size()) return imported_funcs[index];
    const uint32_t d = index - uint32_t(imported_funcs.size());
    if (made[d >> 6] >> (d & 63) & 1) return func_block + d;
    return make_func(d);
  }
  // Makes each defined function whose bit is set in `want` (as `made`)
  // and does not exist yet.
  void make_funcs(std::span<const uint64_t> want);
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  std::vector<TagInst*> tags;         // whole index space (imports first)
  // Element segments as resolved references; emptied by elem.drop (and for
  // active/declarative segments after instantiation). Data segments likewise
  // become empty spans when dropped; the vector may stop before the last
  // segment (all dropped after it), so read and drop through the two below.
  std::vector<std::vector<uint64_t>> elem_segments;
  std::vector<std::span<const uint8_t>> data_segments;
  std::span<const uint8_t> data_segment(uint32_t s) const {
    return s < data_segments.size() ? data_segments[s] : std::span<const uint8_t>{};
  }
  void drop_data(uint32_t s) {
    if (s < data_segments.size()) data_segments[s] = {};
  }
  ExportMap exports{*this};

  // Export `j` of the module's export list (j < module->exports.size()),
  // as `exports` holds it under its name.
  Extern export_at(size_t j);
  // Convenience lookups; nullptr if missing or of another kind.
  FuncInst* export_func(std::string_view name) const;
  MemoryInst* export_memory(std::string_view name) const;
  GlobalInst* export_global(std::string_view name) const;
  TableInst* export_table(std::string_view name) const;

 private:
  FuncInst* make_func(uint32_t def_index);  // constructs it in func_block and sets its bit
};

// What interning one module's types into a store added to it, kept for the
// next store found in exactly the same type state (the instances of one
// code object in fresh stores see the same sequence of interning): that
// store gets the same additions and ids without building or looking up a
// key (Store::intern_types). Held by the module's CompiledModule; mu
// guards the rest.
struct TypeInternMemo {
  std::mutex mu;
  bool valid = false;
  TypeKeyTable::Saved keys_before, keys_added;  // the store's key table before; what it added
  std::vector<uint32_t> slots_after;            // the key table's probe array after
  size_t defs_before = 0;                       // the store's type_defs before (how many)
  std::vector<SubType> defs_added;              // what it added
  std::vector<uint32_t> added_from;             // per added def: the module's type index it is
  std::vector<uint32_t> ids;                    // the result
};

// Execution limits and the cooperative interrupt hook (used by the
// dispatcher later for time slices and deadlines).
struct ExecLimits {
  uint32_t max_call_depth = 10000;     // wasm frames before "call stack exhausted"
  uint32_t value_stack_slots = 1 << 20; // 8 MiB of value slots
  // Cap on the sum of the sizes of all memories and tables of the store
  // (a table entry counts kTableEntryBytes; 0: none): memory.grow and
  // table.grow return -1 and instantiation fails rather than exceed it.
  uint64_t max_memory_bytes = 0;
  // Cap on the total entries of all tables of the store (0: none).
  uint64_t max_table_elems = 10'000'000;
  // Cap on the bytes of the store's GC objects (0: none), on top of
  // max_memory_bytes, which counts them too: what the live objects of a
  // store may take when no memory limit is set (an allocation that would
  // pass it collects first, then fails with a trap).
  uint64_t max_gc_bytes = uint64_t{1} << 30;
};

class Store {
 public:
  Store();
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  ExecLimits limits;
  // Where this store's memories take their reservations from and give them
  // back to when it is destroyed (interp/memory_pool.h); none: each memory
  // maps and unmaps its own. Set before instantiating.
  std::shared_ptr<MemoryPool> memory_pool;
  // Checked by the interpreter at loop back-edges and calls: when non-zero,
  // on_interrupt is called; if it returns an error the call ends with it.
  volatile uint32_t interrupt = 0;
  std::function<Result<void>(Store&)> on_interrupt;
  // Testing the collector: collect before every GC allocation of the
  // interpreter, poisoning what is swept instead of freeing it (a missed
  // root then shows at once). Set before the first allocation.
  bool gc_stress = false;
  // The embedder's per-store host state (e.g. WASI's WasiCtx), for host
  // functions defined once and shared by many stores; not owned.
  // host_data_type identifies its type so readers can check it.
  void* host_data = nullptr;
  const void* host_data_type = nullptr;

  // Canonical type ids (type_canon.h): equivalent types of any module get
  // equal ids. intern_type() takes a lone final function type (a host
  // function's); intern_types() gives an id per type index of a module.
  // Globals and tables of the store hold types with ids in place of a
  // module's type indices (canonical_type()).
  // With `memo` (for module m; see TypeInternMemo) a store in the state the
  // memo saw before gets its additions replayed; any other records them.
  uint32_t intern_type(const FuncType& t);
  std::vector<uint32_t> intern_types(const Module& m, TypeInternMemo* memo = nullptr);
  TypeGraph type_graph() const { return TypeGraph{type_defs_, {}}; }
  size_t num_type_ids() const { return type_defs_.size(); }
  // Whether type `id` is `want` or declares it among its supertypes (the
  // run-time check of call_indirect and call_ref once the ids differ).
  bool type_matches(uint32_t id, uint32_t want) const;

  FuncInst* create_host_func(FuncType type, HostFunc fn);
  // The same with a type shared with its maker (kept alive by the store;
  // the first 64 such types are interned once per store however many
  // functions share them), and `keep`
  // held as long as the function: state the callable points into without
  // owning it, so that a callable of one pointer is stored with no
  // allocation of its own.
  FuncInst* create_host_func(std::shared_ptr<const FuncType> type, HostFunc fn,
                             std::shared_ptr<const void> keep = {});
  // nullptr if it cannot be reserved or its minimum exceeds the memory limit.
  // `image`: a module's data image it is about to be given (instantiation);
  // a reservation the pool kept with that image mapped is taken first, and
  // MemoryInst::image is then set (memory_pool.h).
  MemoryInst* create_memory(MemoryType type, const std::shared_ptr<const MemoryImage>& image = nullptr);
  // A table of type.limits.min entries, each `init`, or (`head` not empty,
  // at most min entries) `head` followed by nulls.
  TableInst* create_table(TableType type, uint64_t init = 0, std::span<const uint64_t> head = {});
  GlobalInst* create_global(GlobalType type, Value v);
  TagInst* create_tag(FuncType type, uint32_t type_id);

  // GC objects (interp/runtime/gc_heap.h). gc_layout(): the layout of the
  // struct or array type with canonical id `id`, nullptr for other ids.
  // gc_allocate(): a zeroed object of that type (`length` elements for an
  // array), nullptr when it would exceed limits.max_memory_bytes or
  // limits.max_gc_bytes, or malloc fails; it never collects (the
  // interpreter's allocations go through exec/gc_roots.h, which does when
  // gc_due() says so, with the frames as roots besides gc_mark_roots()).
  const GcLayout* gc_layout(uint32_t id) const {
    return id < gc_layouts_.size() ? gc_layouts_[id].get() : nullptr;
  }
  GcObject* gc_allocate(uint32_t id, uint32_t length);
  uint64_t gc_bytes() const;
  GcHeap* gc_heap() const { return gc_heap_.get(); }
  // Whether allocating that object should collect first: the heap's budget
  // since the last collection is spent, or the object would not fit.
  bool gc_due(uint32_t id, uint32_t length) const;
  // Marks the store's own roots on its heap: reference globals, tables of
  // the any and extern hierarchies, instances' element segments, pins.
  void gc_mark_roots() const;
  // A reference the host keeps between calls (an invoke() result, say)
  // survives collections while pinned; pins are counted. A host function's
  // reference arguments stay valid while it runs; one that re-enters wasm
  // (which may collect) and still needs them afterwards pins them first.
  void gc_pin(uint64_t ref);
  void gc_unpin(uint64_t ref);

  // Sum of the current sizes of the store's memories and tables (entries x
  // kTableEntryBytes) and of its GC objects, in bytes; and whether `extra`
  // more bytes stay within limits.max_memory_bytes.
  uint64_t memory_bytes() const;
  bool memory_fits(uint64_t extra) const;
  // Total entries of the store's tables; and whether `extra` more entries
  // stay within limits.max_table_elems and limits.max_memory_bytes.
  uint64_t table_elems() const;
  bool table_fits(uint64_t extra) const;

  // Ownership of everything created in this store.
  // Storage for `n` functions in one allocation (an instance's defined
  // functions), not constructed: the caller constructs every one of them
  // (placement new) before anything reads them.
  FuncInst* adopt_func_storage(size_t n);
  Instance* adopt(std::unique_ptr<Instance> i);

  // Interpreter state (value stack, frames) owned by exec/; created on demand.
  struct ExecState;
  ExecState* exec_state();

 private:
  friend class StoreSnapshot;  // reads and restores every object (snapshot.h)
  // A host function's FuncInst, signature, callable and what it keeps.
  struct HostFuncInst {
    FuncInst inst;
    std::shared_ptr<const FuncType> type;
    HostFunc fn;
    std::shared_ptr<const void> keep;
  };
  struct FreeFuncs {
    void operator()(FuncInst* p) const;
  };
  BlockArena<HostFuncInst, 32> host_funcs_;  // never moved once made
  // The type id of shared host function types interned so far (at most
  // kSharedTypeIds): a host function of this store keeps each alive, so
  // no other type can come to live at its address.
  static constexpr size_t kSharedTypeIds = 64;
  FuncInst* add_host_func(std::shared_ptr<const FuncType> type, uint32_t id, HostFunc fn,
                          std::shared_ptr<const void> keep);
  std::vector<std::pair<const FuncType*, uint32_t>> shared_type_ids_;
  std::vector<std::unique_ptr<FuncInst, FreeFuncs>> func_blocks_;
  std::vector<std::unique_ptr<MemoryInst>> memories_;
  std::vector<std::unique_ptr<TableInst>> tables_;
  std::vector<std::unique_ptr<GlobalInst>> globals_;
  std::vector<std::unique_ptr<TagInst>> tags_;
  std::vector<std::unique_ptr<Instance>> instances_;
  TypeKeyTable type_keys_;           // recursion group key -> id of its first type
  std::vector<uint32_t> key_scratch_;  // the key being looked up (capacity reused)
  std::vector<SubType> type_defs_;  // per id: kind, finality, declared supertype (an id); no fields
  void add_type_def(const Module& m, uint32_t index, SubType def);  // and its GC layout
  bool replay_types(const Module& m, const TypeInternMemo& memo);  // false: not the state it saw
  std::vector<std::unique_ptr<GcLayout>> gc_layouts_;  // per id of a struct or array type
  std::unique_ptr<GcHeap> gc_heap_;                    // created by the first allocation
  std::unordered_map<uint64_t, uint32_t> gc_pins_;     // pinned reference -> count
  bool gc_fits(uint64_t bytes) const;
  std::unique_ptr<ExecState, void (*)(ExecState*)> exec_{nullptr, nullptr};
};

// Prepares the interpreter's code object for a validated module (functions
// are compiled lazily, on first call). instantiate() calls it when `code` is
// null; pools pass one prepared object to many instantiations.
std::shared_ptr<CompiledModule> prepare_code(std::shared_ptr<const Module> module);

// Links `module` (already validated) against `imports` (one per module
// import, in order), allocates its memories/tables/globals, applies active
// segments, and runs the start function. Errors: Unlinkable (import kind or
// type mismatch, with module/name), Trap (segment out of bounds: the spec's
// "out of bounds table/memory access"; earlier segment writes stay),
// Trap (start function trapped).
Result<Instance*> instantiate(Store& store, std::shared_ptr<const Module> module,
                              std::span<const Extern> imports,
                              std::shared_ptr<CompiledModule> code = nullptr);

// Calls `func` with `args` (must match its parameter types); results are
// returned in order. GC references among them stay valid until the store's
// next collection unless pinned (Store::gc_pin).
Result<std::vector<Value>> invoke(Store& store, FuncInst* func, std::span<const Value> args);

// Collects the store's GC heap now (also from inside a host function: the
// wasm frames below it are roots); returns the objects freed.
uint64_t collect_garbage(Store& store);

}  // namespace wippy
