// interp.cpp — the dispatch loop (direct-threaded, computed goto) and the
// embedding entry points invoke(), prepare_code() and Store::exec_state().
// Wasm-to-wasm calls never recurse on the native stack: callers are saved on
// the ExecState frame stack and the callee frame starts at the caller's
// argument slots. The memory-0 base and size of the running instance live in
// locals of the loop and are reloaded after calls and memory.grow. Host
// functions are called with spans over the argument/result slots and may
// re-enter invoke(), which continues above the current frame.
// Handler bodies of an instruction family live in one included file each:
// control.inc, tail_call.inc, typed_ref.inc, gc.inc, exceptions.inc,
// multi_memory.inc and simd_handlers.inc; numeric_ops.inc holds the
// per-opcode semantics macros the generated handlers expand.
#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

#include "code.h"
#include "exceptions.h"
#include "gc_roots.h"
#include "numeric.h"
#include "packed.h"
#include "interp/ref_bits.h"
#include "interp/runtime/gc_heap.h"
#include "simd_lanes.h"

namespace wippy {
namespace exec {
namespace {

constexpr const char* kUnreachable = "unreachable";
constexpr const char* kDivZero = "integer divide by zero";
constexpr const char* kOverflow = "integer overflow";
constexpr const char* kInvalidConv = "invalid conversion to integer";
constexpr const char* kMemOOB = "out of bounds memory access";
constexpr const char* kTableOOB = "out of bounds table access";
constexpr const char* kUndefElem = "undefined element";
constexpr const char* kUninitElem = "uninitialized element";
constexpr const char* kTypeMismatch = "indirect call type mismatch";
constexpr const char* kExhausted = "call stack exhausted";
constexpr const char* kNullFuncRef = "null function reference";
constexpr const char* kNullRef = "null reference";
constexpr const char* kNullExnRef = "null exception reference";
constexpr const char* kUncaught = "uncaught exception";
constexpr const char* kCastFailure = "cast failure";
constexpr const char* kNullI31 = "null i31 reference";
constexpr const char* kNullStruct = "null structure reference";
constexpr const char* kNullArray = "null array reference";
constexpr const char* kArrayOOB = "out of bounds array access";
constexpr const char* kGcOutOfMemory = "out of memory: GC object beyond the store's memory limit";

// A struct field or array element of `mode & 0xFF` bytes (1, 2, 4 or 8):
// stored from a value's low bytes; loaded zero-extended, or sign-extended
// when mode has 0x100 (packed i8/i16 read with _s).
inline void gc_field_store(uint8_t* p, uint32_t size, Value v) { std::memcpy(p, &v, size); }
inline Value gc_field_load(const uint8_t* p, uint32_t mode) {
  Value v = val_i64(0);
  std::memcpy(&v, p, mode & 0xFF);
  if (mode == (0x100 | 1)) v = val_i32(uint32_t(int32_t(int8_t(v.i32))));
  if (mode == (0x100 | 2)) v = val_i32(uint32_t(int32_t(int16_t(v.i32))));
  return v;
}

Error exhaustion() { return make_error(ErrorKind::Exhaustion, kExhausted); }

// The type ids of `inst` (a frame's instance changed: LOAD_INST). Out of
// line on purpose: inlined, the load changed GCC's register allocation of
// the whole dispatch loop and coremark ran 5% slower (min of 5 alternating
// rounds, 205-220 ms against 202-210); as a call, run() keeps the shape
// it had when this was a hash lookup, and every kernel measures as before.
[[gnu::noinline]] const uint32_t* instance_type_ids(const Instance* inst) { return inst->type_ids.data(); }

// Whether reference `ref` is of the heap type `heap` (the compiler's
// cast_heap()), null included when `nullable`. A non-null value of the func
// hierarchy is a FuncInst*, matched by declared subtyping of its type id; a
// concrete struct or array type (kCastGcType) matches a GC object of a
// declared subtype; the abstract types of the any and extern hierarchies go
// by the reference's tag (ref_bits.h).
bool ref_matches(const Store& store, const uint32_t* tids, uint64_t ref, uint32_t heap, uint32_t nullable) {
  if (ref == 0) return nullable != 0;
  if (heap & kCastGcType)
    return ref_is_obj(ref) && store.type_matches(gc_object(ref)->type_id, tids[(heap & ~kCastGcType) - kHeapTypeBase]);
  if (heap >= kHeapTypeBase)
    return store.type_matches(reinterpret_cast<const FuncInst*>(ref)->type_id, tids[heap - kHeapTypeBase]);
  if (heap == kHeapFunc || heap == kHeapExn) return true;
  return ref_of_abstract(ref, heap);
}

// The compiled code of wasm function f (compiling it on first use).
Result<const CompiledFunc*> code_of(FuncInst* f) {
  if (f->code) return static_cast<const CompiledFunc*>(f->code);
  Instance* inst = f->instance;
  if (!inst->code) inst->code = prepare_code(inst->module);
  auto r = inst->code->get(f->def_index);
  if (!r) return r.error();
  f->code = *r;
  return *r;
}

// Calls host function f with args at `at` (results written there too).
Result<void> call_host(Store& store, Store::ExecState& st, FuncInst* f, Value* at, Instance* caller,
                       Frame* fsp) {
  size_t np = packed_slots(f->type->params), nr = packed_slots(f->type->results);  // packed.h
  if (at + std::max(np, nr) > st.stack_end) return exhaustion();
  Value small[8];
  std::vector<Value> big;
  Value* args = small;
  if (np > 8) {
    big.resize(np);
    args = big.data();
  }
  std::copy(at, at + np, args);
  Value* saved_top = st.top;
  Frame* saved_fsp = st.fsp;
  st.top = at + std::max(np, nr);
  st.fsp = fsp;
  HostContext ctx{store, caller};
  Result<void> r = (*f->host)(ctx, std::span<const Value>(args, np), std::span<Value>(at, nr));
  st.top = saved_top;
  st.fsp = saved_fsp;
  return r;
}

// Calls store.on_interrupt with the stacks published; false means stop.
bool handle_interrupt(Store& store, Store::ExecState& st, Value* top, Frame* fsp, Error& err) {
  if (!store.on_interrupt) return true;
  Value* saved_top = st.top;
  Frame* saved_fsp = st.fsp;
  st.top = top;
  st.fsp = fsp;
  Result<void> r = store.on_interrupt(store);
  st.top = saved_top;
  st.fsp = saved_fsp;
  if (!r) {
    err = r.error();
    return false;
  }
  return true;
}

// Copies n bytes between non-overlapping ranges (sizes of copy runs).
inline void block_copy(uint8_t* d, const uint8_t* s, uint32_t n) {
  switch (n) {
    case 4: std::memcpy(d, s, 4); return;
    case 8: std::memcpy(d, s, 8); return;
    case 16: std::memcpy(d, s, 16); return;
    case 32: std::memcpy(d, s, 32); return;
    default: std::memcpy(d, s, n); return;
  }
}

// ---- operand access helpers for the handler macros ----
#define GET_i(s) fp[s].i32
#define GET_l(s) fp[s].i64
#define GET_f(s) fp[s].f32
#define GET_d(s) fp[s].f64
#define IMM_i(w) uint32_t((w).u64)
#define IMM_l(w) (w).u64
#define IMM_f(w) std::bit_cast<float>(uint32_t((w).u64))
#define IMM_d(w) std::bit_cast<double>((w).u64)
// the stored value of a store-constant handler (imm32 sign-extended)
#define KV_i(k) uint32_t(k)
#define KV_l(k) uint64_t(int64_t(int32_t(k)))
#define KV_f(k) std::bit_cast<float>(uint32_t(k))
#define KV_d(k) std::bit_cast<double>(uint64_t(int64_t(int32_t(k))))
#define SET_i(s, v) (fp[s].i64 = uint32_t(v))
#define SET_l(s, v) (fp[s].i64 = uint64_t(v))
#define SET_f(s, v) (fp[s].i64 = std::bit_cast<uint32_t>(float(v)))
#define SET_d(s, v) (fp[s].f64 = double(v))

#define TRAP(msg)     \
  do {                \
    trap_msg = (msg); \
    goto trap;        \
  } while (0)

#define S32(x) int32_t(x)
#define S64(x) int64_t(x)

// ---- numeric semantics, one macro per opcode ----
#include "numeric_ops.inc"

#define DISPATCH goto* pc->h
#define NEXT(n)   \
  do {            \
    pc += (n);    \
    goto* pc->h;  \
  } while (0)

#define LOAD_INST()                                                     \
  do {                                                                  \
    mem = inst->memories.empty() ? nullptr : inst->memories[0];        \
    mbase = mem ? mem->data : nullptr;                                  \
    msize = mem ? mem->size : 0;                                        \
    tids = instance_type_ids(inst);                                    \
  } while (0)
#define RELOAD_MEM()        \
  do {                      \
    if (mem) {              \
      mbase = mem->data;    \
      msize = mem->size;    \
    }                       \
  } while (0)
// ncf = the code of this instance's defined function `def`, compiled on
// its first call (a compile error ends the run).
#define LOAD_DEF_CODE(def)                                          \
  do {                                                              \
    ncf = inst->code->funcs[def].load(std::memory_order_acquire);   \
    if (__builtin_expect(ncf == nullptr, 0)) {                      \
      auto compiled = inst->code->get(def);                         \
      if (!compiled) {                                              \
        err = std::move(compiled.error());                          \
        goto fail;                                                  \
      }                                                             \
      ncf = *compiled;                                              \
    }                                                               \
  } while (0)
#define CHECK_INTERRUPT(top)                                                   \
  do {                                                                         \
    if (__builtin_expect(*intr != 0, 0)) {                                     \
      if (!handle_interrupt(*store, st, (top), fsp, err)) goto fail;           \
      RELOAD_MEM();                                                            \
    }                                                                          \
  } while (0)

// Runs wasm function `f` (compiled as `cf`) with its frame at `fp` (args
// already there); results are left in fp[0..). With labels_out set, only
// returns the handler label table.
// (no-gcse: GCC's global CSE hoists loads across the computed-goto web and
// spills the dispatch registers; the GCC manual recommends it off here.
// aligned(64): the handlers' offsets inside a cache line then depend on this
// file alone. With the default 16, unrelated code linked before the loop
// moved it and the hashtable kernel swung by 8-11% with no change here.)
__attribute__((optimize("no-gcse"), aligned(64))) Result<void> run(Store* store, FuncInst* f,
                                                      const CompiledFunc* cf, Value* fp_in,
                                                      const void* const** labels_out) {
  static const void* const kLabels[] = {
#define HANDLER(n) &&L_##n,
#include "handlers.def"
#undef HANDLER
  };
  if (labels_out) {
    *labels_out = kLabels;
    return {};
  }
  register Value* fp asm("r14") = fp_in;
  Store::ExecState& st = *store->exec_state();
  Frame* const fbase = st.fsp;
  Frame* fsp = fbase;
  Frame* const fend = st.frames_end;
  Value* const send = st.stack_end;
  volatile uint32_t* const intr = &store->interrupt;
  Instance* inst = f->instance;
  MemoryInst* mem = nullptr;
  // The hot dispatch state is pinned to callee-saved registers: left to
  // itself GCC spills pc and the memory bounds in this huge function.
  register uint8_t* mbase asm("r13") = nullptr;
  register uint64_t msize asm("r12") = 0;
  const uint32_t* tids = nullptr;
  uint32_t fsize = cf->frame_size;
  register const Word* pc asm("r15") = cf->code.data();
  const char* trap_msg = nullptr;
  uint32_t trap_index = 0;
  Error err;
  // call sequence temporaries (declared here: handlers jump to do_call)
  FuncInst* callee = nullptr;
  const CompiledFunc* ncf = nullptr;  // the callee's code
  Instance* cinst = nullptr;          // and its instance
  Value* nfp = nullptr;
  const Word* ret_pc = nullptr;
  ExnInst* thrown = nullptr;  // the exception being thrown (exceptions.inc)

  if (fp + cf->frame_size > send) return exhaustion();
  std::memset(static_cast<void*>(fp + cf->nparams), 0, sizeof(Value) * cf->nlocals);
  LOAD_INST();
  DISPATCH;

  // ---- moves, constants ----
L_Mov:
  fp[pc[1].s.a] = fp[pc[1].s.b];
  NEXT(2);
L_Const:
  fp[pc[1].s.a].i64 = pc[2].u64;
  NEXT(3);
L_Mov2:
  fp[pc[1].s.a] = fp[pc[1].s.b];
  fp[pc[2].s.a] = fp[pc[2].s.b];
  NEXT(3);
L_Mov3:
  fp[pc[1].s.a] = fp[pc[1].s.b];
  fp[pc[2].s.a] = fp[pc[2].s.b];
  fp[pc[3].s.a] = fp[pc[3].s.b];
  NEXT(4);
L_Mov4:
  fp[pc[1].s.a] = fp[pc[1].s.b];
  fp[pc[2].s.a] = fp[pc[2].s.b];
  fp[pc[3].s.a] = fp[pc[3].s.b];
  fp[pc[4].s.a] = fp[pc[4].s.b];
  NEXT(5);
L_MovsBrChk:  // a loop back-edge: the interrupt check, then as MovsBr
  CHECK_INTERRUPT(fp + fsize);
L_MovsBr: {
  uint32_t n = pc[1].s.a;
  const Word* w = pc + 2;
  do {
    fp[w->s.a] = fp[w->s.b];
    ++w;
  } while (--n);
  pc = w->target;
  DISPATCH;
}

  // ---- control ----
#include "control.inc"

#include "tail_call.inc"
#include "typed_ref.inc"
#include "gc.inc"
#include "exceptions.inc"
#include "multi_memory.inc"

L_Select:
  fp[pc[1].s.a] = fp[pc[2].s.b].i32 ? fp[pc[1].s.b] : fp[pc[2].s.a];
  NEXT(3);

#define COPY_H(n, T)                                                          \
  L_Copy##n: {                                                                \
    uint64_t d = uint64_t(uint32_t(fp[pc[1].s.a].i32 + pc[2].s.a)) + pc[2].s.b; \
    uint64_t s = uint64_t(uint32_t(fp[pc[1].s.b].i32 + pc[3].s.a)) + pc[3].s.b; \
    if (__builtin_expect(s + (n) > msize || d + (n) > msize, 0)) TRAP(kMemOOB); \
    store_le<T>(mbase + d, load_le<T>(mbase + s));                            \
    NEXT(4);                                                                  \
  }
  COPY_H(1, uint8_t)
  COPY_H(2, uint16_t)
  COPY_H(4, uint32_t)
  COPY_H(8, uint64_t)
#undef COPY_H
#define COPYRUN_H(n, T)                                                       \
  L_CopyRun##n: {                                                             \
    uint32_t db = fp[pc[1].s.a].i32, sb = fp[pc[1].s.b].i32;                  \
    uint32_t cnt = pc[2].s.a, de = pc[3].s.a, se = pc[3].s.b;                 \
    const Word* w = pc + 4;                                                   \
    if (__builtin_expect(de != 0 && se != 0 && uint64_t(db) + de <= msize &&  \
                         uint64_t(sb) + se <= msize, 1)) {                    \
      if (uint32_t blk = pc[2].s.b) {                                         \
        uint64_t d = uint64_t(db) + de - blk, s = uint64_t(sb) + se - blk;    \
        if (d >= s + blk || s >= d + blk) {                                   \
          block_copy(mbase + d, mbase + s, blk);                              \
          pc = w + 2 * cnt;                                                   \
          DISPATCH;                                                           \
        }                                                                     \
      }                                                                       \
      do {                                                                    \
        uint64_t d = uint64_t(db) + w[0].s.a + w[0].s.b;                      \
        uint64_t s = uint64_t(sb) + w[1].s.a + w[1].s.b;                      \
        store_le<T>(mbase + d, load_le<T>(mbase + s));                        \
        w += 2;                                                               \
      } while (--cnt);                                                        \
      pc = w;                                                                 \
      DISPATCH;                                                               \
    }                                                                         \
    do {                                                                      \
      uint64_t d = uint64_t(uint32_t(db + w[0].s.a)) + w[0].s.b;              \
      uint64_t s = uint64_t(uint32_t(sb + w[1].s.a)) + w[1].s.b;              \
      if (__builtin_expect(s + (n) > msize || d + (n) > msize, 0)) TRAP(kMemOOB); \
      store_le<T>(mbase + d, load_le<T>(mbase + s));                          \
      w += 2;                                                                 \
    } while (--cnt);                                                          \
    pc = w;                                                                   \
    DISPATCH;                                                                 \
  }
  COPYRUN_H(1, uint8_t)
  COPYRUN_H(2, uint16_t)
  COPYRUN_H(4, uint32_t)
  COPYRUN_H(8, uint64_t)
#undef COPYRUN_H
#define STRUN_H(id, T, V_)                                                    \
  L_StRun##id: {                                                              \
    uint32_t ab = fp[pc[1].s.a].i32;                                          \
    T v = T(GET_##V_(pc[1].s.b));                                             \
    uint32_t cnt = pc[2].s.a, e = pc[3].s.a;                                  \
    const Word* w = pc + 4;                                                   \
    if (__builtin_expect(e != 0 && uint64_t(ab) + e <= msize, 1)) {           \
      do {                                                                    \
        store_le<T>(mbase + (uint64_t(ab) + w[0].s.a + w[0].s.b), v);         \
        w += 1;                                                               \
      } while (--cnt);                                                        \
      pc = w;                                                                 \
      DISPATCH;                                                               \
    }                                                                         \
    do {                                                                      \
      uint64_t ea = uint64_t(uint32_t(ab + w[0].s.a)) + w[0].s.b;             \
      if (__builtin_expect(ea + sizeof(T) > msize, 0)) TRAP(kMemOOB);         \
      store_le<T>(mbase + ea, v);                                             \
      w += 1;                                                                 \
    } while (--cnt);                                                          \
    pc = w;                                                                   \
    DISPATCH;                                                                 \
  }
  STRUN_H(I32Store8, uint8_t, i)
  STRUN_H(I32Store16, uint16_t, i)
  STRUN_H(I32Store, uint32_t, i)
  STRUN_H(I64Store, uint64_t, l)
  STRUN_H(F32Store, uint32_t, i)
  STRUN_H(F64Store, uint64_t, l)
#undef STRUN_H
L_F64MulAddM: {
  uint64_t ey = uint64_t(uint32_t(fp[pc[2].s.a].i32 + pc[2].s.b)) + pc[3].s.a;
  uint64_t ex = uint64_t(uint32_t(fp[pc[3].s.b].i32 + pc[4].s.a)) + pc[4].s.b;
  if (__builtin_expect(ey + 8 > msize || ex + 8 > msize, 0)) TRAP(kMemOOB);
  double p = fp[pc[1].s.b].f64 * load_le<double>(mbase + ey);
  fp[pc[1].s.a].f64 = p + load_le<double>(mbase + ex);
  NEXT(5);
}
L_F64MulAddMSt: {
  uint64_t ey = uint64_t(uint32_t(fp[pc[2].s.a].i32 + pc[2].s.b)) + pc[3].s.a;
  uint64_t ex = uint64_t(uint32_t(fp[pc[3].s.b].i32 + pc[4].s.a)) + pc[4].s.b;
  uint64_t es = uint64_t(uint32_t(fp[pc[5].s.a].i32 + pc[5].s.b)) + pc[6].s.a;
  if (__builtin_expect(ey + 8 > msize || ex + 8 > msize, 0)) TRAP(kMemOOB);
  double p = fp[pc[1].s.b].f64 * load_le<double>(mbase + ey);
  double r = p + load_le<double>(mbase + ex);
  if (__builtin_expect(es + 8 > msize, 0)) TRAP(kMemOOB);
  store_le<double>(mbase + es, r);
  NEXT(7);
}
L_I32Add2:
  SET_i(pc[2].s.b, fp[pc[3].s.a].i32 + fp[pc[3].s.b].i32);
  SET_i(pc[1].s.a, fp[pc[1].s.b].i32 + fp[pc[2].s.a].i32);
  NEXT(4);
#define SH_BIN_H(op, sh)                                                      \
  L_##op##sh: {                                                               \
    uint32_t x = fp[pc[1].s.b].i32;                                           \
    uint32_t y = OP_I32##sh(fp[pc[2].s.a].i32, pc[2].s.b);                    \
    SET_i(pc[1].s.a, OP_I32##op(x, y));                                       \
    NEXT(3);                                                                  \
  }
#define SH_BIN_ALL(op) \
  SH_BIN_H(op, Shl) SH_BIN_H(op, ShrS) SH_BIN_H(op, ShrU) SH_BIN_H(op, Rotl) SH_BIN_H(op, Rotr)
  SH_BIN_ALL(Xor)
  SH_BIN_ALL(Or)
  SH_BIN_ALL(Add)
  SH_BIN_ALL(And)
#undef SH_BIN_ALL
#undef SH_BIN_H
L_I32AddI2:
  SET_i(pc[1].s.a, fp[pc[1].s.b].i32 + uint32_t(pc[2].u64));
  SET_i(pc[3].s.a, fp[pc[3].s.b].i32 + uint32_t(pc[4].u64));
  NEXT(5);
L_I32ShrUAnd:
  SET_i(pc[1].s.a, OP_I32ShrU(fp[pc[1].s.b].i32, pc[2].s.a) & pc[2].s.b);
  NEXT(3);
#define F64M_H(name, opx)                                                     \
  L_##name: {                                                                 \
    uint64_t ea = uint64_t(uint32_t(fp[pc[2].s.a].i32 + pc[2].s.b)) + pc[3].s.a; \
    if (__builtin_expect(ea + 8 > msize, 0)) TRAP(kMemOOB);                   \
    double x = fp[pc[1].s.b].f64;                                             \
    double y = load_le<double>(mbase + ea);                                   \
    fp[pc[1].s.a].f64 = x opx y;                                              \
    NEXT(4);                                                                  \
  }
  F64M_H(F64AddM, +)
  F64M_H(F64SubM, -)
  F64M_H(F64MulM, *)
#undef F64M_H
#define I32M_H(op, ld, align)                                                 \
  L_##op##M_##ld: {                                                           \
    uint64_t ea = uint64_t(uint32_t(fp[pc[2].s.a].i32 + pc[2].s.b)) + pc[3].s.a; \
    if (__builtin_expect(ea + (1u << (align)) > msize, 0)) TRAP(kMemOOB);     \
    uint32_t x = fp[pc[1].s.b].i32;                                           \
    uint32_t y = LD_##ld(mbase + ea);                                         \
    SET_i(pc[1].s.a, OP_##op(x, y));                                          \
    NEXT(4);                                                                  \
  }
#define I32M_ALL(op) \
  I32M_H(op, I32Load, 2) I32M_H(op, I32Load8S, 0) I32M_H(op, I32Load8U, 0) \
  I32M_H(op, I32Load16S, 1) I32M_H(op, I32Load16U, 1)
  I32M_ALL(I32Add)
  I32M_ALL(I32Sub)
  I32M_ALL(I32Mul)
  I32M_ALL(I32And)
  I32M_ALL(I32Or)
  I32M_ALL(I32Xor)
#undef I32M_ALL
#undef I32M_H

