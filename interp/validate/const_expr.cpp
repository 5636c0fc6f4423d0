// const_expr.cpp — constant expression checks (see const_expr.h).
#include "interp/validate/const_expr.h"

#include <fmt/format.h>

#include <optional>

#include "interp/reader.h"
#include "interp/validate/sig_table.h"

namespace wippy {

namespace {

struct Where {
  const char* what;
  size_t index;
};

Error invalid(const std::string& msg, Where w, uint32_t offset) {
  return make_error(ErrorKind::Invalid,
                    fmt::format("{} in {} {} at offset {}", msg, w.what, w.index, offset));
}

// struct.new(_default) and array.new(_default/_fixed) of type in.a: pops
// their operands from `stack` and pushes the (ref in.a) they make; an
// error message otherwise.
std::optional<std::string> gc_new(const Module& module, const Instr& in, std::vector<ValType>& stack) {
  const bool is_struct = in.op == Op::StructNew || in.op == Op::StructNewDefault;
  if (in.a >= module.types.size()) return fmt::format("unknown type {}", in.a);
  const SubType& s = module.subtypes[in.a];
  if (s.kind != (is_struct ? CompKind::Struct : CompKind::Array))
    return fmt::format("type mismatch: type {} is not {} type", in.a, is_struct ? "a struct" : "an array");
  const TypeGraph g = module.type_graph();
  auto pop = [&](ValType want) -> std::optional<std::string> {
    if (stack.empty() || !val_subtype(g, stack.back(), want))
      return fmt::format("type mismatch: {} expects {}", op_info(in.op).text, valtype_name(want));
    stack.pop_back();
    return std::nullopt;
  };
  const ValType elem = s.fields.empty() ? ValType::I32 : unpacked(s.fields[0].type);
  std::optional<std::string> err;
  switch (in.op) {
    case Op::StructNew:
      for (size_t i = s.fields.size(); i-- > 0 && !err;) err = pop(unpacked(s.fields[i].type));
      break;
    case Op::ArrayNew:
      if (!(err = pop(ValType::I32))) err = pop(elem);
      break;
    case Op::ArrayNewFixed:
      for (uint32_t i = 0; i < in.b && !err; ++i) err = pop(elem);
      break;
    default:  // the _default ones: every field defaultable
      for (const FieldType& f : s.fields)
        if (!is_defaultable(f.type)) return fmt::format("type mismatch: {} is not defaultable", valtype_name(f.type));
      if (in.op == Op::ArrayNewDefault) err = pop(ValType::I32);
      break;
  }
  if (err) return err;
  stack.push_back(make_ref(false, kHeapTypeBase + in.a));
  return std::nullopt;
}

}  // namespace

Result<void> validate_const_expr(const Module& module, const ConstExpr& expr, ValType expected,
                                 const char* what_kind, size_t index, uint32_t visible_globals) {
  Where what{what_kind, index};
  Reader r(module.span(expr.begin, expr.end), expr.begin);
  Instr in;
  std::vector<ValType> stack;
  for (;;) {
    if (r.at_end())
      return make_error(ErrorKind::Malformed,
                        fmt::format("unexpected end of {} {} at offset {}", what.what, what.index,
                                    r.offset()));
    if (!read_instr(r, in)) return make_error(ErrorKind::Malformed, r.error());
    const OpInfo& info = op_info(in.op);
    if (in.op == Op::End) break;
    switch (in.op) {
      case Op::I32Const:
      case Op::I64Const:
      case Op::F32Const:
      case Op::F64Const:
        stack.push_back(validate_detail::kOpOperands[uint16_t(in.op)].result);
        continue;
      case Op::I32Add:
      case Op::I32Sub:
      case Op::I32Mul:
      case Op::I64Add:
      case Op::I64Sub:
      case Op::I64Mul: {  // extended constant expressions
        ValType t = validate_detail::kOpOperands[uint16_t(in.op)].result;
        for (int k = 0; k < 2; ++k) {
          if (stack.empty() || stack.back() != t)
            return invalid(fmt::format("type mismatch: {} expects two {} operands", info.text,
                                       valtype_name(t)),
                           what, in.offset);
          stack.pop_back();
        }
        stack.push_back(t);
        continue;
      }
      case Op::RefNull:
        if (ref_type_index(ValType(in.a)) >= int64_t(module.types.size()))
          return invalid(fmt::format("unknown type {}", ref_type_index(ValType(in.a))), what, in.offset);
        stack.push_back(ValType(in.a));
        continue;
      case Op::RefFunc:
        if (in.a >= module.num_funcs())
          return invalid(fmt::format("unknown function {}", in.a), what, in.offset);
        stack.push_back(make_ref(false, kHeapTypeBase + module.func_type_index(in.a)));
        continue;
      case Op::RefI31:
      case Op::AnyConvertExtern:
      case Op::ExternConvertAny: {  // GC's constant instructions (one operand)
        const ValType want = in.op == Op::RefI31            ? ValType::I32
                             : in.op == Op::AnyConvertExtern ? make_ref(true, kHeapExtern)
                                                             : make_ref(true, kHeapAny);
        if (stack.empty() || !val_subtype(module.type_graph(), stack.back(), want))
          return invalid(fmt::format("type mismatch: {} expects {}", info.text, valtype_name(want)), what,
                         in.offset);
        const bool nullable = is_ref(stack.back()) && ref_nullable(stack.back());
        stack.back() = in.op == Op::RefI31            ? make_ref(false, kHeapI31)
                       : in.op == Op::AnyConvertExtern ? make_ref(nullable, kHeapAny)
                                                       : make_ref(nullable, kHeapExtern);
        continue;
      }
      case Op::StructNew:
      case Op::StructNewDefault:
      case Op::ArrayNew:
      case Op::ArrayNewDefault:
      case Op::ArrayNewFixed:
        if (auto err = gc_new(module, in, stack)) return invalid(*err, what, in.offset);
        continue;
      case Op::GlobalGet: {
        if (in.a >= visible_globals)
          return invalid(fmt::format("unknown global {}", in.a), what, in.offset);
        GlobalType g = module.global_type(in.a);
        if (g.mut) return invalid("constant expression required", what, in.offset);
        stack.push_back(g.type);
        continue;
      }
      default:
        break;
    }
    if (info.imm == ImmKind::V128 && info.prefix == 0xFD) {  // v128.const
      stack.push_back(ValType::V128);
      continue;
    }
    return invalid("constant expression required", what, in.offset);
  }
  if (stack.size() != 1 || !val_subtype(module.type_graph(), stack[0], expected))
    return invalid(fmt::format("type mismatch: expected [{}] but expression produces {} value(s)",
                               valtype_name(expected), stack.size()),
                   what, expr.begin);
  return {};
}

void collect_const_expr_refs(const Module& module, const ConstExpr& expr,
                             std::vector<uint8_t>& declared) {
  Reader r(module.span(expr.begin, expr.end), expr.begin);
  Instr in;
  while (!r.at_end() && read_instr(r, in) && in.op != Op::End) {
    if (in.op == Op::RefFunc && in.a < declared.size()) declared[in.a] = 1;
  }
}

}  // namespace wippy
