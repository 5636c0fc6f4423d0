// call_results.h — test helpers beside wat_module.h for exports with any
// number of results: the results of a call that must succeed, each as its
// 64 bits (an i32's upper half is zero), and the message of a call that
// must trap.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wat_module.h"

namespace wippy::testing {

inline std::vector<uint64_t> call_results(Store& store, Instance* inst, const char* name,
                                          std::vector<Value> args = {}) {
  auto r = call_export(store, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), name << ": " << (r.ok() ? "" : r.error().message));
  std::vector<uint64_t> v;
  for (Value x : *r) v.push_back(x.i64);
  return v;
}

inline std::string call_trap(Store& store, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call_export(store, inst, name, std::move(args));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  return r.error().message;
}

}  // namespace wippy::testing