  // ---- variables ----
L_GlobalGet:
  fp[pc[1].s.a] = inst->globals[pc[1].s.b]->value;
  NEXT(2);
L_GlobalSet:
  inst->globals[pc[1].s.a]->value = fp[pc[1].s.b];
  NEXT(2);

  // ---- memory ----
L_MemorySize:
  SET_i(pc[1].s.a, msize / kPageSize);
  NEXT(2);
L_MemoryGrow: {
  uint32_t delta = fp[pc[1].s.b].i32;
  uint32_t old = mem ? mem->grow(delta) : uint32_t(-1);
  SET_i(pc[1].s.a, old);
  RELOAD_MEM();
  NEXT(2);
}
L_MemoryFill: {
  uint64_t d = fp[pc[1].s.a].i32, n = fp[pc[2].s.a].i32;
  uint8_t v = uint8_t(fp[pc[1].s.b].i32);
  if (d + n > msize) TRAP(kMemOOB);
  std::memset(mbase + d, v, n);
  NEXT(3);
}
L_MemoryCopy: {
  uint64_t d = fp[pc[1].s.a].i32, s = fp[pc[1].s.b].i32, n = fp[pc[2].s.a].i32;
  if (d + n > msize || s + n > msize) TRAP(kMemOOB);
  std::memmove(mbase + d, mbase + s, n);
  NEXT(3);
}
L_MemoryInit: {
  uint64_t d = fp[pc[1].s.a].i32, s = fp[pc[1].s.b].i32, n = fp[pc[2].s.a].i32;
  std::span<const uint8_t> seg = inst->data_segment(pc[2].s.b);
  if (s + n > seg.size() || d + n > msize) TRAP(kMemOOB);
  if (n) std::memcpy(mbase + d, seg.data() + s, n);
  NEXT(3);
}
L_DataDrop:
  inst->drop_data(pc[1].s.a);
  NEXT(2);

