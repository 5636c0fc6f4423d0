// const_expr.h — validation of WebAssembly 2.0 constant expressions
// (global initializers, segment offsets, element expressions).
// Allowed instructions: t.const, ref.null t, ref.func x (any function),
// i32/i64 add, sub and mul (extended constant expressions), global.get x
// where x is an immutable global below `visible_globals` (a global's
// initializer sees the imported and earlier globals, segments see all),
// v128.const, and 3.0's GC ones: ref.i31, any.convert_extern,
// extern.convert_any, struct.new(_default), array.new(_default/_fixed);
// the sequence must leave exactly one value of the expected type. Errors
// are ErrorKind::Invalid: "constant expression required", "type mismatch",
// "unknown global N", "unknown function N", "unknown type N".
#pragma once
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "interp/module.h"

namespace wippy {

// `what` and `index` name the expression's owner in messages ("global", 3).
Result<void> validate_const_expr(const Module& module, const ConstExpr& expr, ValType expected,
                                 const char* what, size_t index, uint32_t visible_globals);

// Marks every function index named by ref.func inside `expr` in `declared`
// (sized module.num_funcs(); out-of-range indices are ignored here).
void collect_const_expr_refs(const Module& module, const ConstExpr& expr,
                             std::vector<uint8_t>& declared);

}  // namespace wippy
