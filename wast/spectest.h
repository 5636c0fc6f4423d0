// spectest.h — the `spectest` host module the spec scripts import from:
// print* functions (silent unless `echo` is set, then they print their
// arguments to stdout), global_i32/i64 = 666, global_f32/f64 = 666.6,
// table = 10..20 funcref, memory = 1..2 pages. Built as an export-only
// Instance owned by `store`.
#pragma once
#include "interp/store.h"

namespace wippy::wast {

Instance* make_spectest(Store& store, bool echo);

}  // namespace wippy::wast
