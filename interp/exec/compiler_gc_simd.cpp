// compiler_gc_simd.cpp — the Compiler's struct.* / array.* instructions
// (layouts from make_gc_layout, W handler forms for v128 fields) and its
// SIMD instructions, which need a wide function (go_wide starts over).
#include "compiler_impl.h"

namespace wippy::exec::compile_detail {

// Whether instruction `in` on an object of layout `l` moves a v128 value
// through the operand stack (the bulk instructions copy bytes instead).
bool Compiler::gc_moves_v128(const Instr& in, const GcLayout& l) {
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
Result<void> Compiler::emit_gc_object(const Instr& in) {
  const GcLayout l = in.op == Op::ArrayLen ? GcLayout{} : make_gc_layout(m_.subtypes[in.a]);
  const bool w = gc_moves_v128(in, l);
  if (w && !wide_) return go_wide();
  auto pick = [w](H narrow, H wide) { return w ? wide : narrow; };
  const uint32_t signed_read = in.op == Op::StructGetS || in.op == Op::ArrayGetS ? 0x100 : 0;
  switch (in.op) {
    case Op::StructNew:
    case Op::ArrayNewFixed: {
      const uint32_t n = in.op == Op::StructNew ? uint32_t(l.fields.size()) : in.b;
      const uint32_t base = stack_height() - n;
      for (uint32_t p = base; p < stack_height(); ++p) materialize(p);
      const uint32_t b = home(base);
      gc_safepoint(here() + 1, stack_height());
      pop(n);
      const uint32_t d = push_home();
      if (in.op == Op::StructNew) {
        emit_handler(pick(H::StructNew, H::StructNewW));
        emit_slots(d, b);
        emit_slots(in.a, slots_per_value());
      } else {
        emit_handler(pick(H::ArrayNewFixed, H::ArrayNewFixedW));
        emit_slots(d, b);
        emit_slots(in.a, n);
        emit_slots(slots_per_value(), 0);
      }
      return {};
    }
    case Op::StructNewDefault: {
      gc_safepoint(here() + 1, stack_height());
      const uint32_t d = push_home();
      emit_handler(H::StructNewDefault);
      emit_slots(d, 0);
      emit_slots(in.a, 0);
      return {};
    }
    case Op::StructGet:
    case Op::StructGetS:
    case Op::StructGetU:
    case Op::ArrayNewDefault:
    case Op::ArrayLen: {
      const uint32_t a = slot(stack_height() - 1);
      if (in.op == Op::ArrayNewDefault) gc_safepoint(here() + 1, stack_height());
      pop();
      const size_t start = code_.size();
      const uint32_t d = push_home();
      if (in.op == Op::ArrayNewDefault) {
        emit_handler(H::ArrayNewDefault);
        emit_slots(d, a);
        emit_slots(in.a, 0);
        return {};
      }
      emit_handler(in.op == Op::ArrayLen ? H::ArrayLen : pick(H::StructGet, H::StructGetW));
      emit_slots(d, a);
      if (in.op != Op::ArrayLen) emit_slots(l.offsets[in.b], storage_bytes(l.fields[in.b].type) | signed_read);
      produced(start, uint32_t(start + 1));
      return {};
    }
    case Op::StructSet:
    case Op::ArrayNew:
    case Op::ArrayGet:
    case Op::ArrayGetS:
    case Op::ArrayGetU: {
      const uint32_t p = stack_height() - 2;
      const uint32_t a = slot(p), b = slot(p + 1);
      if (in.op == Op::ArrayNew) gc_safepoint(here() + 1, stack_height());
      pop(2);
      if (in.op == Op::StructSet) {
        emit_handler(pick(H::StructSet, H::StructSetW));
        emit_slots(a, b);
        emit_slots(l.offsets[in.b], storage_bytes(l.fields[in.b].type));
        return {};
      }
      const uint32_t d = push_home();
      emit_handler(in.op == Op::ArrayNew ? pick(H::ArrayNew, H::ArrayNewW) : pick(H::ArrayGet, H::ArrayGetW));
      emit_slots(d, a);
      if (in.op == Op::ArrayNew) emit_slots(b, in.a);
      else emit_slots(b, l.size | signed_read);
      return {};
    }
    case Op::ArraySet: {
      const uint32_t p = stack_height() - 3;
      const uint32_t a = slot(p), i = slot(p + 1), v = slot(p + 2);
      pop(3);
      emit_handler(pick(H::ArraySet, H::ArraySetW));
      emit_slots(a, i);
      emit_slots(v, l.size);
      return {};
    }
    case Op::ArrayNewData:
    case Op::ArrayNewElem: {
      const uint32_t p = stack_height() - 2;
      const uint32_t s = slot(p), n = slot(p + 1);
      gc_safepoint(here() + 1, stack_height());
      pop(2);
      const uint32_t d = push_home();
      emit_handler(in.op == Op::ArrayNewData ? H::ArrayNewData : H::ArrayNewElem);
      emit_slots(d, s);
      emit_slots(n, in.a);
      emit_slots(in.b, l.size);
      return {};
    }
    case Op::ArrayFill:
    case Op::ArrayInitData:
    case Op::ArrayInitElem: {
      const uint32_t p = stack_height() - 4;
      const uint32_t a = slot(p), i = slot(p + 1), x = slot(p + 2), n = slot(p + 3);
      pop(4);
      emit_handler(in.op == Op::ArrayFill       ? pick(H::ArrayFill, H::ArrayFillW)
        : in.op == Op::ArrayInitData ? H::ArrayInitData
                                     : H::ArrayInitElem);
      emit_slots(a, i);
      emit_slots(x, n);
      emit_slots(in.op == Op::ArrayFill ? 0 : in.b, l.size);
      return {};
    }
    case Op::ArrayCopy: {
      const uint32_t p = stack_height() - 5;
      const uint32_t a = slot(p), i = slot(p + 1), b = slot(p + 2), j = slot(p + 3), n = slot(p + 4);
      pop(5);
      emit_handler(H::ArrayCopy);
      emit_slots(a, i);
      emit_slots(b, j);
      emit_slots(n, l.size);
      return {};
    }
    default:
      return make_error(ErrorKind::Trap, std::string("unsupported instruction ") + op_info(in.op).text);
  }
}

// The handler of SIMD opcode `op`.
H Compiler::simd_handler(Op op) {
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
uint32_t Compiler::addr_operand(uint32_t p, uint32_t& add) {
  add = 0;
  if (stk_[p].kind == EntryKind::AddImm) {
    add = uint32_t(stk_[p].imm);
    return stk_[p].slot;
  }
  return slot(p);
}

// One SIMD instruction (wide functions only), in the layouts of handlers.def.
Result<void> Compiler::simd(const Instr& in, const OpInfo& info) {
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
      emit_handler(hid);
      emit_slots(d, 0);
      emit_word(lo);
      emit_word(hi);
      break;
    }
    case ImmKind::MemArg:
    case ImmKind::MemArgLane: {
      bool store = info.sig == Sig::iv_, lane = info.imm == ImmKind::MemArgLane;
      uint32_t p = stack_height() - (store || lane ? 2 : 1), add;
      uint32_t v = store || lane ? slot(p + 1) : 0;
      uint32_t addr = addr_operand(p, add);
      pop(stack_height() - p);
      start = code_.size();
      result = !store;
      uint32_t d = result ? push_home() : 0;
      emit_handler(hid);
      emit_slots(store ? addr : d, store ? v : addr);
      emit_slots(add, in.b);
      if (lane && store) emit_slots(in.lane, 0);
      if (lane && !store) emit_slots(v, in.lane);
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
      uint32_t p = stack_height() - n;
      uint32_t ops[3] = {0, 0, 0};
      for (uint32_t i = n; i-- > 0;) ops[i] = slot(p + i);
      pop(n);
      start = code_.size();
      uint32_t d = push_home();
      emit_handler(hid);
      emit_slots(d, ops[0]);
      if (info.imm == ImmKind::Lane)
        emit_slots(n == 2 ? ops[1] : in.lane, n == 2 ? in.lane : 0);
      else if (n > 1)
        emit_slots(ops[1], ops[2]);
      if (info.imm == ImmKind::Shuffle) {
        emit_word(lo);
        emit_word(hi);
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

}  // namespace wippy::exec::compile_detail
