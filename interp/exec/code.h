// code.h — the interpreter's internal code format and per-store state.
// A function compiles to a vector of 8-byte Words: each instruction is one
// handler address (direct threading) followed by operand words. Operands
// name frame slots (Value index relative to the frame pointer: params, then
// locals, then operand-stack temporaries) or hold immediates. Jump targets
// are absolute Word pointers into the same vector. Code is shared by every
// instance of a module: nothing instance-specific is embedded (functions,
// globals, tables, segments are named by index and looked up at run time).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <span>
#include <vector>

#include "base/result.h"
#include "interp/mapped_array.h"
#include "interp/module.h"
#include "interp/store.h"

namespace wippy {

namespace exec {

union Word {
  const void* h;        // handler label address
  const Word* target;   // jump target (after finalization)
  uint64_t u64;         // immediate
  struct {
    uint32_t a, b;      // two slot indices / small immediates
  } s;
};
static_assert(sizeof(Word) == 8);

// Threaded code and the function records that point to it are read by every
// thread running the module, on each call. They get cache lines of their
// own (64-byte aligned blocks, whole lines), so that no object another
// thread writes shares a line with them: with small functions sharing
// lines with per-call heap objects, two workers calling a trivial export
// kept invalidating each other's copy of the code.
inline constexpr size_t kCacheLine = 64;

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}
  static size_t bytes(size_t n) { return (n * sizeof(T) + kCacheLine - 1) / kCacheLine * kCacheLine; }
  T* allocate(size_t n) { return static_cast<T*>(::operator new(bytes(n), std::align_val_t{kCacheLine})); }
  void deallocate(T* p, size_t n) noexcept { ::operator delete(p, bytes(n), std::align_val_t{kCacheLine}); }
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
};

using CodeWords = std::vector<Word, CacheLineAllocator<Word>>;

// Handler ids, in the order of handlers.def.
enum class H : uint16_t {
#define HANDLER(n) n,
#include "handlers.def"
#undef HANDLER
  Count_
};

// The label address of every handler, indexed by H (from the dispatch loop).
const void* const* handler_labels();

// A cast's heap operand (RefTest, RefCast, JmpIfCast, JmpUnlessCast) with
// this bit set names a struct or array type (kHeapTypeBase + index below
// it), so a reference of the any hierarchy is never read as a FuncInst*.
inline constexpr uint32_t kCastGcType = 1u << 31;

// Functions with at most this many declared locals have frame_size >=
// nparams + kZeroFast, so that entry zeroes a fixed kZeroFast slots.
inline constexpr uint32_t kZeroFast = 4;

// Exception handlers of a compiled function (exceptions.h): code index
// ranges of try_table / legacy try bodies with what to do on a throw.
// Nothing is executed on entry to a protected body; a throw looks the
// ranges up (innermost last in `handlers`, since they are added when the
// body starts).
struct CatchCopy {
  uint32_t dst = 0;  // frame slot
  uint32_t src = 0;  // slot offset in the packed payload
  uint32_t n = 1;    // slots (2 for a v128)
};
inline constexpr uint32_t kCatchAll = UINT32_MAX;
inline constexpr uint32_t kNoDelegate = UINT32_MAX;
struct EhClause {
  uint32_t tag = kCatchAll;  // the module's tag index, or kCatchAll
  bool ref = false;          // the exnref goes to exn_dst as well
  bool ret = false;          // the label is the function's: return after copying
  bool keep = true;          // the exnref may be used later (else the object is recycled)
  uint32_t exn_dst = 0;
  std::vector<CatchCopy> copies;  // the payload's values
  uint32_t target = 0;            // code index where the label continues
};
struct EhHandler {
  uint32_t begin = 0, end = 0;         // protected code index range [begin, end)
  uint32_t delegate_skip = kNoDelegate;  // legacy delegate: how many enclosing handlers to pass over
  std::vector<EhClause> clauses;       // in order; the first that matches wins
};

// Where a function's frame may hold references to GC objects, for the
// collector's root walk (gc_roots.h). `locals`: slots of reference-typed
// locals (valid wherever the frame stops). Per safepoint, the live operand
// stack slots of reference type: a call is keyed by the code index its
// caller continues at, an allocating instruction by its code index + 1 (so
// the two never collide); keys ascend, and slots of key i are
// slots[starts[i], starts[i + 1]).
struct GcStackMap {
  std::vector<uint32_t> locals;
  std::vector<uint32_t> keys;
  std::vector<uint32_t> starts;
  std::vector<uint32_t> slots;
  // The operand slots at safepoint `key`; false if there is no such safepoint.
  bool at(uint32_t key, std::span<const uint32_t>& slots) const;
};

