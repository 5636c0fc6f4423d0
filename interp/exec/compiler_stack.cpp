// compiler_stack.cpp — the Compiler's emission primitives (moves and
// add-immediates that share one dispatch with their predecessor, the
// foldable-producer record) and its compile-time operand stack: entries
// materialized into home slots, parallel moves, packing of wide values.
#include "compiler_impl.h"

namespace wippy::exec::compile_detail {

// A move; consecutive moves with no jump target between them share one
// dispatch (Mov2..Mov4 run their moves in order; in wide functions the
// 16-byte MovW2..MovW4).
void Compiler::emit_mov(uint32_t dst, uint32_t src) {
  if (mov_end_ == code_.size() && straight_from(mov_start_)) {
    const void* cur = code_[mov_start_].h;
    auto is = [&](H id) { return cur == labels_[size_t(id)]; };
    H next = is(H::Mov) ? H::Mov2 : is(H::Mov2) ? H::Mov3 : is(H::Mov3) ? H::Mov4
             : is(H::MovW) ? H::MovW2 : is(H::MovW2) ? H::MovW3 : is(H::MovW3) ? H::MovW4
             : H::Count_;
    if (next != H::Count_) {
      code_[mov_start_].h = labels_[size_t(next)];
      emit_slots(dst, src);
      mov_end_ = code_.size();
      return;
    }
  }
  mov_start_ = code_.size();
  emit_handler(wide_ ? H::MovW : H::Mov);
  emit_slots(dst, src);
  mov_end_ = code_.size();
}

void Compiler::emit_addi(uint32_t dst, uint32_t src, uint32_t imm) {
  if (addi_end_ == code_.size() && straight_from(addi_start_) &&
      code_[addi_start_].h == labels_[size_t(H::I32Add_i)]) {
    // right after another add-immediate: one dispatch for both
    code_[addi_start_].h = labels_[size_t(H::I32AddI2)];
    emit_slots(dst, src);
    emit_word(imm);
    addi_end_ = code_.size();
    return;
  }
  addi_start_ = code_.size();
  emit_handler(H::I32Add_i);
  emit_slots(dst, src);
  emit_word(imm);
  addi_end_ = code_.size();
}

void Compiler::materialize(uint32_t p) {
  Entry& e = stk_[p];
  if (e.kind == EntryKind::Home) return;
  if (e.kind == EntryKind::Const) {
    emit_handler(H::Const);
    emit_slots(home(p), 0);
    emit_word(e.imm);
  } else if (e.kind == EntryKind::AddImm) {
    emit_addi(home(p), e.slot, uint32_t(e.imm));
  } else {
    emit_mov(home(p), e.slot);
  }
  e = Entry{EntryKind::Home, home(p), 0};
}

// Parallel move (handles overlaps and cycles through a scratch slot).
void Compiler::emit_moves(std::vector<Move> mv) {
  std::vector<Move> consts;
  std::vector<Move> pend;
  for (auto& m : mv) {
    if (m.src.kind == EntryKind::Const)
      consts.push_back(m);
    else if (m.src.slot != m.dst)
      pend.push_back(m);
  }
  uint32_t scratch = home(stack_height());
  note_height(stack_height() + 1);
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
    emit_handler(H::Const);
    emit_slots(m.dst, 0);
    emit_word(m.src.imm);
  }
}

// Moves the top n entries to consecutive slots starting at dst0.
void Compiler::move_top_to(uint32_t n, uint32_t dst0) {
  // Branch paths must not change the compile-time stack (the fall-through
  // path did not run this code): deferred adds are computed into their
  // own home slots (read by nothing else) without updating the entries.
  if (n == 1 && is_last(stk_[stack_height() - 1]) && stk_[stack_height() - 1].slot != dst0) {
    // Only on unconditional paths (return, br, else, end): is_last fails
    // once a conditional jump has been emitted after the producer. The
    // producer writes its destination after reading its operands.
    code_[last_.dst_word].s.a = dst0;
    last_.retargeted = true;
    return;
  }
  std::vector<Move> mv;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t q = stack_height() - n + i;
    Entry e = stk_[q];
    if (e.kind == EntryKind::AddImm) {
      emit_addi(home(q), e.slot, uint32_t(e.imm));
      e = Entry{EntryKind::Home, home(q), 0};
    }
    mv.push_back(Move{dst0 + slots_per_value() * i, e});
  }
  emit_moves(std::move(mv));
}

bool Compiler::top_in_place(uint32_t n, uint32_t dst0) const {
  for (uint32_t i = 0; i < n; ++i) {
    const Entry& e = stk_[stack_height() - n + i];
    if (e.kind != EntryKind::Home || e.slot != dst0 + slots_per_value() * i) return false;
  }
  return true;
}

}  // namespace wippy::exec::compile_detail
