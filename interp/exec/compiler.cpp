// compiler.cpp — translates one validated function body to threaded code.
// The wasm operand stack is modelled at compile time: every stack position p
// has a home slot (params + locals + p) in the frame, and an entry is either
// in its home slot, a reference to a local (local.get copies nothing), or a
// constant (consumed as an immediate where a handler variant takes one).
// Instructions name their operand and result slots, results of the last
// instruction can be retargeted straight into a local (x; local.set L), and
// i32 compares / eqz feeding br_if or if fuse into one compare-and-branch.
// Block arities, stack heights and branch targets are resolved here, so the
// run-time loop never searches a control stack.
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

namespace wippy::exec {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Op -> handler ids of its slot (_r) and immediate (_i; stores: _k) variants.
struct OpHandlers {
  H r = H::Count_;
  H i = H::Count_;
};
using OpMap = std::array<OpHandlers, kOpCount>;

const OpMap& op_map() {
  static const OpMap map = [] {
    OpMap m;
    for (OpHandlers& e : m) e = OpHandlers{H::Count_, H::Count_};
#define HANDLER(n)
#define HANDLER_UN(id, A_, R_) m[size_t(Op::id)].r = H::id##_r;
#define HANDLER_BIN(id, A_, R_) m[size_t(Op::id)].r = H::id##_r; m[size_t(Op::id)].i = H::id##_i;
#define HANDLER_LOAD(id, R_, align) m[size_t(Op::id)].r = H::id##_r;
#define HANDLER_STORE(id, V_, align) m[size_t(Op::id)].r = H::id##_r; m[size_t(Op::id)].i = H::id##_k;
#include "handlers.def"
#undef HANDLER
#undef HANDLER_UN
#undef HANDLER_BIN
#undef HANDLER_LOAD
#undef HANDLER_STORE
    return m;
  }();
  return map;
}

// i32 comparisons that fuse with a branch: index into the Br<cond> groups.
enum Cond : uint8_t { CEq, CNe, CLtS, CLtU, CGtS, CGtU, CLeS, CLeU, CGeS, CGeU, CNone };

Cond cond_of(Op op) {
  switch (op) {
    case Op::I32Eq: return CEq;
    case Op::I32Ne: return CNe;
    case Op::I32LtS: return CLtS;
    case Op::I32LtU: return CLtU;
    case Op::I32GtS: return CGtS;
    case Op::I32GtU: return CGtU;
    case Op::I32LeS: return CLeS;
    case Op::I32LeU: return CLeU;
    case Op::I32GeS: return CGeS;
    case Op::I32GeU: return CGeU;
    default: return CNone;
  }
}
Cond negate(Cond c) {
  static constexpr Cond n[] = {CNe, CEq, CGeS, CGeU, CLeS, CLeU, CGtS, CGtU, CLtS, CLtU};
  return n[c];
}
// Branch handler for a condition: variant 0 = rr, 1 = ri, 2 = rrChk, 3 = riChk.
H cond_branch(Cond c, bool imm, bool chk) {
  return H(uint16_t(H::BrEq_rr) + 4 * c + (imm ? 1 : 0) + (chk ? 2 : 0));
}
// Add + compare + branch handler: variant 0 = AddBr_ri, 1 = AddBr_rr, 2 = AddRBr_rr.
H add_branch(Cond c, int variant, bool chk) {
  return H(uint16_t(H::AddBrEq_ri) + 6 * c + 2 * variant + (chk ? 1 : 0));
}
// The condition with its operands swapped (a <c> b == b <c'> a).
Cond swap_operands(Cond c) {
  static constexpr Cond s[] = {CEq, CNe, CGtS, CGtU, CLtS, CLtU, CGeS, CGeU, CLeS, CLeU};
  return s[c];
}
// Comparison with swapped operands (a op b == b op' a), for constants on the left.
std::optional<Op> swapped(Op op) {
  switch (op) {
    case Op::I32Eq: case Op::I32Ne: case Op::I64Eq: case Op::I64Ne:
    case Op::I32Add: case Op::I32Mul: case Op::I32And: case Op::I32Or: case Op::I32Xor:
    case Op::I64Add: case Op::I64Mul: case Op::I64And: case Op::I64Or: case Op::I64Xor:
      return op;
    case Op::I32LtS: return Op::I32GtS;
    case Op::I32LtU: return Op::I32GtU;
    case Op::I32GtS: return Op::I32LtS;
    case Op::I32GtU: return Op::I32LtU;
    case Op::I32LeS: return Op::I32GeS;
    case Op::I32LeU: return Op::I32GeU;
    case Op::I32GeS: return Op::I32LeS;
    case Op::I32GeU: return Op::I32LeU;
    case Op::I64LtS: return Op::I64GtS;
    case Op::I64LtU: return Op::I64GtU;
    case Op::I64GtS: return Op::I64LtS;
    case Op::I64GtU: return Op::I64LtU;
    case Op::I64LeS: return Op::I64GeS;
    case Op::I64LeU: return Op::I64GeU;
    case Op::I64GeS: return Op::I64LeS;
    case Op::I64GeU: return Op::I64LeU;
    default: return std::nullopt;
  }
}

// Home: in its home slot; Local: a local's slot; Const: an immediate;
// AddImm: i32 (slot + imm) not yet computed (folded into memory accesses).
enum class EK : uint8_t { Home, Local, Const, AddImm };
struct Entry {
  EK kind = EK::Home;
  uint32_t slot = 0;  // Home: home slot; Local: local slot; AddImm: base slot
  uint64_t imm = 0;   // Const; AddImm: the 32-bit addend
};

enum class CK : uint8_t { Func, Block, Loop, If };
struct Ctrl {
  CK kind = CK::Block;
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

  Result<std::unique_ptr<CompiledFunc>> run() {
    nparams_ = uint32_t(type_.params.size());
    nl_ = nparams_ + body_.num_locals;
    if (wide_) unpack(type_.params, 0);
    Ctrl f;
    f.kind = CK::Func;
    f.nresults = uint32_t(type_.results.size());
    ctl_.push_back(std::move(f));
    if (gc_maps_)
      if (auto b = begin_gc_map(); !b) return b.error();
    Reader r(m_.span(body_.code_begin, body_.code_end), body_.code_begin);
    Instr in;
    while (!ctl_.empty()) {
      if (!read_instr(r, in)) return make_error(ErrorKind::Malformed, r.error());
      if (types_ && !unreachable_ && types_->operands().size() != sp()) return gc_map_error();
      if (auto e = step(in); !e.ok()) return e.error();
      if (need_wide_) return std::unique_ptr<CompiledFunc>();
      if (types_ && !types_->next(in)) return gc_map_error();
    }
    for (uint32_t pos : label_refs_) code_[pos].target = code_.data() + code_[pos].u64;
    auto out = std::make_unique<CompiledFunc>();
    // wide: params arrive packed (packed_slots), locals live at 2 * index
    uint32_t np_slots = wide_ ? packed_slots(type_.params) : nparams_;
    out->nparams = np_slots;
    out->nlocals = wide_ ? 2 * nl_ - np_slots : body_.num_locals;
    out->nresults = uint32_t(type_.results.size());
    out->frame_size = st() * (nl_ + max_height_ + 2);
    // room to zero up to kZeroFast locals with fixed-size stores on entry
    out->frame_size = std::max(out->frame_size, np_slots + kZeroFast);
    out->code = std::move(code_);
    out->handlers = std::move(handlers_);
    if (gc_map_) {
      gc_map_->starts.push_back(uint32_t(gc_map_->slots.size()));
      if (!std::is_sorted(gc_map_->keys.begin(), gc_map_->keys.end()) ||
          std::adjacent_find(gc_map_->keys.begin(), gc_map_->keys.end()) != gc_map_->keys.end())
        return gc_map_error();
      out->gc_map = std::move(gc_map_);
    }
    if (dump_enabled()) dump(*out);
    return out;
  }

 private:
  const Module& m_;
  const FuncBody& body_;
  const FuncType& type_;
  const void* const* labels_;
  uint32_t def_index_;
  std::vector<Word> code_;
  std::vector<uint32_t> label_refs_;
  std::vector<Entry> stk_;
  std::vector<Ctrl> ctl_;
  uint32_t nparams_ = 0, nl_ = 0, max_height_ = 0;
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

  // ---- GC stack maps ----
  Result<void> begin_gc_map() {
    all_declared_.assign(m_.num_funcs(), 1);
    types_ = std::make_unique<FuncValidator>(m_, all_declared_);
    if (auto b = types_->begin(m_.num_imported_funcs() + def_index_, body_); !b) return b.error();
    gc_map_ = std::make_unique<GcStackMap>();
    uint32_t i = 0;
    for (ValType t : type_.params) {
      if (holds_gc_refs(m_, t)) gc_map_->locals.push_back(lslot(i));
      ++i;
    }
    for (const LocalDecl& d : body_.locals) {
      const bool gc = holds_gc_refs(m_, d.type);
      for (uint32_t k = 0; k < d.count; ++k, ++i)
        if (gc) gc_map_->locals.push_back(lslot(i));
    }
    return {};
  }
  Error gc_map_error() const {
    return make_error(ErrorKind::Other, "internal error: GC stack map out of step in function " +
                                            std::to_string(m_.num_imported_funcs() + def_index_));
  }
  // A safepoint at code index `key` (gc_roots.h): the operand stack
  // positions below `height` that hold a GC-capable reference in their home
  // slot (an entry naming a local is covered by the local's slot, and a
  // constant is never an object). Called before the instruction's operands
  // are popped, while the validator still holds their types.
  void gc_safepoint(uint32_t key, uint32_t height) {
    if (!gc_map_) return;
    std::span<const ValType> types = types_->operands();
    gc_map_->keys.push_back(key);
    gc_map_->starts.push_back(uint32_t(gc_map_->slots.size()));
    for (uint32_t p = 0; p < height && p < types.size(); ++p)
      if (stk_[p].kind == EK::Home && holds_gc_refs(m_, types[p])) gc_map_->slots.push_back(stk_[p].slot);
  }

