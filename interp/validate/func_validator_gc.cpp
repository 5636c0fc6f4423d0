// func_validator_gc.cpp — the validation rules of GC's value instructions:
// ref.eq ([eqref eqref] -> [i32]), ref.i31 ([i32] -> [(ref i31)]),
// i31.get_s/_u ([i31ref] -> [i32]), any.convert_extern and
// extern.convert_any (the result keeps the operand's nullability).
// Part of FuncValidator (func_validator.h).
#include <fmt/format.h>

#include "interp/validate/func_validator.h"

namespace wippy {

bool FuncValidator::step_gc(const Instr& in) {
  switch (in.op) {
    case Op::RefEq:
      pop(make_ref(true, kHeapEq));
      pop(make_ref(true, kHeapEq));
      push(ValType::I32);
      return true;
    case Op::RefI31:
      pop(ValType::I32);
      push(make_ref(false, kHeapI31));
      return true;
    case Op::I31GetS:
    case Op::I31GetU:
      pop(make_ref(true, kHeapI31));
      push(ValType::I32);
      return true;
    case Op::AnyConvertExtern:
    case Op::ExternConvertAny: {
      const bool to_any = in.op == Op::AnyConvertExtern;
      ValType t = pop(make_ref(true, to_any ? kHeapExtern : kHeapAny));
      // The polymorphic stack's operand may be taken as non-null.
      const bool nullable = t != kUnknown && is_ref(t) && ref_nullable(t);
      push(make_ref(nullable, to_any ? kHeapAny : kHeapExtern));
      return true;
    }
    default:
      fail(fmt::format("unsupported instruction {}", op_info(in.op).text));
      return false;
  }
}

}  // namespace wippy
