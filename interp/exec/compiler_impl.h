// compiler_impl.h — private to interp/exec/compiler*.cpp: the Compiler
// class that translates one validated function body to threaded code, and
// the compile-time types it works on. Its member functions are defined by
// concern across compiler.cpp (entry point, function setup, GC stack maps,
// the per-instruction dispatch), compiler_stack.cpp (emission primitives,
// operand stack and locals), compiler_control.cpp (blocks, branches and
// compare-and-branch fusion), compiler_fusion.cpp (numeric instructions and
// their superinstructions), compiler_memory.cpp (loads, stores, store and
// copy runs) and compiler_gc_simd.cpp (struct/array and SIMD). The
// exception-handling and multi-memory members come from compile_eh.inc and
// compile_multi_memory.inc, included in the class body.
//
// The wasm operand stack is modelled at compile time: every stack position p
// has a home slot (params + locals + p) in the frame, and an entry is either
// in its home slot, a reference to a local (local.get copies nothing), or a
// constant (consumed as an immediate where a handler variant takes one).
// Instructions name their operand and result slots, results of the last
// instruction can be retargeted straight into a local (x; local.set L), and
// i32 compares / eqz feeding br_if or if fuse into one compare-and-branch.
// Block arities, stack heights and branch targets are resolved here, so the
// run-time loop never searches a control stack.
#pragma once

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "code.h"
#include "gc_roots.h"
#include "packed.h"
#include "interp/reader.h"
#include "interp/runtime/gc_heap.h"
#include "interp/validate/func_validator.h"

namespace wippy::exec::compile_detail {

inline constexpr uint32_t kNone = UINT32_MAX;

// Op -> handler ids of its slot (_r) and immediate (_i; stores: _k) variants.
struct OpHandlers {
  H r = H::Count_;
  H i = H::Count_;
};
using OpMap = std::array<OpHandlers, kOpCount>;
const OpMap& op_map();

// i32 comparisons that fuse with a branch: index into the Br<cond> groups.
enum Cond : uint8_t { CEq, CNe, CLtS, CLtU, CGtS, CGtU, CLeS, CLeU, CGeS, CGeU, CNone };

Cond cond_of(Op op);
Cond negate(Cond c);
// Branch handler for a condition: variant 0 = rr, 1 = ri, 2 = rrChk, 3 = riChk.
H cond_branch(Cond c, bool imm, bool chk);
// Add + compare + branch handler: variant 0 = AddBr_ri, 1 = AddBr_rr, 2 = AddRBr_rr.
H add_branch(Cond c, int variant, bool chk);
// The condition with its operands swapped (a <c> b == b <c'> a).
Cond swap_operands(Cond c);
// Comparison with swapped operands (a op b == b op' a), for constants on the left.
std::optional<Op> swapped(Op op);

// Home: in its home slot; Local: a local's slot; Const: an immediate;
// AddImm: i32 (slot + imm) not yet computed (folded into memory accesses).
enum class EntryKind : uint8_t { Home, Local, Const, AddImm };
struct Entry {
  EntryKind kind = EntryKind::Home;
  uint32_t slot = 0;  // Home: home slot; Local: local slot; AddImm: base slot
  uint64_t imm = 0;   // Const; AddImm: the 32-bit addend
};

enum class CtrlKind : uint8_t { Func, Block, Loop, If };
struct Ctrl {
  CtrlKind kind = CtrlKind::Block;
  uint32_t height = 0;  // operand stack height below the params
  uint32_t nparams = 0, nresults = 0;
  uint32_t loop_pc = 0;              // Loop: header
  std::vector<uint32_t> fixups;      // words to patch with the end address
  uint32_t else_fixup = kNone;       // If: the jump to the else arm
  // exception handling (compile_eh.inc): 1 try_table, 2 legacy try body,
  // 3 legacy catch arm; its handler; catch clauses that continue at this
  // label's end (handler, clause); the arm's exnref slot; rethrow seen
  uint8_t eh = 0;
  uint32_t eh_handler = 0;
  std::vector<std::pair<uint32_t, uint32_t>> clause_fixups;
  uint32_t exn_slot = 0;
  bool rethrown = false;
};

struct Move {
  uint32_t dst;
  Entry src;
};

// What the last emitted instruction was, for folding into its successor.
struct Last {
  size_t start = 0, end = SIZE_MAX;  // [start, end) words; end == code size if still last
  uint32_t dst_word = 0;             // word whose .s.a is the result slot
  Op op = Op::Nop;
  bool imm = false;                  // second operand was an immediate
  uint32_t a = 0, b = 0;             // operand slot / immediate (i32 compares, eqz)
  uint32_t add = 0, off = 0;         // loads: address addend and offset (a = base slot)
  H fused = H::Count_;               // superinstruction kind, when it is one
  bool retargeted = false;           // its result went straight into a local
                                     // (no longer foldable as a producer)
};

// A store or copy that may grow into a run (same handler, same base slots).
struct Run {
  size_t start = 0, end = SIZE_MAX;  // [start, end); end == code size if still last
  H single = H::Count_;              // the single-instruction handler
  uint32_t a = 0, b = 0;             // base slot(s) / value slot
  bool is_run = false;               // already converted to the run form
};

bool dump_enabled();
void dump(const CompiledFunc& f);

class Compiler {
 public:
  Compiler(const Module& m, uint32_t def_index, bool wide, bool gc_maps)
      : m_(m), body_(m.codes[def_index]), type_(m.types[m.funcs[def_index]]), labels_(handler_labels()),
        def_index_(def_index), wide_(wide), gc_maps_(gc_maps) {}

