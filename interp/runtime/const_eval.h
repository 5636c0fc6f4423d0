// const_eval.h — evaluation of constant expressions (global initializers,
// segment offsets, element initializers) against a partially built instance.
// Supports t.const, ref.null, ref.func (instance function index space) and
// global.get (instance global index space), v128.const, plus the integer add/sub/mul of
// the extended-const proposal. The expression must already be validated.
#pragma once
#include "interp/module.h"
#include "interp/result.h"
#include "interp/store.h"

namespace wippy {

// A v128 result's high 8 bytes go to *hi when given (the low 8 are returned).
Result<Value> eval_const_expr(const Module& module, const Instance& inst, const ConstExpr& expr,
                              Value* hi = nullptr);

}  // namespace wippy
