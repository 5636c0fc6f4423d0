// compiler_control.cpp — the Compiler's blocks and branches: block arity
// and entry, return and tail calls, typed-reference branches, jumps to a
// label with its values moved into place, and conditional jumps that fuse
// an i32 compare (or an add + compare) into one compare-and-branch handler.
#include "compiler_impl.h"

namespace wippy::exec::compile_detail {

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

void Compiler::block_type(const BlockType& bt, uint32_t& np, uint32_t& nr) const {
  np = nr = 0;
  if (bt.kind == BlockType::Value) nr = 1;
  if (bt.kind == BlockType::TypeIndex) {
    np = uint32_t(m_.types[bt.type_index].params.size());
    nr = uint32_t(m_.types[bt.type_index].results.size());
  }
}

// return_call / return_call_indirect / return_call_ref: arguments in
// their home slots, then the handler (tail_call.inc) moves them to slot 0
// and enters the callee.
void Compiler::emit_tail_call(const Instr& in) {
  bool indirect = in.op == Op::ReturnCallIndirect, by_ref = in.op == Op::ReturnCallRef;
  const FuncType& ft = indirect || by_ref ? m_.types[in.a] : m_.func_type(in.a);
  uint32_t np = uint32_t(ft.params.size());
  uint32_t e = 0;
  if (indirect || by_ref) {
    e = slot(stack_height() - 1);
    pop();
  }
  uint32_t base = stack_height() - np;
  for (uint32_t p = base; p < stack_height(); ++p) materialize(p);
  const uint32_t nimp = m_.num_imported_funcs();
  const bool direct = !indirect && !by_ref, local = direct && in.a >= nimp;
  emit_handler(indirect ? H::ReturnCallIndirect
               : by_ref ? H::ReturnCallRef
               : local  ? H::ReturnCall
                        : H::ReturnCallImport);
  emit_slots(local ? in.a - nimp : in.a, home(base));
  if (indirect || by_ref) emit_slots(indirect ? in.b : e, e);
  emit_slots(np, 0);
  pop(np);
  unreachable_ = true;
  last_.end = SIZE_MAX;
}

// call_ref, ref.as_non_null, br_on_null, br_on_non_null (handlers in
// typed_ref.inc). The branches test the reference and skip a full branch.
void Compiler::emit_typed_ref(const Instr& in) {
  switch (in.op) {
    case Op::CallRef: {
      const FuncType& ft = m_.types[in.a];
      uint32_t np = uint32_t(ft.params.size()), nr = uint32_t(ft.results.size());
      uint32_t r = slot(stack_height() - 1);
      pop();
      uint32_t base = stack_height() - np;
      for (uint32_t p = base; p < stack_height(); ++p) materialize(p);
      emit_handler(H::CallRef);
      emit_slots(in.a, home(base));
      emit_slots(r, 0);
      gc_safepoint(here(), base);
      pop(np);
      for (uint32_t i = 0; i < nr; ++i) push_home();
      break;
    }
    case Op::RefAsNonNull: {
      uint32_t r = slot(stack_height() - 1);  // before emit_handler(): a constant operand is moved to a slot first
      emit_handler(H::RefAsNonNull);
      emit_slots(r, 0);
      break;
    }
    case Op::BrOnNull: {
      materialize(stack_height() - 1);
      uint32_t r = slot(stack_height() - 1);
      pop();
      emit_handler(H::JmpIfNonNull);
      emit_slots(r, 0);
      uint32_t skip = target(0);
      emit_branch(in.a);
      patch(skip, here());
      push_home();  // the reference, still in its home slot
      break;
    }
    case Op::BrOnCast:
    case Op::BrOnCastFail: {  // the reference goes along the branch and stays on fallthrough
      uint32_t r = slot(stack_height() - 1);
      emit_handler(in.op == Op::BrOnCast ? H::JmpUnlessCast : H::JmpIfCast);
      emit_slots(r, 0);
      emit_slots(cast_heap(uint32_t(in.imm64)), ref_nullable(ValType(uint32_t(in.imm64))));
      uint32_t skip = target(0);
      emit_branch(in.a);
      patch(skip, here());
      break;
    }
    case Op::BrOnNonNull: {
      uint32_t r = slot(stack_height() - 1);  // before emit_handler(), as above
      emit_handler(H::JmpIfNull);
      emit_slots(r, 0);
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
void Compiler::emit_jump(Ctrl& c) {
  if (mov_end_ == code_.size() && straight_from(mov_start_)) {
    // the moves just before (branch values, loop variables) and the jump: one dispatch
    Word cnt;
    cnt.s.a = uint32_t(mov_end_ - mov_start_ - 1);
    cnt.s.b = 0;
    H movs = wide_ ? (c.kind == CtrlKind::Loop ? H::MovsBrChkW : H::MovsBrW)
                   : (c.kind == CtrlKind::Loop ? H::MovsBrChk : H::MovsBr);
    code_[mov_start_].h = labels_[size_t(movs)];
    code_.insert(code_.begin() + long(mov_start_) + 1, cnt);
    mov_end_ = SIZE_MAX;
    if (c.kind == CtrlKind::Loop)
      target(c.loop_pc);
    else
      c.fixups.push_back(target(0));
    return;
  }
  if (c.kind == CtrlKind::Loop) {
    emit_handler(H::BrChk);
    target(c.loop_pc);
  } else {
    emit_handler(H::Br);
    c.fixups.push_back(target(0));
  }
}

// Full branch to depth l: moves + jump (or return).
void Compiler::emit_branch(uint32_t l) {
  Ctrl& c = ctl_[ctl_.size() - 1 - l];
  if (c.kind == CtrlKind::Func) {
    emit_return();
    return;
  }
  move_top_to(arity(c), dest(c));
  emit_jump(c);
}

// Conditional jump on entry `c` (already popped, was at position p): to
// label `l` when `when`, or (l == kNone) to a forward fixup returned.
// `loop_pc` != kNone means a backward jump to that index (with check).
uint32_t Compiler::emit_cond_jump(const Entry& c, uint32_t p, bool when, uint32_t back_pc) {
  bool chk = back_pc != kNone;
  auto tgt = [&] { return target(chk ? back_pc : 0); };
  if (is_last(c)) {
    Cond cd = cond_of(last_.op);
    if (cd != CNone) {
      Last l = last_, pv = prev_;
      truncate(l.start);
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
        truncate(pair ? w : ai);
        addi_end_ = SIZE_MAX;
        emit_handler(add_branch(cc, l.imm ? 0 : 1, chk));
        emit_slots(w1.s.a, w1.s.b);
        emit_slots(add, l.b);
        return tgt();
      }
      if (!l.imm && pv.end == l.start && pv.start + 3 == l.start && add_into(pv.start, H::I32Add_r, pv.start + 1)) {
        // [add_r][dst, a][b, -]
        Word w1 = code_[pv.start + 1], w2 = code_[pv.start + 2];
        truncate(pv.start);
        emit_handler(add_branch(cc, 2, chk));
        emit_slots(w1.s.a, w1.s.b);
        emit_slots(w2.s.a, l.b);
        return tgt();
      }
      emit_handler(cond_branch(cc, l.imm, chk));
      emit_slots(l.a, l.b);
      return tgt();
    }
    if (last_.op == Op::I32Eqz) {
      Last l = last_;
      truncate(l.start);
      last_.end = SIZE_MAX;
      emit_handler(when ? (chk ? H::BrZChk : H::BrZ) : (chk ? H::BrNzChk : H::BrNz));
      emit_slots(l.a, 0);
      return tgt();
    }
  }
  uint32_t s;
  if (c.kind == EntryKind::Const) {
    emit_handler(H::Const);
    emit_slots(home(p), 0);
    emit_word(c.imm);
    s = home(p);
  } else if (c.kind == EntryKind::AddImm) {
    emit_addi(home(p), c.slot, uint32_t(c.imm));
    s = home(p);
  } else {
    s = c.slot;
  }
  emit_handler(when ? (chk ? H::BrNzChk : H::BrNz) : (chk ? H::BrZChk : H::BrZ));
  emit_slots(s, 0);
  return tgt();
}

}  // namespace wippy::exec::compile_detail