  // Whether the function must be compiled wide: its signature or locals
  // hold a v128 (known before compiling), or run() met a SIMD instruction.
  bool needs_wide() const {
    if (need_wide_ || has_v128(type_.params) || has_v128(type_.results)) return true;
    for (const LocalDecl& d : body_.locals)
      if (d.type == ValType::V128) return true;
    return false;
  }

  Result<std::unique_ptr<CompiledFunc>> run();

 private:
  const Module& m_;
  const FuncBody& body_;
  const FuncType& type_;
  const void* const* labels_;
  uint32_t def_index_;
  CodeWords code_;
  // Code indices of the jump-target words and of the handler words (each
  // instruction's first), ascending: CompiledFunc::targets and ::starts.
  std::vector<uint32_t> label_refs_;
  std::vector<uint32_t> starts_;
  std::vector<Entry> stk_;
  std::vector<Ctrl> ctl_;
  uint32_t nparams_ = 0, nlocals_ = 0, max_height_ = 0;  // nlocals_: params + declared locals
  // Wide functions (any v128 value) give every local and stack position two
  // slots (16 bytes): position p lives at 2 * p and moves copy 16 bytes.
  // Calls still pass params and results packed (packed.h).
  bool wide_ = false;
  bool need_wide_ = false;  // narrow compile met a v128: compile again wide
  // GC stack maps (gc_roots.h): the operand types come from a validator
  // stepped along with the compiler (ref.func is valid anywhere: the body
  // was validated).
  bool gc_maps_ = false;
  std::vector<uint8_t> all_declared_;
  std::unique_ptr<FuncValidator> types_;
  std::unique_ptr<GcStackMap> gc_map_;
  bool unreachable_ = false;
  uint32_t skip_depth_ = 0;
  Last last_;
  Last prev_;                 // the instruction before last_ (if adjacent)
  Run run_;
  size_t addi_start_ = SIZE_MAX, addi_end_ = SIZE_MAX;  // last emitted I32Add_i / I32AddI2
  size_t mov_start_ = SIZE_MAX, mov_end_ = SIZE_MAX;    // last emitted Mov / MovN
  uint32_t last_label_ = 0;   // highest code index some jump may target
#include "compile_eh.inc"

  // ---- GC stack maps (compiler.cpp) ----
  Result<void> begin_gc_map();
  Error gc_map_error() const {
    return make_error(ErrorKind::Other, "internal error: GC stack map out of step in function " +
                                            std::to_string(m_.num_imported_funcs() + def_index_));
  }
  void gc_safepoint(uint32_t key, uint32_t height);
  // After a call's handler and operands: its safepoint, the params popped and
  // the results pushed in their homes (unpacked in a wide function).
  void end_call(const FuncType& ft, uint32_t base);

