// compiler_fusion.cpp — the Compiler's numeric instructions (plain) and
// their superinstructions: operands taken as immediates, a load or shift
// just emitted folded into the binary op that consumes it, SIMD lane ops
// reading their v128.load operand themselves.
#include "compiler_impl.h"

namespace wippy::exec::compile_detail {

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

// The <Op>M handler taking a v128.load as the second operand, or Count_.
H Compiler::simd_load_fused(Op op) {
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
bool Compiler::load_operand(Op op) {
  H fh = simd_load_fused(op);
  uint32_t p = stack_height() - 2;
  if (fh == H::Count_ || !is_last(stk_[p + 1]) || last_.fused != H::V128Load || !straight_from(last_.start))
    return false;
  if (stk_[p].kind != EntryKind::Local && stk_[p].kind != EntryKind::Home) return false;
  Word w1 = code_[last_.start + 1], w2 = code_[last_.start + 2];  // [dst, addr][add, off]
  fuse_binary(op, p, p + 1, fh, {pair(w1.s.b, w2.s.a), pair(w2.s.b, 0)});
  return true;
}

// Shift/rotate index within a <Op>Shl..<Op>Rotr group, or -1.
int Compiler::sh_index(Op op) {
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
int Compiler::sh_bin_group(Op op) {
  switch (op) {
    case Op::I32Xor: return 0;
    case Op::I32Or: return 1;
    case Op::I32Add: return 2;
    case Op::I32And: return 3;
    default: return -1;
  }
}

// Index of an i32-result load within a <Op>M_I32Load..<Op>M_I32Load16U group, or -1.
int Compiler::ld_index(Op op) {
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
H Compiler::ld_bin_group(Op op) {
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

// Replaces that instruction (position q) and the binary `op` with one
// handler: [fh][dst, other operand's slot] then `tail`.
void Compiler::fuse_binary(Op op, uint32_t p, uint32_t q, H fh, std::initializer_list<Word> tail) {
  uint32_t other = stk_[q == p ? p + 1 : p].slot;
  truncate(last_.start);
  last_.end = SIZE_MAX;
  pop(2);
  size_t st = code_.size();
  uint32_t d = push_home();
  emit_handler(fh);
  emit_slots(d, other);
  code_.insert(code_.end(), tail);
  produced(st, uint32_t(st + 1), op, false, other, 0);
  last_.fused = fh;
}

Result<void> Compiler::plain(Op op, const OpInfo& info) {
  const OpHandlers& hs = op_map()[size_t(op)];
  if (hs.r == H::Count_)
    return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + info.text);
  if (hs.i == H::Count_) {  // unary
    uint32_t p = stack_height() - 1;
    uint32_t a = slot(p);
    pop();
    size_t start = code_.size();
    uint32_t d = push_home();
    emit_handler(hs.r);
    emit_slots(d, a);
    produced(start, uint32_t(start + 1), op, false, a, 0);
    return {};
  }
  uint32_t p = stack_height() - 2;
  if (op == Op::I32Add || op == Op::I32Sub) {
    Entry& ea = stk_[p];
    Entry& eb = stk_[p + 1];
    if (eb.kind == EntryKind::Const && ea.kind != EntryKind::Const) {
      uint32_t c = op == Op::I32Add ? uint32_t(eb.imm) : uint32_t(0u - uint32_t(eb.imm));
      if (ea.kind == EntryKind::AddImm) {
        ea.imm = uint32_t(uint32_t(ea.imm) + c);
        pop();
        return {};
      }
      ea = Entry{EntryKind::AddImm, ea.slot, c};  // Local base, or Home at p itself
      pop();
      return {};
    }
    if (op == Op::I32Add && ea.kind == EntryKind::Const && eb.kind == EntryKind::Local) {
      ea = Entry{EntryKind::AddImm, eb.slot, uint32_t(ea.imm)};
      pop();
      return {};
    }
  }
  if (op == Op::F64Add && is_last(stk_[p + 1]) && last_.op == Op::F64Load &&
      stk_[p].kind == EntryKind::Home && prev_.end == last_.start && !prev_.retargeted &&
      prev_.fused == H::F64MulM &&
      code_[prev_.dst_word].s.a == stk_[p].slot && straight_from(prev_.start)) {
    // (a * mem[y]) + mem[x], both products of the two previous instructions
    Last l = last_, m = prev_;
    Word w1 = code_[m.start + 1], w2 = code_[m.start + 2], w3 = code_[m.start + 3];
    truncate(m.start);
    last_.end = SIZE_MAX;
    pop(2);
    size_t start = code_.size();
    uint32_t d = push_home();
    emit_handler(H::F64MulAddM);
    emit_slots(d, w1.s.b);
    code_.push_back(w2);
    emit_slots(w3.s.a, l.a);
    emit_slots(l.add, l.off);
    produced(start, uint32_t(start + 1));
    last_.fused = H::F64MulAddM;
    return {};
  }
  if ((op == Op::F64Add || op == Op::F64Sub || op == Op::F64Mul) && is_last(stk_[p + 1]) &&
      last_.op == Op::F64Load && (stk_[p].kind == EntryKind::Local || stk_[p].kind == EntryKind::Home)) {
    Last l = last_;
    truncate(l.start);
    last_.end = SIZE_MAX;
    uint32_t sa = stk_[p].slot;
    pop(2);
    size_t start = code_.size();
    uint32_t d = push_home();
    H fh = op == Op::F64Add ? H::F64AddM : op == Op::F64Sub ? H::F64SubM : H::F64MulM;
    emit_handler(fh);
    emit_slots(d, sa);
    emit_slots(l.a, l.add);
    emit_slots(l.off, 0);
    produced(start, uint32_t(start + 1));
    last_.fused = fh;
    return {};
  }
  if (stk_[p].kind == EntryKind::AddImm) materialize(p);
  if (stk_[p + 1].kind == EntryKind::AddImm) materialize(p + 1);
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
  if (b.kind == EntryKind::Const && a.kind != EntryKind::Const) {
    imm = true;
    sa = a.slot;
    iv = b.imm;
  } else if (a.kind == EntryKind::Const && b.kind != EntryKind::Const && swapped(op)) {
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
      last_.imm && code_[last_.dst_word].s.a == sa && sa >= nlocals_ && straight_from(last_.start)) {
    // (x >>u k) & mask, the shift just computed into this temporary
    Last l = last_;
    truncate(l.start);
    start = code_.size();
    emit_handler(H::I32ShrUAnd);
    emit_slots(d, l.a);
    emit_slots(l.b, uint32_t(iv));
    produced(start, uint32_t(start + 1), op, false, l.a, 0);
    last_.fused = H::I32ShrUAnd;
  } else if (imm) {
    emit_handler(hs2.i);
    emit_slots(d, sa);
    emit_word(iv);
    produced(start, uint32_t(start + 1), op, true, sa, uint32_t(iv));
  } else if (op == Op::I32Add && last_.end == start && last_.op == Op::I32Add && !last_.imm &&
             code_[last_.start].h == labels_[size_t(H::I32Add_r)] && straight_from(last_.start)) {
    // i32.add right after an i32.add of slots: one dispatch for both
    Last l = last_;
    Word w1 = code_[l.start + 1], w2 = code_[l.start + 2];
    truncate(l.start);
    start = code_.size();
    emit_handler(H::I32Add2);
    emit_slots(d, sa);
    emit_slots(sb, w1.s.a);
    emit_slots(w1.s.b, w2.s.a);
    produced(start, uint32_t(start + 1), op, false, sa, sb);
  } else {
    emit_handler(hs2.r);
    emit_slots(d, sa);
    emit_slots(sb, 0);
    produced(start, uint32_t(start + 1), op, false, sa, sb);
  }
  return {};
}

}  // namespace wippy::exec::compile_detail
