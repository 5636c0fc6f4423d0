// wat_module.h — test helpers for core modules written as WAT: compile
// (text -> binary -> decode -> validate, REQUIREd to succeed), instantiate
// without imports, and call an export expecting one i32 result.
#pragma once
#include <doctest/doctest.h>

#include <memory>
#include <string_view>
#include <vector>

#include "interp/decode/decode.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"

namespace wippy::testing {

inline std::shared_ptr<const Module> compile_wat_module(std::string_view src) {
  auto bin = wat_to_wasm(src);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto mod = decode_module(*bin);
  REQUIRE_MESSAGE(mod.ok(), (mod.ok() ? "" : mod.error().message));
  auto v = validate_module(*mod);
  REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : v.error().message));
  return std::make_shared<const Module>(std::move(*mod));
}

inline Instance* instantiate_ok(Store& store, std::shared_ptr<const Module> mod) {
  auto inst = instantiate(store, std::move(mod), {});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  return *inst;
}

inline Result<std::vector<Value>> call_export(Store& store, Instance* inst, const char* name,
                                              std::vector<Value> args = {}) {
  FuncInst* f = inst->export_func(name);
  REQUIRE_MESSAGE(f != nullptr, name);
  return invoke(store, f, args);
}

inline uint32_t call_i32(Store& store, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call_export(store, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), name << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  return (*r)[0].i32;
}

}  // namespace wippy::testing
