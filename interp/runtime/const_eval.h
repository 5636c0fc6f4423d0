// const_eval.h — evaluation of constant expressions (global initializers,
// segment offsets, element initializers) against a partially built instance.
// Supports t.const, ref.null, ref.func (instance function index space) and
// global.get (instance global index space), v128.const, the integer
// add/sub/mul of the extended-const proposal, and 3.0's GC instructions:
// ref.i31, the any/extern bridge, and struct.new(_default) and
// array.new(_default/_fixed), whose objects the store allocates (an
// allocation beyond its limits is an error). The expression must already be
// validated. Until the caller stores the result (a global, a table, an elem
// segment of the instance), the objects made here are held only by the
// evaluator's own stack: a collection must not run during an evaluation.
#pragma once
#include <optional>
#include <span>

#include "base/result.h"
#include "interp/module.h"
#include "interp/store.h"

namespace wippy {

// What an expression is evaluated against.
struct ConstEnv {
  const Module& module;
  Instance& inst;  // non-const: ref.func makes the function (Instance::func); its type ids
  Store& store;    // allocates GC objects
};

// A v128 result's high 8 bytes go to *hi when given (the low 8 are returned).
Result<Value> eval_const_expr(const ConstEnv& env, const ConstExpr& expr, Value* hi = nullptr);

// The value of `expr` when it is exactly `i32.const N end` (N as unsigned
// 32 bits) or `i64.const N end`: a segment offset known without an
// instance (the per-module images of data_image.h and table_image.h).
std::optional<uint64_t> constant_offset(const Module& m, const ConstExpr& expr);

}  // namespace wippy
