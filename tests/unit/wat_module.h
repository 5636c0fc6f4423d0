// wat_module.h — test helpers for core modules written as WAT: the binary
// of WAT text (CHECKed to encode) or its encoding error (CHECKed to be
// Malformed); compile (text -> binary -> decode -> validate, REQUIREd to
// succeed), instantiate
// without imports, call an export expecting one i32 result, and check that
// an endless call ends when the store is interrupted; the message of an
// invalid module, and whether it names a given part.
#pragma once
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "interp/decode/decode.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"

namespace wippy::testing {

inline std::vector<uint8_t> wat_bytes(std::string_view src) {
  auto r = wat_to_wasm(src);
  if (!r) FAIL_CHECK(r.error().message);
  return r ? *r : std::vector<uint8_t>{};
}

inline std::string wat_error(std::string_view src) {
  auto r = wat_to_wasm(src);
  if (r) return "<no error>";
  CHECK(r.error().kind == ErrorKind::Malformed);
  return r.error().message;
}

// The decoded (not yet validated) module of WAT text; REQUIREs that it
// encodes and decodes.
inline Module decode_wat_module(std::string_view src) {
  auto bin = wat_to_wasm(src);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto mod = decode_module(*bin);
  REQUIRE_MESSAGE(mod.ok(), (mod.ok() ? "" : mod.error().message));
  return std::move(*mod);
}

inline std::shared_ptr<const Module> compile_wat_module(std::string_view src) {
  Module mod = decode_wat_module(src);
  auto v = validate_module(mod);
  REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : v.error().message));
  return std::make_shared<const Module>(std::move(mod));
}

inline Instance* instantiate_ok(Store& store, std::shared_ptr<const Module> mod,
                                const std::vector<Extern>& imports = {}) {
  auto inst = instantiate(store, std::move(mod), imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  return *inst;
}

// Compiles WAT text and instantiates it against `imports`, REQUIREing each step.
inline Instance* load_wat(Store& store, std::string_view src, const std::vector<Extern>& imports = {}) {
  return instantiate_ok(store, compile_wat_module(src), imports);
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

// The validator's message for `wat`, which must parse and decode but be
// invalid (ErrorKind::Invalid).
inline std::string invalid_message(std::string_view wat) {
  Module mod = decode_wat_module(wat);
  auto v = validate_module(mod);
  REQUIRE(!v.ok());
  CHECK(v.error().kind == ErrorKind::Invalid);
  return v.error().message;
}

// Whether invalid_message(wat) names `part`.
inline bool invalid_because(std::string_view wat, std::string_view part) {
  return invalid_message(wat).find(part) != std::string::npos;
}

// Raises an interrupt before calling `name` (a function that never ends):
// the hook lets it go on twice, then ends the call with a trap.
inline void check_spin_interrupted(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  int calls = 0;
  s.on_interrupt = [&calls](Store& st) -> Result<void> {
    if (++calls < 3) return {};
    st.interrupt = 0;
    return make_error(ErrorKind::Trap, "interrupted");
  };
  s.interrupt = 1;
  auto r = call_export(s, inst, name, std::move(args));
  s.on_interrupt = nullptr;
  REQUIRE(!r.ok());
  CHECK(r.error().message == "interrupted");
  CHECK(calls == 3);
}

}  // namespace wippy::testing