  // ---- references and tables ----
L_RefIsNull:
  SET_i(pc[1].s.a, fp[pc[1].s.b].ref == 0);
  NEXT(2);
L_RefTest:
  SET_i(pc[1].s.a, ref_matches(*store, tids, fp[pc[1].s.b].ref, pc[2].s.a, pc[2].s.b));
  NEXT(3);
L_RefCast:
  if (!ref_matches(*store, tids, fp[pc[1].s.a].ref, pc[2].s.a, pc[2].s.b)) TRAP(kCastFailure);
  NEXT(3);
L_JmpIfCast:
  if (ref_matches(*store, tids, fp[pc[1].s.a].ref, pc[2].s.a, pc[2].s.b)) {
    pc = pc[3].target;
    DISPATCH;
  }
  NEXT(4);
L_JmpUnlessCast:
  if (!ref_matches(*store, tids, fp[pc[1].s.a].ref, pc[2].s.a, pc[2].s.b)) {
    pc = pc[3].target;
    DISPATCH;
  }
  NEXT(4);
L_RefFunc:
  fp[pc[1].s.a].ref = reinterpret_cast<uint64_t>(inst->func(pc[1].s.b));
  NEXT(2);
L_TableGet: {
  TableInst* t = inst->tables[pc[2].s.a];
  uint32_t i = fp[pc[1].s.b].i32;
  if (i >= t->elems.size()) TRAP(kTableOOB);
  fp[pc[1].s.a].ref = t->get(i);
  NEXT(3);
}
L_TableSet: {
  TableInst* t = inst->tables[pc[2].s.a];
  uint32_t i = fp[pc[1].s.a].i32;
  if (i >= t->elems.size()) TRAP(kTableOOB);
  t->elems[i] = fp[pc[1].s.b].ref;
  NEXT(3);
}
L_TableSize:
  SET_i(pc[1].s.a, inst->tables[pc[1].s.b]->size());
  NEXT(2);
L_TableGrow: {
  TableInst* t = inst->tables[pc[2].s.b];
  uint64_t init = fp[pc[1].s.b].ref;
  uint32_t n = fp[pc[2].s.a].i32;
  SET_i(pc[1].s.a, t->grow(n, init));
  NEXT(3);
}
L_TableFill: {
  TableInst* t = inst->tables[pc[2].s.b];
  uint64_t i = fp[pc[1].s.a].i32, n = fp[pc[2].s.a].i32;
  uint64_t v = fp[pc[1].s.b].ref;
  if (i + n > t->elems.size()) TRAP(kTableOOB);
  std::fill(t->elems.begin() + long(i), t->elems.begin() + long(i + n), v);
  NEXT(3);
}
L_TableCopy: {
  TableInst* td = inst->tables[pc[3].s.a];
  TableInst* ts = inst->tables[pc[3].s.b];
  uint64_t d = fp[pc[1].s.a].i32, s = fp[pc[1].s.b].i32, n = fp[pc[2].s.a].i32;
  if (d + n > td->elems.size() || s + n > ts->elems.size()) TRAP(kTableOOB);
  // Lazy entries name ts's owner's functions: another table gets them made.
  if (ts->lazy_owner && ts != td)
    for (uint64_t k = 0; k < n; ++k) ts->get(s + k);
  if (n) std::memmove(td->elems.data() + d, ts->elems.data() + s, n * sizeof(uint64_t));
  NEXT(4);
}
L_TableInit: {
  TableInst* t = inst->tables[pc[3].s.a];
  const std::vector<uint64_t>& seg = inst->elem_segments[pc[2].s.b];
  uint64_t d = fp[pc[1].s.a].i32, s = fp[pc[1].s.b].i32, n = fp[pc[2].s.a].i32;
  if (s + n > seg.size() || d + n > t->elems.size()) TRAP(kTableOOB);
  if (n) std::memcpy(t->elems.data() + d, seg.data() + s, n * sizeof(uint64_t));
  NEXT(4);
}
L_ElemDrop:
  inst->elem_segments[pc[1].s.a].clear();
  inst->elem_segments[pc[1].s.a].shrink_to_fit();
  NEXT(2);

