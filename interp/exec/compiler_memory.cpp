// compiler_memory.cpp — the Compiler's loads and stores on memory 0
// (memop): address add-immediates folded into the access, and consecutive
// stores or copies on the same base slots merged into one run handler
// whose bounds are checked once.
#include "compiler_impl.h"

namespace wippy::exec::compile_detail {

// The run handler of a store / copy handler (Count_ if none).
H Compiler::run_of(H single) {
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
bool Compiler::extend_run(H single, uint32_t a, uint32_t b) {
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
void Compiler::end_run() {
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

Result<void> Compiler::memop(const Instr& in, const OpInfo& info) {
  const OpHandlers& hs = op_map()[size_t(in.op)];
  if (hs.r == H::Count_)
    return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + info.text);
  bool is_store = info.sig == Sig::ii_ || info.sig == Sig::il_ || info.sig == Sig::if_ || info.sig == Sig::id_;
  // address = u32(base + add) + offset; an i32.add/sub with a constant
  // feeding the address folds into `add`.
  if (is_store) {
    uint32_t p = stack_height() - 2;
    const Entry& ae = stk_[p];
    if (is_last(stk_[p + 1]) && ae.kind != EntryKind::Const && op_info(last_.op).imm == ImmKind::MemArg &&
        op_info(last_.op).align == info.align) {
      Last l = last_;
      truncate(l.start);
      last_.end = SIZE_MAX;
      static constexpr H kCopy[] = {H::Copy1, H::Copy2, H::Copy4, H::Copy8};
      uint32_t dadd = ae.kind == EntryKind::AddImm ? uint32_t(ae.imm) : 0;
      uint32_t dslot = ae.slot;
      pop(2);
      if (extend_run(kCopy[info.align], dslot, l.a)) {
        emit_slots(dadd, in.b);
        emit_slots(l.add, l.off);
        end_run();
        return {};
      }
      size_t start = code_.size();
      emit_handler(kCopy[info.align]);
      emit_slots(dslot, l.a);
      emit_slots(dadd, in.b);
      emit_slots(l.add, l.off);
      run_ = Run{start, code_.size(), kCopy[info.align], dslot, l.a, false};
      return {};
    }
    if (info.align == 3 && in.op == Op::F64Store && is_last(stk_[p + 1]) && ae.kind != EntryKind::Const &&
        last_.fused == H::F64MulAddM) {
      // store(addr, a * mem[y] + mem[x]) as one handler
      Last l = last_;
      std::array<Word, 4> ops;
      std::copy(code_.begin() + long(l.start) + 1, code_.begin() + long(l.start) + 5, ops.begin());
      truncate(l.start);
      last_.end = SIZE_MAX;
      uint32_t add = ae.kind == EntryKind::AddImm ? uint32_t(ae.imm) : 0;
      uint32_t aslot = ae.slot;
      pop(2);
      emit_handler(H::F64MulAddMSt);
      emit_slots(0, ops[0].s.b);
      code_.push_back(ops[1]);
      code_.push_back(ops[2]);
      code_.push_back(ops[3]);
      emit_slots(aslot, add);
      emit_slots(in.b, 0);
      return {};
    }
    // a constant value that its 32-bit sign extension gives (any value
    // for stores of 4 bytes or less): stored from the code
    const Entry& ve = stk_[p + 1];
    bool konst = ve.kind == EntryKind::Const &&
                 (info.align < 3 || ve.imm == uint64_t(int64_t(int32_t(uint32_t(ve.imm)))));
    uint32_t v = konst ? uint32_t(ve.imm) : slot(p + 1);
    H sh = konst ? hs.i : hs.r;
    uint32_t add = 0;
    uint32_t addr = addr_operand(p, add);
    pop(2);
    if (extend_run(sh, addr, v)) {
      emit_slots(add, in.b);
      end_run();
      return {};
    }
    size_t start = code_.size();
    emit_handler(sh);
    emit_slots(addr, v);
    emit_slots(add, in.b);
    run_ = Run{start, code_.size(), sh, addr, v, false};
    return {};
  }
  uint32_t p = stack_height() - 1;
  uint32_t add = 0;
  uint32_t addr = addr_operand(p, add);
  pop();
  size_t start = code_.size();
  uint32_t d = push_home();
  emit_handler(hs.r);
  emit_slots(d, addr);
  emit_slots(add, in.b);
  produced(start, uint32_t(start + 1), in.op, false, addr, 0);
  last_.add = add;
  last_.off = in.b;
  return {};
}

}  // namespace wippy::exec::compile_detail
