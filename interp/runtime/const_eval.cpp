// const_eval.cpp — a tiny stack machine for constant expressions.
#include "interp/runtime/const_eval.h"

#include <fmt/format.h>

#include <cstring>

#include "interp/reader.h"
#include "interp/ref_bits.h"

namespace wippy {

Result<Value> eval_const_expr(const Module& module, const Instance& inst, const ConstExpr& expr, Value* hi) {
  auto fail = [](std::string msg) { return make_error(ErrorKind::Other, std::move(msg)); };
  if (expr.end < expr.begin || expr.end > module.bytes.size()) return fail("constant expression out of range");
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
        if (in.a >= inst.funcs.size()) return fail(fmt::format("unknown function {}", in.a));
        stack.push_back(val_ref(reinterpret_cast<uint64_t>(inst.funcs[in.a])));
        break;
      case Op::RefI31:
      case Op::AnyConvertExtern:
      case Op::ExternConvertAny:  // the bridge changes no bits (ref_bits.h)
        if (stack.empty()) return fail("constant expression stack underflow");
        if (in.op == Op::RefI31) stack.back() = val_ref(ref_i31(stack.back().i32));
        break;
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

}  // namespace wippy