  // ---- generated numeric and memory handlers ----
#define HANDLER(n)
#define HANDLER_UN(id, A_, R_)                         \
  L_##id##_r: {                                      \
    auto x = GET_##A_(pc[1].s.b);                     \
    SET_##R_(pc[1].s.a, OP_##id(x));                  \
    NEXT(2);                                         \
  }
#define HANDLER_BIN(id, A_, R_)                        \
  L_##id##_r: {                                      \
    auto x = GET_##A_(pc[1].s.b);                     \
    auto y = GET_##A_(pc[2].s.a);                     \
    SET_##R_(pc[1].s.a, OP_##id(x, y));               \
    NEXT(3);                                         \
  }                                                  \
  L_##id##_i: {                                      \
    auto x = GET_##A_(pc[1].s.b);                     \
    auto y = IMM_##A_(pc[2]);                         \
    SET_##R_(pc[1].s.a, OP_##id(x, y));               \
    NEXT(3);                                         \
  }
#define HANDLER_LOAD(id, R_, align)                                   \
  L_##id##_r: {                                                      \
    uint64_t ea = uint64_t(uint32_t(fp[pc[1].s.b].i32 + pc[2].s.a)) + pc[2].s.b; \
    if (__builtin_expect(ea + (1u << (align)) > msize, 0)) TRAP(kMemOOB); \
    SET_##R_(pc[1].s.a, LD_##id(mbase + ea));                         \
    NEXT(3);                                                         \
  }