struct alignas(kCacheLine) CompiledFunc {
  // The words: `own`'s when compiled here, else a slice of a block of code
  // loaded from the code cache that the CompiledModule keeps
  // (CompiledModule::blocks; each function starts on a cache line of its own).
  std::span<const Word> code;
  CodeWords own;
  // Where the code holds addresses (ascending code indices), so that it can
  // be stored and relocated (interp/cache/code_codec.h): each
  // instruction's handler word, and each jump-target word.
  std::vector<uint32_t> starts;
  std::vector<uint32_t> targets;
  std::vector<EhHandler> handlers;  // exception handlers (empty for most functions)
  // Null when no frame of this function can hold a GC object (its module
  // has no reference type that can point at one).
  std::unique_ptr<GcStackMap> gc_map;
  uint32_t nparams = 0;
  uint32_t nlocals = 0;     // declared locals (zeroed on entry)
  uint32_t nresults = 0;
  uint32_t frame_size = 0;  // slots: params + locals + temporaries
};

// Compiles defined function `def_index` of `m` (validated), with GC stack
// maps when `gc_maps` (gc_roots.h: required to run it when its module can
// hold GC references).
Result<std::unique_ptr<CompiledFunc>> compile_function(const Module& m, uint32_t def_index, bool gc_maps);

// Lists of compiled functions sorted by code address (code_lookup.cpp),
// to find a frame's function from its pc: insert (under the module's mu)
// and find (nullptr when no function of the list holds `pc`).
void insert_by_code(std::vector<const CompiledFunc*>& funcs, const CompiledFunc* f);
const CompiledFunc* find_by_code(const std::vector<const CompiledFunc*>& funcs, const Word* pc);

// A thrown exception: its tag (matched by identity) and payload, packed.
struct ExnInst {
  TagInst* tag = nullptr;
  bool escaped = false;  // an exnref to it exists (catch_ref, legacy catch, throw_ref)
  std::vector<Value> vals;
};

// One saved caller on the explicit frame stack.
struct Frame {
  const Word* pc;   // where the caller continues
  Value* fp;        // the caller's frame
  Instance* inst;   // the caller's instance
  uint32_t fsize;   // the caller's frame size (slots)
};

}  // namespace exec

// Compiled code of one module, shared by all its instances (and stores);
// functions are compiled on first call, under a lock.
struct CompiledModule {
  std::shared_ptr<const Module> module;
  std::unique_ptr<std::atomic<const exec::CompiledFunc*>[]> funcs;  // per defined function
  std::vector<std::unique_ptr<exec::CompiledFunc>> owned;
  std::vector<SharedBytes> blocks;  // code loaded from the code cache (code_codec.h)
  std::mutex mu;
  // Functions with exception handlers, sorted by code address (under mu):
  // a throw finds the code of a frame from its pc (exceptions.h).
  std::vector<const exec::CompiledFunc*> eh_funcs;
  // Functions with GC stack maps, likewise (the collector's frame walk).
  std::vector<const exec::CompiledFunc*> gc_funcs;
  bool gc_maps = false;  // the module can hold GC references: compile with stack maps
  // The images of the tables the module defines (interp/runtime/
  // table_image.h), made with this object; null: the module does not
  // qualify, and its instances write every segment.
  std::shared_ptr<const TableImages> table_images;
  // Without table images: the defined functions that the module's active
  // element segments of function indices name (bit d % 64 of word d / 64):
  // every instance makes them at once before it writes its tables
  // (Instance::make_funcs).
  std::vector<uint64_t> elem_funcs;
  // The module's data images (interp/runtime/data_image.h), made at the
  // second instantiation that uses this code object; null: copy segments.
  std::mutex images_mu;
  uint32_t image_requests = 0;  // instantiations so far (counts up to 2)
  bool images_built = false;
  std::shared_ptr<const DataImages> images;
  // Interning the module's types into its instances' stores (store.h).
  TypeInternMemo type_memo;

  explicit CompiledModule(std::shared_ptr<const Module> m);
  // The compiled code of defined function `def_index` (compiling it now if needed).
  Result<const exec::CompiledFunc*> get(uint32_t def_index);
  // Makes `f` the code of defined function `def_index` unless it has code
  // already (then `f` is dropped); returns the code now in place. The
  // caller holds `mu`. (get() after compiling; the code cache's loader.)
  const exec::CompiledFunc* install_locked(uint32_t def_index, std::unique_ptr<exec::CompiledFunc> f);
};

// Interpreter state of one Store: the value stack and the frame stack.
// Nested invoke() calls (from host functions) continue above `top`/`fsp`.
struct Store::ExecState {
  // The frame stack, then the value stack, in one mapping (one mmap and
  // munmap per store): only the pages a call reaches become resident.
  MappedBytes mem;
  Value* stack = nullptr;      // first value slot
  Value* stack_end = nullptr;
  Value* top = nullptr;        // first free value slot
  exec::Frame* frames = nullptr;  // first frame
  exec::Frame* frames_end = nullptr;
  exec::Frame* fsp = nullptr;  // next free frame
  // Exception objects (exceptions.h): exnrefs point at them; recycled when
  // caught without a reference ever being handed out, else kept.
  std::vector<std::unique_ptr<exec::ExnInst>> exns;
  std::vector<exec::ExnInst*> free_exns;
};

}  // namespace wippy