  // ---- emission (compiler_stack.cpp) ----
  uint32_t here() const { return uint32_t(code_.size()); }
  // The word that starts an instruction: handler `id`'s label.
  void emit_handler(H id) {
    starts_.push_back(here());
    Word w;
    w.h = labels_[size_t(id)];
    code_.push_back(w);
  }
  static Word pair(uint32_t a, uint32_t b) {
    Word w;
    w.s.a = a;
    w.s.b = b;
    return w;
  }
  // An operand word of two 32-bit halves (slots or small immediates).
  void emit_slots(uint32_t a, uint32_t b) { code_.push_back(pair(a, b)); }
  // A 64-bit operand word (an immediate, or a code index to patch into a target).
  void emit_word(uint64_t v) {
    Word w;
    w.u64 = v;
    code_.push_back(w);
  }
  // A jump-target word pointing at code index `idx` (patched later if forward).
  uint32_t target(uint32_t idx) {
    label_refs_.push_back(here());
    emit_word(idx);
    return here() - 1;
  }
  // Drops the code from index `n` on (instructions being fused or undone).
  void truncate(size_t n) {
    code_.resize(n);
    while (!starts_.empty() && starts_.back() >= n) starts_.pop_back();
    while (!label_refs_.empty() && label_refs_.back() >= n) label_refs_.pop_back();
  }
  void patch(uint32_t pos, uint32_t idx) {
    code_[pos].u64 = idx;
    last_label_ = std::max(last_label_, idx);
  }
  // No jump target lies in (start, here]: code from start on runs straight.
  bool straight_from(size_t start) const { return last_label_ <= start; }
  void emit_mov(uint32_t dst, uint32_t src);
  void emit_addi(uint32_t dst, uint32_t src, uint32_t imm);
  // Marks the instruction [start, here) as a foldable producer of slot in word dst_word.
  void produced(size_t start, uint32_t dst_word, Op op = Op::Nop, bool imm = false, uint32_t a = 0,
                uint32_t b = 0) {
    prev_ = last_.end == start ? last_ : Last{};
    last_ = Last{start, code_.size(), dst_word, op, imm, a, b};
  }

  // ---- operand stack (compiler_stack.cpp) ----
  uint32_t slots_per_value() const { return wide_ ? 2 : 1; }  // 2 in wide functions
  uint32_t home(uint32_t p) const { return slots_per_value() * (nlocals_ + p); }
  uint32_t local_slot(uint32_t local) const { return slots_per_value() * local; }
  // One packed value moved between a packed and a wide position.
  void emit_mov_typed(ValType t, uint32_t dst, uint32_t src) {
    if (dst == src) return;
    emit_handler(t == ValType::V128 ? H::MovW : H::Mov);
    emit_slots(dst, src);
    mov_end_ = SIZE_MAX;
  }
  // Values of types `ts` at packed positions from `base` -> wide positions
  // (base + 2 i); backwards, so no source is overwritten before it is read.
  void unpack(const std::vector<ValType>& ts, uint32_t base) {
    std::vector<uint32_t> off = packed_offsets(ts);
    for (size_t i = ts.size(); i-- > 0;) emit_mov_typed(ts[i], base + 2 * uint32_t(i), base + off[i]);
  }
  // The reverse: wide positions -> packed, forwards.
  void pack(const std::vector<ValType>& ts, uint32_t base) {
    std::vector<uint32_t> off = packed_offsets(ts);
    for (size_t i = 0; i < ts.size(); ++i) emit_mov_typed(ts[i], base + off[i], base + 2 * uint32_t(i));
  }
  uint32_t stack_height() const { return uint32_t(stk_.size()); }
  void note_height(uint32_t h) { max_height_ = std::max(max_height_, h); }
  uint32_t push_home() {
    uint32_t p = stack_height();
    stk_.push_back(Entry{EntryKind::Home, home(p), 0});
    note_height(p + 1);
    return home(p);
  }
  void push_const(uint64_t v) {
    stk_.push_back(Entry{EntryKind::Const, 0, v});
    note_height(stack_height());
  }
  void pop(uint32_t n = 1) { stk_.resize(stk_.size() - n); }
  void materialize(uint32_t p);
  // Slot holding stack position p (constants are materialized).
  uint32_t slot(uint32_t p) {
    if (stk_[p].kind == EntryKind::Const || stk_[p].kind == EntryKind::AddImm) materialize(p);
    return stk_[p].slot;
  }
  static bool refers(const Entry& e, uint32_t local) {
    return (e.kind == EntryKind::Local || e.kind == EntryKind::AddImm) && e.slot == local;
  }
  bool is_last(const Entry& e) const {
    return last_.end == code_.size() && !last_.retargeted && e.kind == EntryKind::Home &&
           code_[last_.dst_word].s.a == e.slot;
  }