#define HANDLER_STORE(id, V_, align)                                  \
  L_##id##_r: {                                                      \
    uint64_t ea = uint64_t(uint32_t(fp[pc[1].s.a].i32 + pc[2].s.a)) + pc[2].s.b; \
    if (__builtin_expect(ea + (1u << (align)) > msize, 0)) TRAP(kMemOOB); \
    ST_##id(mbase + ea, GET_##V_(pc[1].s.b));                         \
    NEXT(3);                                                         \
  }                                                                  \
  L_##id##_k: {                                                      \
    uint64_t ea = uint64_t(uint32_t(fp[pc[1].s.a].i32 + pc[2].s.a)) + pc[2].s.b; \
    if (__builtin_expect(ea + (1u << (align)) > msize, 0)) TRAP(kMemOOB); \
    ST_##id(mbase + ea, KV_##V_(pc[1].s.b));                          \
    NEXT(3);                                                         \
  }
#include "handlers.def"
#undef HANDLER
#undef HANDLER_UN
#undef HANDLER_BIN
#undef HANDLER_LOAD
#undef HANDLER_STORE

#include "simd_handlers.inc"

done:
  return {};
exhausted:
  return exhaustion();
trap:
  return make_error(ErrorKind::Trap, trap_msg);
trap_uninit:
  return make_error(ErrorKind::Trap, std::string(kUninitElem) + " " + std::to_string(trap_index));
