// const_eval.cpp — a tiny stack machine for constant expressions.
#include "interp/runtime/const_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "interp/reader.h"
#include "interp/ref_bits.h"
#include "interp/runtime/gc_heap.h"

namespace wippy {

namespace {

// One field or element of storage size `size` at `p` (a v128 is `v` then `hi`).
void store_field(uint8_t* p, uint32_t size, Value v, Value hi) {
  std::memcpy(p, &v, std::min<uint32_t>(size, 8));
  if (size == 16) std::memcpy(p + 8, &hi, 8);
}

// struct.new(_default) and array.new(_default/_fixed): the object made of
// the operands at the end of `stack` (and their `highs`), which it pops.
Result<Value> gc_new(const ConstEnv& env, const Instr& in, std::vector<Value>& stack, std::vector<Value>& highs) {
  const uint32_t id = env.inst.type_ids[in.a];
  const GcLayout* l = env.store.gc_layout(id);
  if (!l) return make_error(ErrorKind::Other, fmt::format("type {} is not a struct or array type", in.a));
  const bool with_init = in.op == Op::StructNew || in.op == Op::ArrayNew || in.op == Op::ArrayNewFixed;
  const size_t operands = in.op == Op::StructNew         ? l->fields.size()
                          : in.op == Op::ArrayNewFixed   ? in.b
                          : in.op == Op::ArrayNew        ? 2
                          : in.op == Op::ArrayNewDefault ? 1
                                                         : 0;
  if (stack.size() < operands) return make_error(ErrorKind::Other, "constant expression stack underflow");
  const size_t base = stack.size() - operands;
  uint32_t length = 0;
  if (in.op == Op::ArrayNew || in.op == Op::ArrayNewDefault) length = stack.back().i32;
  if (in.op == Op::ArrayNewFixed) length = in.b;
  GcObject* o = env.store.gc_allocate(id, length);
  if (!o) return make_error(ErrorKind::Other, "out of memory: GC object beyond the store's memory limit");
  if (with_init && l->kind == CompKind::Struct) {
    for (size_t i = 0; i < l->fields.size(); ++i)
      store_field(o->payload() + l->offsets[i], storage_bytes(l->fields[i].type), stack[base + i], highs[base + i]);
  } else if (with_init) {
    for (uint32_t i = 0; i < length; ++i) {
      const size_t k = in.op == Op::ArrayNew ? base : base + i;
      store_field(o->payload() + size_t(i) * l->size, l->size, stack[k], highs[k]);
    }
  }
  stack.resize(base);
  highs.resize(base);
  return val_ref(gc_ref(o));
}

}  // namespace

Result<Value> eval_const_expr(const ConstEnv& env, const ConstExpr& expr, Value* hi) {
  const Module& module = env.module;
  Instance& inst = env.inst;
  auto fail = [](std::string msg) { return make_error(ErrorKind::Other, std::move(msg)); };
  if (expr.end < expr.begin || expr.end > module.bytes.size()) return fail("constant expression out of range");
  // The common `i32.const N` or `i64.const N` (offsets, most initializers).
  if (auto k = constant_offset(module, expr)) {
    if (hi) *hi = Value{};
    return val_i64(*k);
  }
  Reader r(module.span(expr.begin, expr.end), expr.begin);
  std::vector<Value> stack;
  std::vector<Value> highs;  // v128 values' high 8 bytes, kept beside `stack`
  Instr in;
  while (!r.at_end()) {
    if (!read_instr(r, in)) return fail(r.error());
    highs.resize(stack.size());
    switch (in.op) {
      case Op::V128Const: {
        uint64_t lo, h;
        std::memcpy(&lo, in.v128, 8);
        std::memcpy(&h, in.v128 + 8, 8);
        stack.push_back(val_i64(lo));
        highs.push_back(val_i64(h));
        break;
      }
      case Op::I32Const: stack.push_back(val_i32(uint32_t(in.imm64))); break;
      case Op::I64Const: stack.push_back(val_i64(in.imm64)); break;
      case Op::F32Const: {
        Value v = val_i64(0);
        v.i32 = uint32_t(in.imm64);
        stack.push_back(v);
        break;
      }
      case Op::F64Const: stack.push_back(val_i64(in.imm64)); break;
      case Op::RefNull: stack.push_back(val_ref(0)); break;
      case Op::RefFunc:
        if (in.a >= inst.num_funcs()) return fail(fmt::format("unknown function {}", in.a));
        stack.push_back(val_ref(reinterpret_cast<uint64_t>(inst.func(in.a))));
        break;
      case Op::RefI31:
      case Op::AnyConvertExtern:
      case Op::ExternConvertAny:  // the bridge changes no bits (ref_bits.h)
        if (stack.empty()) return fail("constant expression stack underflow");
        if (in.op == Op::RefI31) stack.back() = val_ref(ref_i31(stack.back().i32));
        break;
      case Op::StructNew:
      case Op::StructNewDefault:
      case Op::ArrayNew:
      case Op::ArrayNewDefault:
      case Op::ArrayNewFixed: {
        if (in.a >= env.inst.type_ids.size()) return fail(fmt::format("unknown type {}", in.a));
        auto v = gc_new(env, in, stack, highs);
        if (!v) return v.error();
        stack.push_back(*v);
        break;
      }
      case Op::GlobalGet:
        if (in.a >= inst.globals.size() || !inst.globals[in.a])
          return fail(fmt::format("unknown global {}", in.a));
        stack.push_back(inst.globals[in.a]->value);
        highs.push_back(inst.globals[in.a]->hi);
        break;
      case Op::I32Add: case Op::I32Sub: case Op::I32Mul:
      case Op::I64Add: case Op::I64Sub: case Op::I64Mul: {
        if (stack.size() < 2) return fail("constant expression stack underflow");
        Value b = stack.back(); stack.pop_back();
        Value& a = stack.back();
        switch (in.op) {
          case Op::I32Add: a = val_i32(a.i32 + b.i32); break;
          case Op::I32Sub: a = val_i32(a.i32 - b.i32); break;
          case Op::I32Mul: a = val_i32(a.i32 * b.i32); break;
          case Op::I64Add: a = val_i64(a.i64 + b.i64); break;
          case Op::I64Sub: a = val_i64(a.i64 - b.i64); break;
          default: a = val_i64(a.i64 * b.i64); break;
        }
        break;
      }
      case Op::End:
        if (stack.size() != 1) return fail("constant expression must leave one value");
        if (hi) *hi = highs.size() == 1 ? highs[0] : Value{};
        return stack.back();
      default:
        return fail(fmt::format("constant expression required (found {})", op_info(in.op).text));
    }
  }
  return fail("constant expression without end");
}

std::optional<uint64_t> constant_offset(const Module& m, const ConstExpr& expr) {
  Reader r(m.span(expr.begin, expr.end));
  const uint8_t op = r.u8();
  uint64_t n;
  if (op == 0x41) n = uint32_t(r.s32());
  else if (op == 0x42) n = uint64_t(r.s64());
  else return std::nullopt;
  if (r.u8() != 0x0b || !r.ok() || !r.at_end()) return std::nullopt;
  return n;
}

}  // namespace wippy
