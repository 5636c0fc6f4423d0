// const_eval.h — evaluation of constant expressions (global initializers,
// segment offsets, element initializers) against a partially built instance.
// Supports t.const, ref.null, ref.func (instance function index space) and
// global.get (instance global index space), plus the integer add/sub/mul of
// the extended-const proposal. The expression must already be validated.
#pragma once
#include "interp/module.h"
#include "interp/result.h"
#include "interp/store.h"

namespace wippy {

Result<Value> eval_const_expr(const Module& module, const Instance& inst, const ConstExpr& expr);

}  // namespace wippy