fail:
  return err;
}

}  // namespace

const void* const* handler_labels() {
  static const void* const* const table = [] {
    const void* const* out = nullptr;
    (void)run(nullptr, nullptr, nullptr, nullptr, &out);
    return out;
  }();
  return table;
}

}  // namespace exec

// ---- Store::exec_state ----

namespace {
void delete_exec_state(Store::ExecState* s) { delete s; }
}  // namespace

Store::ExecState* Store::exec_state() {
  // (Re)allocate when first used, or when the limits changed while idle.
  size_t want_slots = std::max<uint32_t>(limits.value_stack_slots, 1024);
  size_t want_depth = std::max<uint32_t>(limits.max_call_depth, 1);
  if (exec_ && exec_->top == exec_->stack && exec_->fsp == exec_->frames &&
      (size_t(exec_->stack_end - exec_->stack) != want_slots ||
       size_t(exec_->frames_end - exec_->frames) != want_depth))
    exec_.reset();
  if (!exec_) {
    static_assert(sizeof(exec::Frame) % alignof(Value) == 0 && alignof(exec::Frame) >= alignof(Value));
    auto s = std::make_unique<ExecState>();
    const size_t frame_bytes = want_depth * sizeof(exec::Frame);  // limits are 32-bit: no overflow
    if (!s->mem.reserve(frame_bytes + want_slots * sizeof(Value))) return nullptr;
    s->frames = static_cast<exec::Frame*>(s->mem.data());
    s->frames_end = s->frames + want_depth;
    s->fsp = s->frames;
    s->stack = reinterpret_cast<Value*>(s->frames_end);
    s->stack_end = s->stack + want_slots;
    s->top = s->stack;
    exec_ = std::unique_ptr<ExecState, void (*)(ExecState*)>(s.release(), &delete_exec_state);
  }
  return exec_.get();
}