  // ---- emission ----
  uint32_t here() const { return uint32_t(code_.size()); }
  void h(H id) {
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
  void ss(uint32_t a, uint32_t b) { code_.push_back(pair(a, b)); }
  void u(uint64_t v) {
    Word w;
    w.u64 = v;
    code_.push_back(w);
  }
  // A jump-target word pointing at code index `idx` (patched later if forward).
  uint32_t target(uint32_t idx) {
    label_refs_.push_back(here());
    u(idx);
    return here() - 1;
  }
  void patch(uint32_t pos, uint32_t idx) {
    code_[pos].u64 = idx;
    last_label_ = std::max(last_label_, idx);
  }
  // No jump target lies in (start, here]: code from start on runs straight.
  bool straight_from(size_t start) const { return last_label_ <= start; }
  // A move; consecutive moves with no jump target between them share one
  // dispatch (Mov2..Mov4 run their moves in order; in wide functions the
  // 16-byte MovW2..MovW4).
  void emit_mov(uint32_t dst, uint32_t src) {
    if (mov_end_ == code_.size() && straight_from(mov_start_)) {
      const void* cur = code_[mov_start_].h;
      auto is = [&](H id) { return cur == labels_[size_t(id)]; };
      H next = is(H::Mov) ? H::Mov2 : is(H::Mov2) ? H::Mov3 : is(H::Mov3) ? H::Mov4
               : is(H::MovW) ? H::MovW2 : is(H::MovW2) ? H::MovW3 : is(H::MovW3) ? H::MovW4
               : H::Count_;
      if (next != H::Count_) {
        code_[mov_start_].h = labels_[size_t(next)];
        ss(dst, src);
        mov_end_ = code_.size();
        return;
      }
    }
    mov_start_ = code_.size();
    h(wide_ ? H::MovW : H::Mov);
    ss(dst, src);
    mov_end_ = code_.size();
  }
  void emit_addi(uint32_t dst, uint32_t src, uint32_t imm) {
    if (addi_end_ == code_.size() && straight_from(addi_start_) &&
        code_[addi_start_].h == labels_[size_t(H::I32Add_i)]) {
      // right after another add-immediate: one dispatch for both
      code_[addi_start_].h = labels_[size_t(H::I32AddI2)];
      ss(dst, src);
      u(imm);
      addi_end_ = code_.size();
      return;
    }
    addi_start_ = code_.size();
    h(H::I32Add_i);
    ss(dst, src);
    u(imm);
    addi_end_ = code_.size();
  }
  // Marks the instruction [start, here) as a foldable producer of slot in word dst_word.
  void produced(size_t start, uint32_t dst_word, Op op = Op::Nop, bool imm = false, uint32_t a = 0,
                uint32_t b = 0) {
    prev_ = last_.end == start ? last_ : Last{};
    last_ = Last{start, code_.size(), dst_word, op, imm, a, b};
  }

  // ---- operand stack ----
  uint32_t st() const { return wide_ ? 2 : 1; }  // slots per value
  uint32_t home(uint32_t p) const { return st() * (nl_ + p); }
  uint32_t lslot(uint32_t local) const { return st() * local; }
  // One packed value moved between a packed and a wide position.
  void emit_mov_typed(ValType t, uint32_t dst, uint32_t src) {
    if (dst == src) return;
    h(t == ValType::V128 ? H::MovW : H::Mov);
    ss(dst, src);
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
  uint32_t sp() const { return uint32_t(stk_.size()); }
  void note_height(uint32_t h) { max_height_ = std::max(max_height_, h); }
  uint32_t push_home() {
    uint32_t p = sp();
    stk_.push_back(Entry{EK::Home, home(p), 0});
    note_height(p + 1);
    return home(p);
  }
  void push_const(uint64_t v) {
    stk_.push_back(Entry{EK::Const, 0, v});
    note_height(sp());
  }
  void pop(uint32_t n = 1) { stk_.resize(stk_.size() - n); }
  void materialize(uint32_t p) {
    Entry& e = stk_[p];
    if (e.kind == EK::Home) return;
    if (e.kind == EK::Const) {
      h(H::Const);
      ss(home(p), 0);
      u(e.imm);
    } else if (e.kind == EK::AddImm) {
      emit_addi(home(p), e.slot, uint32_t(e.imm));
    } else {
      emit_mov(home(p), e.slot);
    }
    e = Entry{EK::Home, home(p), 0};
  }
  // Slot holding stack position p (constants are materialized).
  uint32_t slot(uint32_t p) {
    if (stk_[p].kind == EK::Const || stk_[p].kind == EK::AddImm) materialize(p);
    return stk_[p].slot;
  }
  static bool refers(const Entry& e, uint32_t local) {
    return (e.kind == EK::Local || e.kind == EK::AddImm) && e.slot == local;
  }
  bool is_last(const Entry& e) const {
    return last_.end == code_.size() && !last_.retargeted && e.kind == EK::Home &&
           code_[last_.dst_word].s.a == e.slot;
  }

  // Parallel move (handles overlaps and cycles through a scratch slot).
  void emit_moves(std::vector<Move> mv) {
    std::vector<Move> consts;
    std::vector<Move> pend;
    for (auto& m : mv) {
      if (m.src.kind == EK::Const)
        consts.push_back(m);
      else if (m.src.slot != m.dst)
        pend.push_back(m);
    }
    uint32_t scratch = home(sp());
    note_height(sp() + 1);
    while (!pend.empty()) {
      bool progress = false;
      for (size_t i = 0; i < pend.size(); ++i) {
        bool read = false;
        for (size_t j = 0; j < pend.size(); ++j)
          if (j != i && pend[j].src.slot == pend[i].dst) read = true;
        if (!read) {
          emit_mov(pend[i].dst, pend[i].src.slot);
          pend.erase(pend.begin() + long(i));
          progress = true;
          break;
        }
      }
      if (!progress) {
        uint32_t d = pend[0].dst;
        emit_mov(scratch, d);
        for (auto& m : pend)
          if (m.src.slot == d) m.src.slot = scratch;
      }
    }
    for (auto& m : consts) {
      h(H::Const);
      ss(m.dst, 0);
      u(m.src.imm);
    }
  }
  // Moves the top n entries to consecutive slots starting at dst0.
  void move_top_to(uint32_t n, uint32_t dst0) {
    // Branch paths must not change the compile-time stack (the fall-through
    // path did not run this code): deferred adds are computed into their
    // own home slots (read by nothing else) without updating the entries.
    if (n == 1 && is_last(stk_[sp() - 1]) && stk_[sp() - 1].slot != dst0) {
      // Only on unconditional paths (return, br, else, end): is_last fails
      // once a conditional jump has been emitted after the producer. The
      // producer writes its destination after reading its operands.
      code_[last_.dst_word].s.a = dst0;
      last_.retargeted = true;
      return;
    }
    std::vector<Move> mv;
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t q = sp() - n + i;
      Entry e = stk_[q];
      if (e.kind == EK::AddImm) {
        emit_addi(home(q), e.slot, uint32_t(e.imm));
        e = Entry{EK::Home, home(q), 0};
      }
      mv.push_back(Move{dst0 + st() * i, e});
    }
    emit_moves(std::move(mv));
  }
  bool top_in_place(uint32_t n, uint32_t dst0) const {
    for (uint32_t i = 0; i < n; ++i) {
      const Entry& e = stk_[sp() - n + i];
      if (e.kind != EK::Home || e.slot != dst0 + st() * i) return false;
    }
    return true;
  }

  // ---- control ----
  void block_type(const BlockType& bt, uint32_t& np, uint32_t& nr) const {
    np = nr = 0;
    if (bt.kind == BlockType::Value) nr = 1;
    if (bt.kind == BlockType::TypeIndex) {
      np = uint32_t(m_.types[bt.type_index].params.size());
      nr = uint32_t(m_.types[bt.type_index].results.size());
    }
  }
  // Block entry: params in their home slots, no entry left referring to a
  // local (a local.set inside the block may run on only some paths).
  void enter_block(uint32_t np) {
    for (uint32_t p = 0; p < sp(); ++p)
      if (stk_[p].kind == EK::Local || stk_[p].kind == EK::AddImm || p >= sp() - np) materialize(p);
  }
  uint32_t arity(const Ctrl& c) const { return c.kind == CK::Loop ? c.nparams : c.nresults; }
  uint32_t dest(const Ctrl& c) const { return home(c.height); }

  void emit_return() {
    move_top_to(uint32_t(type_.results.size()), 0);
    if (wide_) pack(type_.results, 0);
    h(H::Return);
  }
  // return_call / return_call_indirect / return_call_ref: arguments in
  // their home slots, then the handler (tail_call.inc) moves them to slot 0
  // and enters the callee.
  void emit_tail_call(const Instr& in) {
    bool indirect = in.op == Op::ReturnCallIndirect, by_ref = in.op == Op::ReturnCallRef;
    const FuncType& ft = indirect || by_ref ? m_.types[in.a] : m_.func_type(in.a);
    uint32_t np = uint32_t(ft.params.size());
    uint32_t e = 0;
    if (indirect || by_ref) {
      e = slot(sp() - 1);
      pop();
    }
    uint32_t base = sp() - np;
    for (uint32_t p = base; p < sp(); ++p) materialize(p);
    h(indirect ? H::ReturnCallIndirect : by_ref ? H::ReturnCallRef : H::ReturnCall);
    ss(in.a, home(base));
    if (indirect || by_ref) ss(indirect ? in.b : e, e);
    ss(np, 0);
    pop(np);
    unreachable_ = true;
    last_.end = SIZE_MAX;
  }
  // call_ref, ref.as_non_null, br_on_null, br_on_non_null (handlers in
  // typed_ref.inc). The branches test the reference and skip a full branch.
  void emit_typed_ref(const Instr& in) {
    switch (in.op) {
      case Op::CallRef: {
        const FuncType& ft = m_.types[in.a];
        uint32_t np = uint32_t(ft.params.size()), nr = uint32_t(ft.results.size());
        uint32_t r = slot(sp() - 1);
        pop();
        uint32_t base = sp() - np;
        for (uint32_t p = base; p < sp(); ++p) materialize(p);
        h(H::CallRef);
        ss(in.a, home(base));
        ss(r, 0);
        gc_safepoint(here(), base);
        pop(np);
        for (uint32_t i = 0; i < nr; ++i) push_home();
        break;
      }
      case Op::RefAsNonNull: {
        uint32_t r = slot(sp() - 1);  // before h(): a constant operand is moved to a slot first
        h(H::RefAsNonNull);
        ss(r, 0);
        break;
      }
      case Op::BrOnNull: {
        materialize(sp() - 1);
        uint32_t r = slot(sp() - 1);
        pop();
        h(H::JmpIfNonNull);
        ss(r, 0);
        uint32_t skip = target(0);
        emit_branch(in.a);
        patch(skip, here());
        push_home();  // the reference, still in its home slot
        break;
      }
      case Op::BrOnCast:
      case Op::BrOnCastFail: {  // the reference goes along the branch and stays on fallthrough
        uint32_t r = slot(sp() - 1);
        h(in.op == Op::BrOnCast ? H::JmpUnlessCast : H::JmpIfCast);
        ss(r, 0);
        ss(cast_heap(uint32_t(in.imm64)), ref_nullable(ValType(uint32_t(in.imm64))));
        uint32_t skip = target(0);
        emit_branch(in.a);
        patch(skip, here());
        break;
      }
      case Op::BrOnNonNull: {
        uint32_t r = slot(sp() - 1);  // before h(), as above
        h(H::JmpIfNull);
        ss(r, 0);
        uint32_t skip = target(0);
        emit_branch(in.a);
        patch(skip, here());
        pop();
        break;
      }
      default:
        break;
    }
    last_.end = SIZE_MAX;
  }
  // Unconditional jump to label `c` (values already moved).
  void emit_jump(Ctrl& c) {
    if (mov_end_ == code_.size() && straight_from(mov_start_)) {
      // the moves just before (branch values, loop variables) and the jump: one dispatch
      Word cnt;
      cnt.s.a = uint32_t(mov_end_ - mov_start_ - 1);
      cnt.s.b = 0;
      H movs = wide_ ? (c.kind == CK::Loop ? H::MovsBrChkW : H::MovsBrW)
                     : (c.kind == CK::Loop ? H::MovsBrChk : H::MovsBr);
      code_[mov_start_].h = labels_[size_t(movs)];
      code_.insert(code_.begin() + long(mov_start_) + 1, cnt);
      mov_end_ = SIZE_MAX;
      if (c.kind == CK::Loop)
        target(c.loop_pc);
      else
        c.fixups.push_back(target(0));
      return;
    }
    if (c.kind == CK::Loop) {
      h(H::BrChk);
      target(c.loop_pc);
    } else {
      h(H::Br);
      c.fixups.push_back(target(0));
    }
  }
  // Full branch to depth l: moves + jump (or return).
  void emit_branch(uint32_t l) {
    Ctrl& c = ctl_[ctl_.size() - 1 - l];
    if (c.kind == CK::Func) {
      emit_return();
      return;
    }
    move_top_to(arity(c), dest(c));
    emit_jump(c);
  }
  // Conditional jump on entry `c` (already popped, was at position p): to
  // label `l` when `when`, or (l == kNone) to a forward fixup returned.
  // `loop_pc` != kNone means a backward jump to that index (with check).
  uint32_t emit_cond_jump(const Entry& c, uint32_t p, bool when, uint32_t back_pc) {
    bool chk = back_pc != kNone;
    auto tgt = [&] { return target(chk ? back_pc : 0); };
    if (is_last(c)) {
      Cond cd = cond_of(last_.op);
      if (cd != CNone) {
        Last l = last_, pv = prev_;
        code_.resize(l.start);
        last_.end = SIZE_MAX;
        Cond cc = when ? cd : negate(cd);
        // An i32.add into a compared slot just before: one handler. It
        // compares its result with the other operand (which goes second).
        auto add_into = [&](size_t at, H add_h, size_t dst_word) -> bool {
          if (!straight_from(at) || code_[at].h != labels_[size_t(add_h)]) return false;
          uint32_t d = code_[dst_word].s.a;
          if (d != l.a && (l.imm || d != l.b)) return false;
          if (d != l.a) {
            std::swap(l.a, l.b);
            cc = swap_operands(cc);
          }
          return true;
        };
        size_t ai = addi_start_;
        bool pair = false;  // [add_i2][dst1, src1][imm1][dst2, src2][imm2]: the second one
        if (addi_end_ == l.start &&
            (add_into(ai, H::I32Add_i, ai + 1) || (pair = add_into(ai, H::I32AddI2, ai + 3)))) {
          // [add_i][dst, src][imm64], or the pair's second add (the first stays)
          size_t w = pair ? ai + 3 : ai + 1;
          Word w1 = code_[w];
          uint32_t add = uint32_t(code_[w + 1].u64);
          if (pair) code_[ai].h = labels_[size_t(H::I32Add_i)];
          code_.resize(pair ? w : ai);
          addi_end_ = SIZE_MAX;
          h(add_branch(cc, l.imm ? 0 : 1, chk));
          ss(w1.s.a, w1.s.b);
          ss(add, l.b);
          return tgt();
        }
        if (!l.imm && pv.end == l.start && pv.start + 3 == l.start && add_into(pv.start, H::I32Add_r, pv.start + 1)) {
          // [add_r][dst, a][b, -]
          Word w1 = code_[pv.start + 1], w2 = code_[pv.start + 2];
          code_.resize(pv.start);
          h(add_branch(cc, 2, chk));
          ss(w1.s.a, w1.s.b);
          ss(w2.s.a, l.b);
          return tgt();
        }
        h(cond_branch(cc, l.imm, chk));
        ss(l.a, l.b);
        return tgt();
      }
      if (last_.op == Op::I32Eqz) {
        Last l = last_;
        code_.resize(l.start);
        last_.end = SIZE_MAX;
        h(when ? (chk ? H::BrZChk : H::BrZ) : (chk ? H::BrNzChk : H::BrNz));
        ss(l.a, 0);
        return tgt();
      }
    }
    uint32_t s;
    if (c.kind == EK::Const) {
      h(H::Const);
      ss(home(p), 0);
      u(c.imm);
      s = home(p);
    } else if (c.kind == EK::AddImm) {
      emit_addi(home(p), c.slot, uint32_t(c.imm));
      s = home(p);
    } else {
      s = c.slot;
    }
    h(when ? (chk ? H::BrNzChk : H::BrNz) : (chk ? H::BrZChk : H::BrZ));
    ss(s, 0);
    return tgt();
  }

  Result<void> step(const Instr& in) {
    if (unreachable_) {
      switch (in.op) {
        case Op::Block: case Op::Loop: case Op::If: case Op::TryTable: case Op::Try:
          ++skip_depth_;
          return {};
        case Op::Delegate:  // ends a try
          if (skip_depth_ > 0) {
            --skip_depth_;
            return {};
          }
          break;
        case Op::End:
          if (skip_depth_ > 0) {
            --skip_depth_;
            return {};
          }
          break;
        case Op::Else: case Op::Catch: case Op::CatchAll:
          if (skip_depth_ > 0) return {};
          break;
        default:
          return {};
      }
    }
    const OpInfo& info = op_info(in.op);
    if (needs_mem_x(in, info)) return info.prefix == 0xFD && !wide_ ? go_wide() : emit_mem_x(in, info);
    if (m_.num_tables() && table_x_operands(in)) {  // table64 table.grow: i64 result
      if (auto r = step_plain(in, info); !r) return r;
      uint32_t d = slot(sp() - 1);
      h(H::I64ExtendI32S_r);
      ss(d, d);
      last_.end = SIZE_MAX;
      return {};
    }
    return step_plain(in, info);
  }

  Result<void> step_plain(const Instr& in, const OpInfo& info) {
    if (info.prefix == 0xFD) return wide_ ? simd(in, info) : go_wide();
    if (info.sig != Sig::special && info.imm == ImmKind::None) return plain(in.op, info);
    if (info.imm == ImmKind::MemArg) return memop(in, info);
    switch (in.op) {
      case Op::Unreachable:
        h(H::Unreachable);
        unreachable_ = true;
        return {};
      case Op::Nop:
        return {};
      case Op::Block:
      case Op::Loop:
      case Op::If: {
        uint32_t np, nr;
        block_type(in.block, np, nr);
        Ctrl c;
        c.kind = in.op == Op::Block ? CK::Block : in.op == Op::Loop ? CK::Loop : CK::If;
        c.nparams = np;
        c.nresults = nr;
        if (in.op == Op::If) {
          uint32_t p = sp() - 1;
          Entry cond = stk_.back();
          pop();
          enter_block(np);
          c.else_fixup = emit_cond_jump(cond, p, false, kNone);
        } else {
          enter_block(np);
        }
        c.height = sp() - np;
        c.loop_pc = here();
        if (in.op == Op::Loop) last_label_ = std::max(last_label_, here());
        last_.end = SIZE_MAX;
        ctl_.push_back(std::move(c));
        return {};
      }
      case Op::Else: {
        Ctrl& c = ctl_.back();
        if (!unreachable_) {
          move_top_to(c.nresults, dest(c));
          h(H::Br);
          c.fixups.push_back(target(0));
        }
        patch(c.else_fixup, here());
        c.else_fixup = kNone;
        stk_.resize(c.height);
        for (uint32_t i = 0; i < c.nparams; ++i) push_home();
        unreachable_ = false;
        last_.end = SIZE_MAX;
        return {};
      }
      case Op::End: {
        Ctrl& c = ctl_.back();
        if (c.eh) end_try(c);
        if (c.kind == CK::Func) {
          if (!unreachable_) emit_return();
          ctl_.pop_back();
          return {};
        }
        bool reachable = !unreachable_;
        if (!unreachable_) move_top_to(c.nresults, dest(c));
        if (c.else_fixup != kNone) {
          patch(c.else_fixup, here());
          reachable = true;
        }
        for (uint32_t pos : c.fixups) patch(pos, here());
        if (!c.fixups.empty()) reachable = true;
        if (!c.clause_fixups.empty()) {
          patch_clauses(c);
          reachable = true;
        }
        uint32_t height = c.height, nr = c.nresults;
        ctl_.pop_back();
        stk_.resize(height);
        for (uint32_t i = 0; i < nr; ++i) push_home();
        unreachable_ = !reachable;
        last_.end = SIZE_MAX;
        return {};
      }
      case Op::Br:
        emit_branch(in.a);
        unreachable_ = true;
        return {};
      case Op::BrIf: {
        uint32_t p = sp() - 1;
        Entry cond = stk_.back();
        pop();
        Ctrl& c = ctl_[ctl_.size() - 1 - in.a];
        if (c.kind != CK::Func && top_in_place(arity(c), dest(c))) {
          if (c.kind == CK::Loop) {
            emit_cond_jump(cond, p, true, c.loop_pc);
          } else {
            c.fixups.push_back(emit_cond_jump(cond, p, true, kNone));
          }
        } else {
          uint32_t skip = emit_cond_jump(cond, p, false, kNone);
          emit_branch(in.a);
          patch(skip, here());
        }
        last_.end = SIZE_MAX;
        return {};
      }
      case Op::BrTable: {
        uint32_t idx = slot(sp() - 1);
        pop();
        uint32_t n = uint32_t(in.targets.size());
        h(H::BrTable);
        ss(idx, n - 1);
        uint32_t table = here();
        for (uint32_t i = 0; i < n; ++i) target(0);
        for (uint32_t i = 0; i < n; ++i) {
          Ctrl& c = ctl_[ctl_.size() - 1 - in.targets[i]];
          if (c.kind != CK::Func && top_in_place(arity(c), dest(c))) {
            if (c.kind == CK::Loop)
              patch(table + i, c.loop_pc);
            else
              c.fixups.push_back(table + i);
          } else {
            patch(table + i, here());
            emit_branch(in.targets[i]);
          }
        }
        unreachable_ = true;
        return {};
      }
      case Op::Return:
        emit_return();
        unreachable_ = true;
        return {};
      case Op::Call: {
        const FuncType& ft = m_.func_type(in.a);
        uint32_t np = uint32_t(ft.params.size()), nr = uint32_t(ft.results.size());
        uint32_t base = sp() - np;
        if (!wide_ && (has_v128(ft.params) || has_v128(ft.results))) return go_wide();
        for (uint32_t p = base; p < sp(); ++p) materialize(p);
        if (wide_) pack(ft.params, home(base));
        h(H::Call);
        ss(in.a, home(base));
        gc_safepoint(here(), base);
        pop(np);
        for (uint32_t i = 0; i < nr; ++i) push_home();
        if (wide_) unpack(ft.results, home(base));
        last_.end = SIZE_MAX;
        return {};
      }
      case Op::CallIndirect: {
        const FuncType& ft = m_.types[in.a];
        uint32_t np = uint32_t(ft.params.size()), nr = uint32_t(ft.results.size());
        if (!wide_ && (has_v128(ft.params) || has_v128(ft.results))) return go_wide();
        uint32_t e = slot(sp() - 1);
        pop();
        uint32_t base = sp() - np;
        for (uint32_t p = base; p < sp(); ++p) materialize(p);
        // packing writes below home(base + np), where the index may sit
        if (wide_) pack(ft.params, home(base));
        h(H::CallIndirect);
        ss(in.a, home(base));
        ss(in.b, e);
        gc_safepoint(here(), base);
        pop(np);
        for (uint32_t i = 0; i < nr; ++i) push_home();
        if (wide_) unpack(ft.results, home(base));
        last_.end = SIZE_MAX;
        return {};
      }
      case Op::ReturnCall:
      case Op::ReturnCallIndirect:
      case Op::ReturnCallRef:
        emit_tail_call(in);
        return {};
      case Op::CallRef:
      case Op::RefAsNonNull:
      case Op::BrOnNull:
      case Op::BrOnNonNull:
      case Op::BrOnCast:
      case Op::BrOnCastFail:
        emit_typed_ref(in);
        return {};
      case Op::Throw: case Op::ThrowRef: case Op::TryTable: case Op::Try:
      case Op::Catch: case Op::CatchAll: case Op::Delegate: case Op::Rethrow:
        return emit_eh(in);
      case Op::Drop:
        pop();
        return {};
      case Op::Select:
      case Op::SelectT: {
        uint32_t p = sp() - 3;
        uint32_t c = slot(p + 2), b = slot(p + 1), a = slot(p);
        size_t start = code_.size();
        h(wide_ ? H::SelectW : H::Select);
        ss(home(p), a);
        ss(b, c);
        pop(3);
        push_home();
        produced(start, uint32_t(start + 1));
        return {};
      }
      case Op::LocalGet:
        stk_.push_back(Entry{EK::Local, lslot(in.a), 0});
        note_height(sp());
        return {};
      case Op::LocalSet:
      case Op::LocalTee: {
        uint32_t L = lslot(in.a);
        Entry top = stk_.back();
        bool others = false;
        for (uint32_t p = 0; p + 1 < sp(); ++p)
          if (refers(stk_[p], L)) others = true;
        if (!others && is_last(top)) {
          code_[last_.dst_word].s.a = L;
          last_.retargeted = true;  // still adjacent (I32Add2), not a producer
          pop();
          if (in.op == Op::LocalTee) {
            stk_.push_back(Entry{EK::Local, L, 0});
          }
          return {};
        }
        for (uint32_t p = 0; p + 1 < sp(); ++p)
          if (refers(stk_[p], L)) materialize(p);
        if (top.kind == EK::Const && top.imm == 0 && in.a >= nparams_ && code_.empty() && ctl_.size() == 1) {
          // a declared local is still zero at the very start of the body
        } else if (top.kind == EK::Const) {
          h(H::Const);
          ss(L, 0);
          u(top.imm);
        } else if (top.kind == EK::AddImm) {
          emit_addi(L, top.slot, uint32_t(top.imm));
          if (in.op == Op::LocalTee) stk_.back() = Entry{EK::Local, L, 0};
        } else if (top.slot != L) {
          emit_mov(L, top.slot);
        }
        if (in.op == Op::LocalSet) pop();
        last_.end = SIZE_MAX;
        return {};
      }
      case Op::GlobalGet: {
        size_t start = code_.size();
        bool v = m_.global_type(in.a).type == ValType::V128;
        if (v && !wide_) return go_wide();
        uint32_t d = push_home();
        h(v ? H::GlobalGetW : H::GlobalGet);
        ss(d, in.a);
        produced(start, uint32_t(start + 1));
        return {};
      }
      case Op::GlobalSet: {
        uint32_t v = slot(sp() - 1);
        pop();
        h(m_.global_type(in.a).type == ValType::V128 ? H::GlobalSetW : H::GlobalSet);
        ss(in.a, v);
        return {};
      }
      case Op::TableGet: {
        uint32_t p = sp() - 1;
        uint32_t i = slot(p);
        pop();
        size_t start = code_.size();
        uint32_t d = push_home();
        h(H::TableGet);
        ss(d, i);
        ss(in.a, 0);
        produced(start, uint32_t(start + 1));
        return {};
      }
      case Op::TableSet: {
        uint32_t p = sp() - 2;
        uint32_t i = slot(p), v = slot(p + 1);
        pop(2);
        h(H::TableSet);
        ss(i, v);
        ss(in.a, 0);
        return {};
      }
      case Op::MemorySize: {
        uint32_t d = push_home();
        h(H::MemorySize);
        ss(d, 0);
        return {};
      }
      case Op::MemoryGrow: {
        uint32_t p = sp() - 1;
        uint32_t n = slot(p);
        pop();
        uint32_t d = push_home();
        h(H::MemoryGrow);
        ss(d, n);
        return {};
      }
      case Op::I32Const:
        push_const(uint32_t(in.imm64));
        return {};
      case Op::I64Const:
      case Op::F32Const:
      case Op::F64Const:
        push_const(in.imm64);
        return {};
      case Op::RefNull:
        push_const(0);
        return {};
      case Op::RefIsNull:
      case Op::RefTest:
      case Op::RefTestNull:
      case Op::RefI31:
      case Op::I31GetS:
      case Op::I31GetU: {  // one reference (or i32) in, one value out
        const bool test = in.op == Op::RefTest || in.op == Op::RefTestNull;
        const H handler = test                        ? H::RefTest
                          : in.op == Op::RefIsNull    ? H::RefIsNull
                          : in.op == Op::RefI31       ? H::RefI31
                          : in.op == Op::I31GetS      ? H::I31GetS
                                                      : H::I31GetU;
        uint32_t a = slot(sp() - 1);
        pop();
        size_t start = code_.size();
        uint32_t d = push_home();
        h(handler);
        ss(d, a);
        if (test) ss(cast_heap(in.a), in.op == Op::RefTestNull);
        produced(start, uint32_t(start + 1));
        return {};
      }
      case Op::StructNew: case Op::StructNewDefault: case Op::StructGet: case Op::StructGetS:
      case Op::StructGetU: case Op::StructSet: case Op::ArrayNew: case Op::ArrayNewDefault:
      case Op::ArrayNewFixed: case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU:
      case Op::ArraySet: case Op::ArrayLen: case Op::ArrayNewData: case Op::ArrayNewElem:
      case Op::ArrayFill: case Op::ArrayCopy: case Op::ArrayInitData: case Op::ArrayInitElem:
        return emit_gc_object(in);
      case Op::RefEq:  // i31s are canonical and objects unique: equal bits, equal references
        return plain(Op::I64Eq, op_info(Op::I64Eq));
      case Op::AnyConvertExtern:
      case Op::ExternConvertAny:  // the same bits in the other hierarchy (ref_bits.h)
        return {};
      case Op::RefCast:
      case Op::RefCastNull: {
        uint32_t r = slot(sp() - 1);  // before h(): it may emit a move
        h(H::RefCast);
        ss(r, 0);
        ss(cast_heap(in.a), in.op == Op::RefCastNull);
        return {};
      }
      case Op::RefFunc: {
        size_t start = code_.size();
        uint32_t d = push_home();
        h(H::RefFunc);
        ss(d, in.a);
        produced(start, uint32_t(start + 1));
        return {};
      }
      case Op::MemoryInit:
      case Op::MemoryCopy:
      case Op::MemoryFill:
      case Op::TableInit:
      case Op::TableCopy:
      case Op::TableFill: {
        uint32_t p = sp() - 3;
        uint32_t a = slot(p), b = slot(p + 1), n = slot(p + 2);
        pop(3);
        switch (in.op) {
          case Op::MemoryInit: h(H::MemoryInit); ss(a, b); ss(n, in.a); break;
          case Op::MemoryCopy: h(H::MemoryCopy); ss(a, b); ss(n, 0); break;
          case Op::MemoryFill: h(H::MemoryFill); ss(a, b); ss(n, 0); break;
          case Op::TableInit: h(H::TableInit); ss(a, b); ss(n, in.a); ss(in.b, 0); break;
          case Op::TableCopy: h(H::TableCopy); ss(a, b); ss(n, 0); ss(in.a, in.b); break;
          default: h(H::TableFill); ss(a, b); ss(n, in.a); break;
        }
        return {};
      }
      case Op::DataDrop:
        h(H::DataDrop);
        ss(in.a, 0);
        return {};
      case Op::ElemDrop:
        h(H::ElemDrop);
        ss(in.a, 0);
        return {};
      case Op::TableGrow: {
        uint32_t p = sp() - 2;
        uint32_t init = slot(p), n = slot(p + 1);
        pop(2);
        uint32_t d = push_home();
        h(H::TableGrow);
        ss(d, init);
        ss(n, in.a);
        return {};
      }
      case Op::TableSize: {
        uint32_t d = push_home();
        h(H::TableSize);
        ss(d, in.a);
        return {};
      }
      default:
        return make_error(ErrorKind::Trap,
                          std::string("unsupported instruction ") + info.text);
    }
  }

#include "compile_multi_memory.inc"

  // Whether instruction `in` on an object of layout `l` moves a v128 value
  // through the operand stack (the bulk instructions copy bytes instead).
  static bool gc_moves_v128(const Instr& in, const GcLayout& l) {
    auto v128 = [](const FieldType& f) { return f.type == ValType::V128; };
    switch (in.op) {
      case Op::StructNew: return std::any_of(l.fields.begin(), l.fields.end(), v128);
      case Op::StructGet:
      case Op::StructSet: return v128(l.fields[in.b]);
      case Op::ArrayNew:
      case Op::ArrayNewFixed:
      case Op::ArrayGet:
      case Op::ArraySet:
      case Op::ArrayFill: return !l.fields.empty() && v128(l.fields[0]);
      default: return false;
    }
  }

  // struct.* and array.* (handler layouts in gc.inc). Field offsets and
  // sizes come from make_gc_layout() of the module's type, the function the
  // store lays its objects out with. One that moves a v128 value needs a
  // wide function and takes the W form of its handler (same layout).
  Result<void> emit_gc_object(const Instr& in) {
    const GcLayout l = in.op == Op::ArrayLen ? GcLayout{} : make_gc_layout(m_.subtypes[in.a]);
    const bool w = gc_moves_v128(in, l);
    if (w && !wide_) return go_wide();
    auto pick = [w](H narrow, H wide) { return w ? wide : narrow; };
    const uint32_t signed_read = in.op == Op::StructGetS || in.op == Op::ArrayGetS ? 0x100 : 0;
    switch (in.op) {
      case Op::StructNew:
      case Op::ArrayNewFixed: {
        const uint32_t n = in.op == Op::StructNew ? uint32_t(l.fields.size()) : in.b;
        const uint32_t base = sp() - n;
        for (uint32_t p = base; p < sp(); ++p) materialize(p);
        const uint32_t b = home(base);
        gc_safepoint(here() + 1, sp());
        pop(n);
        const uint32_t d = push_home();
        if (in.op == Op::StructNew) {
          h(pick(H::StructNew, H::StructNewW));
          ss(d, b);
          ss(in.a, st());
        } else {
          h(pick(H::ArrayNewFixed, H::ArrayNewFixedW));
          ss(d, b);
          ss(in.a, n);
          ss(st(), 0);
        }
        return {};
      }
      case Op::StructNewDefault: {
        gc_safepoint(here() + 1, sp());
        const uint32_t d = push_home();
        h(H::StructNewDefault);
        ss(d, 0);
        ss(in.a, 0);
        return {};
      }
      case Op::StructGet:
      case Op::StructGetS:
      case Op::StructGetU:
      case Op::ArrayNewDefault:
      case Op::ArrayLen: {
        const uint32_t a = slot(sp() - 1);
        if (in.op == Op::ArrayNewDefault) gc_safepoint(here() + 1, sp());
        pop();
        const size_t start = code_.size();
        const uint32_t d = push_home();
        if (in.op == Op::ArrayNewDefault) {
          h(H::ArrayNewDefault);
          ss(d, a);
          ss(in.a, 0);
          return {};
        }
        h(in.op == Op::ArrayLen ? H::ArrayLen : pick(H::StructGet, H::StructGetW));
        ss(d, a);
        if (in.op != Op::ArrayLen) ss(l.offsets[in.b], storage_bytes(l.fields[in.b].type) | signed_read);
        produced(start, uint32_t(start + 1));
        return {};
      }
      case Op::StructSet:
      case Op::ArrayNew:
      case Op::ArrayGet:
      case Op::ArrayGetS:
      case Op::ArrayGetU: {
        const uint32_t p = sp() - 2;
        const uint32_t a = slot(p), b = slot(p + 1);
        if (in.op == Op::ArrayNew) gc_safepoint(here() + 1, sp());
        pop(2);
        if (in.op == Op::StructSet) {
          h(pick(H::StructSet, H::StructSetW));
          ss(a, b);
          ss(l.offsets[in.b], storage_bytes(l.fields[in.b].type));
          return {};
        }
        const uint32_t d = push_home();
        h(in.op == Op::ArrayNew ? pick(H::ArrayNew, H::ArrayNewW) : pick(H::ArrayGet, H::ArrayGetW));
        ss(d, a);
        if (in.op == Op::ArrayNew) ss(b, in.a);
        else ss(b, l.size | signed_read);
        return {};
      }
      case Op::ArraySet: {
        const uint32_t p = sp() - 3;
        const uint32_t a = slot(p), i = slot(p + 1), v = slot(p + 2);
        pop(3);
        h(pick(H::ArraySet, H::ArraySetW));
        ss(a, i);
        ss(v, l.size);
        return {};
      }
      case Op::ArrayNewData:
      case Op::ArrayNewElem: {
        const uint32_t p = sp() - 2;
        const uint32_t s = slot(p), n = slot(p + 1);
        gc_safepoint(here() + 1, sp());
        pop(2);
        const uint32_t d = push_home();
        h(in.op == Op::ArrayNewData ? H::ArrayNewData : H::ArrayNewElem);
        ss(d, s);
        ss(n, in.a);
        ss(in.b, l.size);
        return {};
      }
      case Op::ArrayFill:
      case Op::ArrayInitData:
      case Op::ArrayInitElem: {
        const uint32_t p = sp() - 4;
        const uint32_t a = slot(p), i = slot(p + 1), x = slot(p + 2), n = slot(p + 3);
        pop(4);
        h(in.op == Op::ArrayFill       ? pick(H::ArrayFill, H::ArrayFillW)
          : in.op == Op::ArrayInitData ? H::ArrayInitData
                                       : H::ArrayInitElem);
        ss(a, i);
        ss(x, n);
        ss(in.op == Op::ArrayFill ? 0 : in.b, l.size);
        return {};
      }
      case Op::ArrayCopy: {
        const uint32_t p = sp() - 5;
        const uint32_t a = slot(p), i = slot(p + 1), b = slot(p + 2), j = slot(p + 3), n = slot(p + 4);
        pop(5);
        h(H::ArrayCopy);
        ss(a, i);
        ss(b, j);
        ss(n, l.size);
        return {};
      }
      default:
        return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + op_info(in.op).text);
    }
  }

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
  // The handler of SIMD opcode `op`.
  static H simd_handler(Op op) {
    static const std::array<H, kOpCount> map = [] {
      std::array<H, kOpCount> m;
      m.fill(H::Count_);
#define WASM_OP(id, text, prefix, code, imm, sig, align) m[size_t(Op::id)] = H::id;
#include "interp/opcodes_simd.def"
#undef WASM_OP
      return m;
    }();
    return map[size_t(op)];
  }
  // Address operand at position p: [addr, add] (an i32 add-immediate folds).
  uint32_t addr_operand(uint32_t p, uint32_t& add) {
    add = 0;
    if (stk_[p].kind == EK::AddImm) {
      add = uint32_t(stk_[p].imm);
      return stk_[p].slot;
    }
    return slot(p);
  }
  // One SIMD instruction (wide functions only), in the layouts of handlers.def.
  Result<void> simd(const Instr& in, const OpInfo& info) {
    H hid = simd_handler(in.op);
    if (hid == H::Count_) return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + info.text);
    uint64_t lo, hi;
    std::memcpy(&lo, in.v128, 8);
    std::memcpy(&hi, in.v128 + 8, 8);
    size_t start = code_.size();
    bool result = true;
    switch (info.imm) {
      case ImmKind::V128: {
        uint32_t d = push_home();
        h(hid);
        ss(d, 0);
        u(lo);
        u(hi);
        break;
      }
      case ImmKind::MemArg:
      case ImmKind::MemArgLane: {
        bool store = info.sig == Sig::iv_, lane = info.imm == ImmKind::MemArgLane;
        uint32_t p = sp() - (store || lane ? 2 : 1), add;
        uint32_t v = store || lane ? slot(p + 1) : 0;
        uint32_t addr = addr_operand(p, add);
        pop(sp() - p);
        start = code_.size();
        result = !store;
        uint32_t d = result ? push_home() : 0;
        h(hid);
        ss(store ? addr : d, store ? v : addr);
        ss(add, in.b);
        if (lane && store) ss(in.lane, 0);
        if (lane && !store) ss(v, in.lane);
        break;
      }
      case ImmKind::Shuffle:
      case ImmKind::Lane:
      case ImmKind::None: {
        if (info.sig == Sig::vv_v && load_operand(in.op)) return {};
        uint32_t n = info.sig == Sig::vvv_v ? 3
                     : info.sig == Sig::vv_v || info.sig == Sig::vi_v || info.sig == Sig::vl_v ||
                               info.sig == Sig::vf_v || info.sig == Sig::vd_v
                         ? 2
                         : 1;
        uint32_t p = sp() - n;
        uint32_t ops[3] = {0, 0, 0};
        for (uint32_t i = n; i-- > 0;) ops[i] = slot(p + i);
        pop(n);
        start = code_.size();
        uint32_t d = push_home();
        h(hid);
        ss(d, ops[0]);
        if (info.imm == ImmKind::Lane)
          ss(n == 2 ? ops[1] : in.lane, n == 2 ? in.lane : 0);
        else if (n > 1)
          ss(ops[1], ops[2]);
        if (info.imm == ImmKind::Shuffle) {
          u(lo);
          u(hi);
        }
        break;
      }
      default:
        return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + info.text);
    }
    if (result) produced(start, uint32_t(start + 1));
    if (in.op == Op::V128Load) last_.fused = H::V128Load;  // foldable into its consumer
    return {};
  }
  // The <Op>M handler taking a v128.load as the second operand, or Count_.
  static H simd_load_fused(Op op) {
    switch (op) {
      case Op::F32x4Add: return H::F32x4AddM;
      case Op::F32x4Sub: return H::F32x4SubM;
      case Op::F32x4Mul: return H::F32x4MulM;
      case Op::F64x2Add: return H::F64x2AddM;
      case Op::F64x2Sub: return H::F64x2SubM;
      case Op::F64x2Mul: return H::F64x2MulM;
      case Op::I8x16Add: return H::I8x16AddM;
      case Op::I16x8Add: return H::I16x8AddM;
      case Op::I32x4Add: return H::I32x4AddM;
      case Op::I32x4Sub: return H::I32x4SubM;
      case Op::I32x4Mul: return H::I32x4MulM;
      case Op::I64x2Add: return H::I64x2AddM;
      case Op::V128And: return H::V128AndM;
      case Op::V128Or: return H::V128OrM;
      case Op::V128Xor: return H::V128XorM;
      default: return H::Count_;
    }
  }
  // A binary lane op whose second operand is the v128.load just emitted
  // (nothing between them) becomes one handler reading memory itself.
  bool load_operand(Op op) {
    H fh = simd_load_fused(op);
    uint32_t p = sp() - 2;
    if (fh == H::Count_ || !is_last(stk_[p + 1]) || last_.fused != H::V128Load || !straight_from(last_.start))
      return false;
    if (stk_[p].kind != EK::Local && stk_[p].kind != EK::Home) return false;
    Word w1 = code_[last_.start + 1], w2 = code_[last_.start + 2];  // [dst, addr][add, off]
    fuse_binary(op, p, p + 1, fh, {pair(w1.s.b, w2.s.a), pair(w2.s.b, 0)});
    return true;
  }

  // Shift/rotate index within a <Op>Shl..<Op>Rotr group, or -1.
  static int sh_index(Op op) {
    switch (op) {
      case Op::I32Shl: return 0;
      case Op::I32ShrS: return 1;
      case Op::I32ShrU: return 2;
      case Op::I32Rotl: return 3;
      case Op::I32Rotr: return 4;
      default: return -1;
    }
  }
  // Group (XorShl, OrShl, AddShl, AndShl) of an op taking a shifted operand, or -1.
  static int sh_bin_group(Op op) {
    switch (op) {
      case Op::I32Xor: return 0;
      case Op::I32Or: return 1;
      case Op::I32Add: return 2;
      case Op::I32And: return 3;
      default: return -1;
    }
  }

  // Index of an i32-result load within a <Op>M_I32Load..<Op>M_I32Load16U group, or -1.
  static int ld_index(Op op) {
    switch (op) {
      case Op::I32Load: return 0;
      case Op::I32Load8S: return 1;
      case Op::I32Load8U: return 2;
      case Op::I32Load16S: return 3;
      case Op::I32Load16U: return 4;
      default: return -1;
    }
  }
  // First handler of the group of an i32 op taking a loaded operand, or Count_.
  static H ld_bin_group(Op op) {
    switch (op) {
      case Op::I32Add: return H::I32AddM_I32Load;
      case Op::I32Sub: return H::I32SubM_I32Load;
      case Op::I32Mul: return H::I32MulM_I32Load;
      case Op::I32And: return H::I32AndM_I32Load;
      case Op::I32Or: return H::I32OrM_I32Load;
      case Op::I32Xor: return H::I32XorM_I32Load;
      default: return H::Count_;
    }
  }

  // For a binary op on stack positions p, p + 1: the position holding the
  // result of the instruction just emitted, when `accepts` that instruction
  // and the other operand is a plain slot (position p only when the op
  // commutes); kNone otherwise.
  template <class Pred>
  uint32_t last_operand(uint32_t p, bool commutes, Pred accepts) const {
    auto plain_slot = [&](uint32_t q) { return stk_[q].kind == EK::Local || stk_[q].kind == EK::Home; };
    auto fusable = [&](uint32_t q) { return is_last(stk_[q]) && accepts(last_) && straight_from(last_.start); };
    if (fusable(p + 1) && plain_slot(p)) return p + 1;
    if (commutes && fusable(p) && plain_slot(p + 1)) return p;
    return kNone;
  }
  // Replaces that instruction (position q) and the binary `op` with one
  // handler: [fh][dst, other operand's slot] then `tail`.
  void fuse_binary(Op op, uint32_t p, uint32_t q, H fh, std::initializer_list<Word> tail) {
    uint32_t other = stk_[q == p ? p + 1 : p].slot;
    code_.resize(last_.start);
    last_.end = SIZE_MAX;
    pop(2);
    size_t st = code_.size();
    uint32_t d = push_home();
    h(fh);
    ss(d, other);
    code_.insert(code_.end(), tail);
    produced(st, uint32_t(st + 1), op, false, other, 0);
    last_.fused = fh;
  }

  Result<void> plain(Op op, const OpInfo& info) {
    const OpHandlers& hs = op_map()[size_t(op)];
    if (hs.r == H::Count_)
      return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + info.text);
    if (hs.i == H::Count_) {  // unary
      uint32_t p = sp() - 1;
      uint32_t a = slot(p);
      pop();
      size_t start = code_.size();
      uint32_t d = push_home();
      h(hs.r);
      ss(d, a);
      produced(start, uint32_t(start + 1), op, false, a, 0);
      return {};
    }
    uint32_t p = sp() - 2;
    if (op == Op::I32Add || op == Op::I32Sub) {
      Entry& ea = stk_[p];
      Entry& eb = stk_[p + 1];
      if (eb.kind == EK::Const && ea.kind != EK::Const) {
        uint32_t c = op == Op::I32Add ? uint32_t(eb.imm) : uint32_t(0u - uint32_t(eb.imm));
        if (ea.kind == EK::AddImm) {
          ea.imm = uint32_t(uint32_t(ea.imm) + c);
          pop();
          return {};
        }
        ea = Entry{EK::AddImm, ea.slot, c};  // Local base, or Home at p itself
        pop();
        return {};
      }
      if (op == Op::I32Add && ea.kind == EK::Const && eb.kind == EK::Local) {
        ea = Entry{EK::AddImm, eb.slot, uint32_t(ea.imm)};
        pop();
        return {};
      }
    }
    if (op == Op::F64Add && is_last(stk_[p + 1]) && last_.op == Op::F64Load &&
        stk_[p].kind == EK::Home && prev_.end == last_.start && !prev_.retargeted &&
        prev_.fused == H::F64MulM &&
        code_[prev_.dst_word].s.a == stk_[p].slot && straight_from(prev_.start)) {
      // (a * mem[y]) + mem[x], both products of the two previous instructions
      Last l = last_, m = prev_;
      Word w1 = code_[m.start + 1], w2 = code_[m.start + 2], w3 = code_[m.start + 3];
      code_.resize(m.start);
      last_.end = SIZE_MAX;
      pop(2);
      size_t start = code_.size();
      uint32_t d = push_home();
      h(H::F64MulAddM);
      ss(d, w1.s.b);
      code_.push_back(w2);
      ss(w3.s.a, l.a);
      ss(l.add, l.off);
      produced(start, uint32_t(start + 1));
      last_.fused = H::F64MulAddM;
      return {};
    }
    if ((op == Op::F64Add || op == Op::F64Sub || op == Op::F64Mul) && is_last(stk_[p + 1]) &&
        last_.op == Op::F64Load && (stk_[p].kind == EK::Local || stk_[p].kind == EK::Home)) {
      Last l = last_;
      code_.resize(l.start);
      last_.end = SIZE_MAX;
      uint32_t sa = stk_[p].slot;
      pop(2);
      size_t start = code_.size();
      uint32_t d = push_home();
      H fh = op == Op::F64Add ? H::F64AddM : op == Op::F64Sub ? H::F64SubM : H::F64MulM;
      h(fh);
      ss(d, sa);
      ss(l.a, l.add);
      ss(l.off, 0);
      produced(start, uint32_t(start + 1));
      last_.fused = fh;
      return {};
    }
    if (stk_[p].kind == EK::AddImm) materialize(p);
    if (stk_[p + 1].kind == EK::AddImm) materialize(p + 1);
    if (int bop = sh_bin_group(op); bop >= 0) {
      // (x <sh> imm) just computed, combined with a slot: one handler
      uint32_t q = last_operand(p, true, [](const Last& l) { return l.imm && sh_index(l.op) >= 0; });
      if (q != kNone) {
        fuse_binary(op, p, q, H(uint16_t(H::XorShl) + 5 * bop + sh_index(last_.op)), {pair(last_.a, last_.b)});
        return {};
      }
    }
    if (H g = ld_bin_group(op); g != H::Count_) {
      // an i32 load just emitted as an operand of a slot: one handler (the
      // load may be the first operand only when the op commutes)
      uint32_t q = last_operand(p, op != Op::I32Sub, [](const Last& l) { return ld_index(l.op) >= 0; });
      if (q != kNone) {
        fuse_binary(op, p, q, H(uint16_t(g) + ld_index(last_.op)), {pair(last_.a, last_.add), pair(last_.off, 0)});
        return {};
      }
    }
    Entry a = stk_[p], b = stk_[p + 1];
    size_t start;
    bool imm = false;
    uint32_t sa = 0, sb = 0;
    uint64_t iv = 0;
    if (b.kind == EK::Const && a.kind != EK::Const) {
      imm = true;
      sa = a.slot;
      iv = b.imm;
    } else if (a.kind == EK::Const && b.kind != EK::Const && swapped(op)) {
      op = *swapped(op);
      imm = true;
      sa = b.slot;
      iv = a.imm;
    } else {
      sa = slot(p);
      sb = slot(p + 1);
    }
    pop(2);
    start = code_.size();
    uint32_t d = push_home();
    const OpHandlers& hs2 = op_map()[size_t(op)];
    if (imm && op == Op::I32And && last_.end == start && !last_.retargeted && last_.op == Op::I32ShrU &&
        last_.imm && code_[last_.dst_word].s.a == sa && sa >= nl_ && straight_from(last_.start)) {
      // (x >>u k) & mask, the shift just computed into this temporary
      Last l = last_;
      code_.resize(l.start);
      start = code_.size();
      h(H::I32ShrUAnd);
      ss(d, l.a);
      ss(l.b, uint32_t(iv));
      produced(start, uint32_t(start + 1), op, false, l.a, 0);
      last_.fused = H::I32ShrUAnd;
    } else if (imm) {
      h(hs2.i);
      ss(d, sa);
      u(iv);
      produced(start, uint32_t(start + 1), op, true, sa, uint32_t(iv));
    } else if (op == Op::I32Add && last_.end == start && last_.op == Op::I32Add && !last_.imm &&
               code_[last_.start].h == labels_[size_t(H::I32Add_r)] && straight_from(last_.start)) {
      // i32.add right after an i32.add of slots: one dispatch for both
      Last l = last_;
      Word w1 = code_[l.start + 1], w2 = code_[l.start + 2];
      code_.resize(l.start);
      start = code_.size();
      h(H::I32Add2);
      ss(d, sa);
      ss(sb, w1.s.a);
      ss(w1.s.b, w2.s.a);
      produced(start, uint32_t(start + 1), op, false, sa, sb);
    } else {
      h(hs2.r);
      ss(d, sa);
      ss(sb, 0);
      produced(start, uint32_t(start + 1), op, false, sa, sb);
    }
    return {};
  }

  // The run handler of a store / copy handler (Count_ if none).
  static H run_of(H single) {
    switch (single) {
      case H::Copy1: return H::CopyRun1;
      case H::Copy2: return H::CopyRun2;
      case H::Copy4: return H::CopyRun4;
      case H::Copy8: return H::CopyRun8;
      case H::I32Store8_r: return H::StRunI32Store8;
      case H::I32Store16_r: return H::StRunI32Store16;
      case H::I32Store_r: return H::StRunI32Store;
      case H::I64Store_r: return H::StRunI64Store;
      case H::F32Store_r: return H::StRunF32Store;
      case H::F64Store_r: return H::StRunF64Store;
      default: return H::Count_;
    }
  }
  // If the last instruction is a `single` store/copy (or a run of them) on
  // the same slots, with nothing jumping between, turns it into a run, adds
  // one element to the count and returns true: the caller appends the
  // element's address words.
  bool extend_run(H single, uint32_t a, uint32_t b) {
    H rh = run_of(single);
    if (rh == H::Count_ || run_.end != code_.size() || run_.single != single || run_.a != a ||
        run_.b != b || !straight_from(run_.start))
      return false;
    if (!run_.is_run) {
      code_[run_.start].h = labels_[size_t(rh)];
      Word cnt, bounds;
      cnt.s.a = 1;
      cnt.s.b = 0;
      bounds.u64 = 0;
      code_.insert(code_.begin() + long(run_.start) + 2, {cnt, bounds});
      run_.is_run = true;
    }
    code_[run_.start + 2].s.a += 1;
    return true;  // the caller appends the element, then calls end_run()
  }
  // Ends an extended run: records in its bounds word, per base, the largest
  // add + offset + size over its elements (0 if 2^32 or more), so that the
  // handler can check all elements at once when base + that <= memory size
  // (then no u32 address wraps and every access is in bounds).
  void end_run() {
    run_.end = code_.size();
    bool copy = run_.single == H::Copy1 || run_.single == H::Copy2 || run_.single == H::Copy4 ||
                run_.single == H::Copy8;
    uint64_t size = 0;
    switch (run_.single) {
      case H::Copy1: case H::I32Store8_r: size = 1; break;
      case H::Copy2: case H::I32Store16_r: size = 2; break;
      case H::Copy4: case H::I32Store_r: case H::F32Store_r: size = 4; break;
      default: size = 8; break;
    }
    uint32_t n = code_[run_.start + 2].s.a;
    uint64_t emax[2] = {0, 0};
    size_t per = copy ? 2 : 1;
    for (uint32_t i = 0; i < n; ++i)
      for (size_t k = 0; k < per; ++k) {
        const Word& w = code_[run_.start + 4 + i * per + k];
        emax[k] = std::max(emax[k], uint64_t(w.s.a) + w.s.b + size);
      }
    Word& bw = code_[run_.start + 3];
    bw.s.a = emax[0] < (uint64_t(1) << 32) ? uint32_t(emax[0]) : 0;
    bw.s.b = emax[1] < (uint64_t(1) << 32) ? uint32_t(emax[1]) : 0;
    // A copy run whose destinations tile one range and whose sources are
    // the destinations shifted by one distance is a block copy when the
    // ranges do not overlap: its size goes in the count word (0 if not).
    code_[run_.start + 2].s.b = 0;
    if (copy && bw.s.a != 0 && bw.s.b != 0) {
      std::vector<std::pair<uint64_t, uint64_t>> el;
      for (uint32_t i = 0; i < n; ++i) {
        const Word& wd = code_[run_.start + 4 + i * 2];
        const Word& ws = code_[run_.start + 5 + i * 2];
        el.emplace_back(uint64_t(wd.s.a) + wd.s.b, uint64_t(ws.s.a) + ws.s.b);
      }
      std::sort(el.begin(), el.end());
      bool tiles = true;
      for (uint32_t i = 1; i < n; ++i)
        if (el[i].first != el[i - 1].first + size || el[i].second != el[i - 1].second + size) tiles = false;
      // the handler derives the block starts from the end bounds
      if (tiles && el.back().first + size == bw.s.a && el.back().second + size == bw.s.b)
        code_[run_.start + 2].s.b = uint32_t(n * size);
    }
  }

  Result<void> memop(const Instr& in, const OpInfo& info) {
    const OpHandlers& hs = op_map()[size_t(in.op)];
    if (hs.r == H::Count_)
      return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + info.text);
    bool is_store = info.sig == Sig::ii_ || info.sig == Sig::il_ || info.sig == Sig::if_ || info.sig == Sig::id_;
    // address = u32(base + add) + offset; an i32.add/sub with a constant
    // feeding the address folds into `add`.
    if (is_store) {
      uint32_t p = sp() - 2;
      const Entry& ae = stk_[p];
      if (is_last(stk_[p + 1]) && ae.kind != EK::Const && op_info(last_.op).imm == ImmKind::MemArg &&
          op_info(last_.op).align == info.align) {
        Last l = last_;
        code_.resize(l.start);
        last_.end = SIZE_MAX;
        static constexpr H kCopy[] = {H::Copy1, H::Copy2, H::Copy4, H::Copy8};
        uint32_t dadd = ae.kind == EK::AddImm ? uint32_t(ae.imm) : 0;
        uint32_t dslot = ae.slot;
        pop(2);
        if (extend_run(kCopy[info.align], dslot, l.a)) {
          ss(dadd, in.b);
          ss(l.add, l.off);
          end_run();
          return {};
        }
        size_t start = code_.size();
        h(kCopy[info.align]);
        ss(dslot, l.a);
        ss(dadd, in.b);
        ss(l.add, l.off);
        run_ = Run{start, code_.size(), kCopy[info.align], dslot, l.a, false};
        return {};
      }
      if (info.align == 3 && in.op == Op::F64Store && is_last(stk_[p + 1]) && ae.kind != EK::Const &&
          last_.fused == H::F64MulAddM) {
        // store(addr, a * mem[y] + mem[x]) as one handler
        Last l = last_;
        std::array<Word, 4> ops;
        std::copy(code_.begin() + long(l.start) + 1, code_.begin() + long(l.start) + 5, ops.begin());
        code_.resize(l.start);
        last_.end = SIZE_MAX;
        uint32_t add = ae.kind == EK::AddImm ? uint32_t(ae.imm) : 0;
        uint32_t aslot = ae.slot;
        pop(2);
        h(H::F64MulAddMSt);
        ss(0, ops[0].s.b);
        code_.push_back(ops[1]);
        code_.push_back(ops[2]);
        code_.push_back(ops[3]);
        ss(aslot, add);
        ss(in.b, 0);
        return {};
      }
      // a constant value that its 32-bit sign extension gives (any value
      // for stores of 4 bytes or less): stored from the code
      const Entry& ve = stk_[p + 1];
      bool konst = ve.kind == EK::Const &&
                   (info.align < 3 || ve.imm == uint64_t(int64_t(int32_t(uint32_t(ve.imm)))));
      uint32_t v = konst ? uint32_t(ve.imm) : slot(p + 1);
      H sh = konst ? hs.i : hs.r;
      uint32_t add = 0, addr;
      if (stk_[p].kind == EK::AddImm) {
        addr = stk_[p].slot;
        add = uint32_t(stk_[p].imm);
      } else {
        addr = slot(p);
      }
      pop(2);
      if (extend_run(sh, addr, v)) {
        ss(add, in.b);
        end_run();
        return {};
      }
      size_t start = code_.size();
      h(sh);
      ss(addr, v);
      ss(add, in.b);
      run_ = Run{start, code_.size(), sh, addr, v, false};
      return {};
    }
    uint32_t p = sp() - 1;
    uint32_t add = 0, addr;
    if (stk_[p].kind == EK::AddImm) {
      addr = stk_[p].slot;
      add = uint32_t(stk_[p].imm);
    } else {
      addr = slot(p);
    }
    pop();
    size_t start = code_.size();
    uint32_t d = push_home();
    h(hs.r);
    ss(d, addr);
    ss(add, in.b);
    produced(start, uint32_t(start + 1), in.op, false, addr, 0);
    last_.add = add;
    last_.off = in.b;
    return {};
  }
};

