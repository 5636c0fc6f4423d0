// wat_instance.h — the benchmarks' one way to run a WAT module: text to
// binary, decode, validate and instantiate it (no imports) in `store`; and
// to time an export f(n) that must return n.
#pragma once
#include <cstdint>
#include <string_view>

#include "interp/store.h"

namespace wippy::bench {

Result<Instance*> instantiate_wat(Store& store, std::string_view wat);

// instantiate_wat, or nullptr after printing `FAIL load: <message>`.
Instance* instantiate_wat_or_report(Store& store, std::string_view wat);

// Median ms of `runs` calls of `f`(arg) after a warm-up call; each must
// return the i32 `want`. < 0 on a wrong result or a trap (printed, naming
// `name` and `n`, the argument's value).
double median_call_ms(Store& store, FuncInst* f, const char* name, Value arg, uint64_t n, uint32_t want, int runs);

// Median ms of `runs` calls of `f`(n) (i32) after a warm-up call; each must
// return n. < 0 on a wrong result or a trap (printed, naming `name`).
double median_call_ms(Store& store, FuncInst* f, const char* name, uint32_t n, int runs);

}  // namespace wippy::bench