// ---- invoke ----

uint64_t collect_garbage(Store& store) {
  Store::ExecState* st = store.exec_state();
  return st ? exec::gc_collect(store, *st, st->fsp) : 0;
}

Result<std::vector<Value>> invoke(Store& store, FuncInst* func, std::span<const Value> args) {
  if (!func) return make_error(ErrorKind::Other, "invoke: null function");
  // args and results in the packed layout (packed.h: a v128 takes two Values)
  size_t np = exec::packed_slots(func->type->params), nr = exec::packed_slots(func->type->results);
  if (args.size() != np)
    return make_error(ErrorKind::Other, "invoke: expected " + std::to_string(np) + " arguments, got " +
                                            std::to_string(args.size()));
  Store::ExecState* state = store.exec_state();
  if (state == nullptr) return make_error(ErrorKind::Exhaustion, "out of memory: cannot map the interpreter stacks");
  Store::ExecState& st = *state;
  Value* base = st.top;
  if (base + std::max(np, nr) > st.stack_end) return exec::exhaustion();
  std::copy(args.begin(), args.end(), base);
  Value* const saved_top = st.top;
  exec::Frame* const saved_fsp = st.fsp;
  Result<void> r;
  try {
    if (func->is_host()) {
      r = exec::call_host(store, st, func, base, nullptr, st.fsp);
    } else {
      auto code = exec::code_of(func);
      if (!code) return code.error();
      st.top = base + (*code)->frame_size;
      r = exec::run(&store, func, *code, base, nullptr);
      st.top = saved_top;
    }
  } catch (const std::bad_alloc&) {
    // A host function, the lazy compiler or the canonical ABI ran out of
    // memory somewhere inside this call: the call fails, the store lives.
    st.top = saved_top;
    st.fsp = saved_fsp;
    return make_error(ErrorKind::Exhaustion, "out of memory");
  } catch (const std::length_error&) {
    st.top = saved_top;
    st.fsp = saved_fsp;
    return make_error(ErrorKind::Exhaustion, "out of memory");
  }
  if (!r) return r.error();
  return std::vector<Value>(base, base + nr);
}

}  // namespace wippy