// Debug listing of compiled code (WIPPY_DUMP_CODE=1): one line per word; a
// word equal to a handler label starts an instruction and shows its name,
// operand words show both 32-bit halves, jump targets show word indices.
bool dump_enabled() {
  static const bool on = std::getenv("WIPPY_DUMP_CODE") != nullptr;
  return on;
}

void dump(const CompiledFunc& f) {
  static const char* const kNames[] = {
#define HANDLER(n) #n,
#include "handlers.def"
#undef HANDLER
  };
  const void* const* labels = handler_labels();
  std::fprintf(stderr, "== function: %u params, %u locals, frame %u slots, %zu words\n", f.nparams,
               f.nlocals, f.frame_size, f.code.size());
  const Word* b = f.code.data();
  const Word* e = b + f.code.size();
  for (const Word* w = b; w != e; ++w) {
    const char* name = nullptr;
    for (size_t i = 0; i < size_t(H::Count_); ++i)
      if (labels[i] == w->h) name = kNames[i];
    if (name)
      std::fprintf(stderr, "%5td  %s\n", w - b, name);
    else if (w->target >= b && w->target <= e)
      std::fprintf(stderr, "%5td      [%u, %u] / ->%td\n", w - b, w->s.a, w->s.b, w->target - b);
    else
      std::fprintf(stderr, "%5td      [%u, %u]\n", w - b, w->s.a, w->s.b);
  }
}

}  // namespace

Result<std::unique_ptr<CompiledFunc>> compile_function(const Module& m, uint32_t def_index, bool gc_maps) {
  {
    Compiler c(m, def_index, false, gc_maps);
    if (!c.needs_wide()) {
      auto r = c.run();
      if (!r || *r) return r;
    }
  }
  Compiler w(m, def_index, true, gc_maps);
  return w.run();
}

}  // namespace wippy::exec
