// func_validator_refs.cpp — the validation rules of the typed function
// references instructions (call_ref, return_call_ref, ref.as_non_null,
// br_on_null, br_on_non_null), of GC's ref.test and ref.cast (the operand:
// any reference of the target type's hierarchy) and br_on_cast(_fail), and
// of value types that name a type index.
// Part of FuncValidator (func_validator.h): the operand is popped as a
// reference and the non-null type it refines to is pushed or passed on.
#include <fmt/format.h>

#include "interp/validate/func_validator.h"

namespace wippy {

bool FuncValidator::check_valtype(ValType t) {
  int64_t idx = ref_type_index(t);
  if (idx >= 0 && uint64_t(idx) >= m_.types.size()) {
    fail(fmt::format("unknown type {}", idx));
    return false;
  }
  return true;
}

bool FuncValidator::check_func_type(uint32_t type_index) {
  if (type_index >= m_.types.size()) {
    fail(fmt::format("unknown type {}", type_index));
    return false;
  }
  if (!m_.is_func_type(type_index)) {
    fail(fmt::format("type mismatch: type {} is not a function type", type_index));
    return false;
  }
  return true;
}

bool FuncValidator::step_typed_ref(const Instr& in) {
  switch (in.op) {
    case Op::CallRef:
    case Op::ReturnCallRef: {
      if (!check_func_type(in.a)) return false;
      const FuncType& ft = m_.types[in.a];
      pop(make_ref(true, kHeapTypeBase + in.a));
      pop(ft.params);
      if (in.op == Op::ReturnCallRef) return tail_results(ft);
      push(ft.results);
      return true;
    }
    case Op::RefAsNonNull:
    case Op::BrOnNull: {
      ValType t = pop();
      if (t != kUnknown && !is_ref(t)) {
        fail(fmt::format("type mismatch: {} expects a reference but got {}", op_info(in.op).text,
                         valtype_name(t)));
        return false;
      }
      if (in.op == Op::BrOnNull) {
        if (!check_label(in.a)) return false;
        std::span<const ValType> ls = label_types(ctrls_[ctrls_.size() - 1 - in.a]);
        pop(ls);
        push(ls);
      }
      push(t == kUnknown ? kUnknown : make_ref(false, ref_heap(t)));
      return true;
    }
    case Op::BrOnNonNull: {
      ValType t = pop();
      if (t != kUnknown && !is_ref(t)) {
        fail(fmt::format("type mismatch: br_on_non_null expects a reference but got {}", valtype_name(t)));
        return false;
      }
      if (!check_label(in.a)) return false;
      std::span<const ValType> ls = label_types(ctrls_[ctrls_.size() - 1 - in.a]);
      if (ls.empty()) {
        fail("type mismatch: br_on_non_null needs a label with a reference result");
        return false;
      }
      ValType last = ls.back();
      if (t != kUnknown && !sub(make_ref(false, ref_heap(t)), last)) {
        type_mismatch(last, make_ref(false, ref_heap(t)));
        return false;
      }
      std::span<const ValType> rest = ls.first(ls.size() - 1);
      pop(rest);
      push(rest);
      return true;
    }
    case Op::RefTest:
    case Op::RefTestNull:
    case Op::RefCast:
    case Op::RefCastNull: {
      const bool nullable = in.op == Op::RefTestNull || in.op == Op::RefCastNull;
      const ValType target = make_ref(nullable, ref_heap(ValType(in.a)));
      if (!check_valtype(target)) return false;
      pop(make_ref(true, heap_top(g_, ref_heap(target))));
      push(in.op == Op::RefTest || in.op == Op::RefTestNull ? ValType::I32 : target);
      return true;
    }
    case Op::BrOnCast:
    case Op::BrOnCastFail: {
      // [t* rt1] -> [t* rt1'] branching with rt2 (br_on_cast_fail: with rt1',
      // keeping rt2), where rt2 <: rt1 and rt1' is rt1 less rt2's null.
      const ValType from = ValType(in.b), to = ValType(uint32_t(in.imm64));
      if (!check_valtype(from) || !check_valtype(to) || !check_label(in.a)) return false;
      if (!sub(to, from)) {
        fail(fmt::format("type mismatch: {} to {} is not a subtype of {}", op_info(in.op).text, valtype_name(to),
                         valtype_name(from)));
        return false;
      }
      const ValType rest_type = ref_nullable(to) ? make_ref(false, ref_heap(from)) : from;
      const bool on_cast = in.op == Op::BrOnCast;
      std::span<const ValType> ls = label_types(ctrls_[ctrls_.size() - 1 - in.a]);
      if (ls.empty()) {
        fail(fmt::format("type mismatch: {} needs a label with a reference result", op_info(in.op).text));
        return false;
      }
      const ValType branched = on_cast ? to : rest_type;
      if (!sub(branched, ls.back())) {
        type_mismatch(ls.back(), branched);
        return false;
      }
      pop(from);
      std::span<const ValType> rest = ls.first(ls.size() - 1);
      pop(rest);
      push(rest);
      push(on_cast ? rest_type : to);
      return true;
    }
    default:
      fail(fmt::format("unsupported instruction {}", op_info(in.op).text));
      return false;
  }
}

}  // namespace wippy
