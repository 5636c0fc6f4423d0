// func_validator_gc.cpp — the validation rules of GC's value instructions:
// ref.eq ([eqref eqref] -> [i32]), ref.i31 ([i32] -> [(ref i31)]),
// i31.get_s/_u ([i31ref] -> [i32]), any.convert_extern and
// extern.convert_any (the result keeps the operand's nullability), and the
// struct and array instructions (struct.new(_default), struct.get(_s/_u),
// struct.set, array.new(_default/_fixed), array.get(_s/_u), array.set,
// array.len): the type index names a struct or array type, packed fields
// are read with _s/_u only (and others without), set needs a mutable field;
// and the bulk array instructions (array.new_data/_elem, array.fill,
// array.copy, array.init_data/_elem): those that write need a mutable
// array, data ones a numeric or vector element type, elem ones a segment
// whose type matches the element type, copy a source element type that
// matches the destination's (packed types only themselves).
// Part of FuncValidator (func_validator.h).
#include <fmt/format.h>

#include "interp/validate/func_validator.h"

namespace wippy {

const SubType* FuncValidator::gc_type(uint32_t type_index, CompKind kind) {
  if (type_index >= m_.types.size()) {
    fail(fmt::format("unknown type {}", type_index));
    return nullptr;
  }
  const SubType& s = m_.subtypes[type_index];
  if (s.kind != kind) {
    fail(fmt::format("type mismatch: type {} is not {} type", type_index,
                     kind == CompKind::Struct ? "a struct" : "an array"));
    return nullptr;
  }
  return &s;
}

bool FuncValidator::gc_access(const Instr& in, const FieldType& f, bool set, bool plain_get, bool array) {
  if (set && !f.mut) {
    fail(array ? "immutable array" : "immutable field");
    return false;
  }
  if (!set && is_packed(f.type) != !plain_get) {
    fail(fmt::format("type mismatch: {} of {} of type {}", op_info(in.op).text, array ? "an element" : "a field",
                     valtype_name(f.type)));
    return false;
  }
  if (set) pop(unpacked(f.type));
  if (array) pop(ValType::I32);
  pop(make_ref(true, kHeapTypeBase + in.a));
  if (!set) push(unpacked(f.type));
  return true;
}

bool FuncValidator::array_bulk(const Instr& in) {
  const SubType* s = gc_type(in.a, CompKind::Array);
  if (!s) return false;
  const FieldType f = s->fields.empty() ? FieldType{} : s->fields[0];
  const bool creates = in.op == Op::ArrayNewData || in.op == Op::ArrayNewElem;
  if (!creates && !f.mut) {
    fail("immutable array");
    return false;
  }
  const ValType array = make_ref(true, kHeapTypeBase + in.a);
  switch (in.op) {
    case Op::ArrayNewData:
    case Op::ArrayInitData:
      if (!check_data_count()) return false;
      if (is_ref(f.type)) {
        fail(fmt::format("array type is not numeric or vector: {} elements", valtype_name(f.type)));
        return false;
      }
      if (in.b >= m_.datas.size()) {
        fail(fmt::format("unknown data segment {}", in.b));
        return false;
      }
      break;
    case Op::ArrayNewElem:
    case Op::ArrayInitElem:
      if (in.b >= m_.elems.size()) {
        fail(fmt::format("unknown elem segment {}", in.b));
        return false;
      }
      if (!is_ref(f.type) || !sub(m_.elems[in.b].type, f.type)) {
        fail(fmt::format("type mismatch: {} of a {} segment into {} elements", op_info(in.op).text,
                         valtype_name(m_.elems[in.b].type), valtype_name(f.type)));
        return false;
      }
      break;
    case Op::ArrayCopy: {
      const SubType* src = gc_type(in.b, CompKind::Array);
      if (!src) return false;
      const ValType from = src->fields.empty() ? ValType::I32 : src->fields[0].type;
      if (!sub(from, f.type)) {  // packed types match only themselves
        fail(fmt::format("array types do not match: array.copy from {} elements to {} elements",
                         valtype_name(from), valtype_name(f.type)));
        return false;
      }
      pop(ValType::I32);  // n
      pop(ValType::I32);  // source index
      pop(make_ref(true, kHeapTypeBase + in.b));
      pop(ValType::I32);  // destination index
      pop(array);
      return true;
    }
    default:  // array.fill
      pop(ValType::I32);  // n
      pop(unpacked(f.type));
      pop(ValType::I32);  // index
      pop(array);
      return true;
  }
  pop(ValType::I32);  // n
  pop(ValType::I32);  // segment offset
  if (creates) {
    push(make_ref(false, kHeapTypeBase + in.a));
  } else {
    pop(ValType::I32);  // array index
    pop(array);
  }
  return true;
}

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
    case Op::StructNew:
    case Op::StructNewDefault: {
      const SubType* s = gc_type(in.a, CompKind::Struct);
      if (!s) return false;
      if (in.op == Op::StructNew) {
        for (size_t i = s->fields.size(); i-- > 0;) pop(unpacked(s->fields[i].type));
      } else {
        for (const FieldType& f : s->fields)
          if (!is_defaultable(f.type)) {
            fail(fmt::format("type mismatch: field of type {} is not defaultable", valtype_name(f.type)));
            return false;
          }
      }
      push(make_ref(false, kHeapTypeBase + in.a));
      return true;
    }
    case Op::StructGet:
    case Op::StructGetS:
    case Op::StructGetU:
    case Op::StructSet: {
      const SubType* s = gc_type(in.a, CompKind::Struct);
      if (!s) return false;
      if (in.b >= s->fields.size()) {
        fail(fmt::format("unknown field {}", in.b));
        return false;
      }
      return gc_access(in, s->fields[in.b], in.op == Op::StructSet, in.op == Op::StructGet, false);
    }
    case Op::ArrayNew:
    case Op::ArrayNewDefault:
    case Op::ArrayNewFixed: {
      const SubType* s = gc_type(in.a, CompKind::Array);
      if (!s) return false;
      const ValType e = s->fields.empty() ? ValType::I32 : s->fields[0].type;
      if (in.op == Op::ArrayNewFixed) {
        for (uint32_t i = 0; i < in.b; ++i) pop(unpacked(e));
      } else {
        pop(ValType::I32);
        if (in.op == Op::ArrayNew) {
          pop(unpacked(e));
        } else if (!is_defaultable(e)) {
          fail(fmt::format("type mismatch: array element of type {} is not defaultable", valtype_name(e)));
          return false;
        }
      }
      push(make_ref(false, kHeapTypeBase + in.a));
      return true;
    }
    case Op::ArrayGet:
    case Op::ArrayGetS:
    case Op::ArrayGetU:
    case Op::ArraySet: {
      const SubType* s = gc_type(in.a, CompKind::Array);
      if (!s) return false;
      const FieldType f = s->fields.empty() ? FieldType{} : s->fields[0];
      return gc_access(in, f, in.op == Op::ArraySet, in.op == Op::ArrayGet, true);
    }
    case Op::ArrayLen:
      pop(make_ref(true, kHeapArray));
      push(ValType::I32);
      return true;
    case Op::ArrayNewData:
    case Op::ArrayNewElem:
    case Op::ArrayFill:
    case Op::ArrayCopy:
    case Op::ArrayInitData:
    case Op::ArrayInitElem:
      return array_bulk(in);
    default:
      fail(fmt::format("unsupported instruction {}", op_info(in.op).text));
      return false;
  }
}

}  // namespace wippy