  void emit_moves(std::vector<Move> mv);
  void move_top_to(uint32_t n, uint32_t dst0);
  bool top_in_place(uint32_t n, uint32_t dst0) const;

  // ---- control (compiler_control.cpp) ----
  void block_type(const BlockType& bt, uint32_t& np, uint32_t& nr) const;
  // Block entry: params in their home slots, no entry left referring to a
  // local (a local.set inside the block may run on only some paths).
  void enter_block(uint32_t np) {
    for (uint32_t p = 0; p < stack_height(); ++p)
      if (stk_[p].kind == EntryKind::Local || stk_[p].kind == EntryKind::AddImm || p >= stack_height() - np)
        materialize(p);
  }
  uint32_t arity(const Ctrl& c) const { return c.kind == CtrlKind::Loop ? c.nparams : c.nresults; }
  uint32_t dest(const Ctrl& c) const { return home(c.height); }

  void emit_return() {
    move_top_to(uint32_t(type_.results.size()), 0);
    if (wide_) pack(type_.results, 0);
    emit_handler(H::Return);
  }
  void emit_tail_call(const Instr& in);
  void emit_typed_ref(const Instr& in);
  void emit_jump(Ctrl& c);
  void emit_branch(uint32_t l);
  uint32_t emit_cond_jump(const Entry& c, uint32_t p, bool when, uint32_t back_pc);

  // ---- per-instruction dispatch (compiler.cpp) ----
  Result<void> step(const Instr& in);

  Result<void> step_plain(const Instr& in, const OpInfo& info);

#include "compile_multi_memory.inc"

  // ---- struct.* / array.* and SIMD (compiler_gc_simd.cpp) ----
  static bool gc_moves_v128(const Instr& in, const GcLayout& l);

  Result<void> emit_gc_object(const Instr& in);

  // The heap type a cast tests, for ref_matches() (interp.cpp): a type index
  // of a function type as kHeapTypeBase + index, one of a struct or array
  // type as that with kCastGcType set, an abstract one as is.
  uint32_t cast_heap(uint32_t reftype) const {
    uint32_t heap = ref_heap(ValType(reftype));
    if (heap >= kHeapTypeBase && !m_.is_func_type(heap - kHeapTypeBase)) return heap | kCastGcType;
    return heap;
  }
  // A narrow compile met a v128 value: stop, compile_function starts over wide.
  Result<void> go_wide() {
    need_wide_ = true;
    return {};
  }
  static H simd_handler(Op op);
  uint32_t addr_operand(uint32_t p, uint32_t& add);
  Result<void> simd(const Instr& in, const OpInfo& info);
  // ---- numeric instructions and superinstructions (compiler_fusion.cpp) ----
  static H simd_load_fused(Op op);
  bool load_operand(Op op);

  static int sh_index(Op op);
  static int sh_bin_group(Op op);

  static int ld_index(Op op);
  static H ld_bin_group(Op op);

  // For a binary op on stack positions p, p + 1: the position holding the
  // result of the instruction just emitted, when `accepts` that instruction
  // and the other operand is a plain slot (position p only when the op
  // commutes); kNone otherwise.
  template <class Pred>
  uint32_t last_operand(uint32_t p, bool commutes, Pred accepts) const {
    auto plain_slot = [&](uint32_t q) { return stk_[q].kind == EntryKind::Local || stk_[q].kind == EntryKind::Home; };
    auto fusable = [&](uint32_t q) { return is_last(stk_[q]) && accepts(last_) && straight_from(last_.start); };
    if (fusable(p + 1) && plain_slot(p)) return p + 1;
    if (commutes && fusable(p) && plain_slot(p + 1)) return p;
    return kNone;
  }
  void fuse_binary(Op op, uint32_t p, uint32_t q, H fh, std::initializer_list<Word> tail);

  Result<void> plain(Op op, const OpInfo& info);

  // ---- memory accesses and store / copy runs (compiler_memory.cpp) ----
  static H run_of(H single);
  bool extend_run(H single, uint32_t a, uint32_t b);
  void end_run();

  Result<void> memop(const Instr& in, const OpInfo& info);
};

}  // namespace wippy::exec::compile_detail
