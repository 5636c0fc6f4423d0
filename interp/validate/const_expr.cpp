// const_expr.cpp — constant expression checks (see const_expr.h).
#include "interp/validate/const_expr.h"

#include <fmt/format.h>

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

}  // namespace

Result<void> validate_const_expr(const Module& module, const ConstExpr& expr, ValType expected,
                                 const char* what_kind, size_t index) {
  Where what{what_kind, index};
  Reader r(module.span(expr.begin, expr.end), expr.begin);
  Instr in;
  // Constant instructions only push, so the stack is described by its
  // depth and the type of its bottom value.
  uint32_t depth = 0;
  ValType bottom = ValType::I32;
  auto push = [&](ValType t) {
    if (depth++ == 0) bottom = t;
  };
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
        push(validate_detail::kOpOperands[uint16_t(in.op)].result);
        continue;
      case Op::RefNull:
        push(ValType(in.a));
        continue;
      case Op::RefFunc:
        if (in.a >= module.num_funcs())
          return invalid(fmt::format("unknown function {}", in.a), what, in.offset);
        push(ValType::FuncRef);
        continue;
      case Op::GlobalGet:
        // In 2.0 only imported globals are visible to constant expressions.
        if (in.a >= module.num_imported_globals())
          return invalid(fmt::format("unknown global {}", in.a), what, in.offset);
        if (module.imported_globals[in.a].mut)
          return invalid("constant expression required", what, in.offset);
        push(module.imported_globals[in.a].type);
        continue;
      default:
        break;
    }
    if (info.imm == ImmKind::V128 && info.prefix == 0xFD) {  // v128.const
      push(ValType::V128);
      continue;
    }
    return invalid("constant expression required", what, in.offset);
  }
  if (depth != 1 || bottom != expected)
    return invalid(fmt::format("type mismatch: expected [{}] but expression produces {} value(s)",
                               valtype_name(expected), depth),
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
