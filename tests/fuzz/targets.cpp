// targets.cpp — the fuzz targets of targets.h.
#include "tests/fuzz/targets.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

#include "component/decode.h"
#include "component/json.h"
#include "component/linker.h"
#include "component/load.h"
#include "component/text/component_wast.h"
#include "component/text/component_wat.h"
#include "component/validate.h"
#include "interp/compile_module.h"
#include "interp/decode/decode.h"
#include "interp/store.h"
#include "interp/text/wast.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "runtime/registry_parse.h"

namespace wippy::fuzz {

namespace {

std::string label(const Error& e) { return error_kind_name(e.kind); }

// A store that stops guest code after kFuel interrupt checks per call and
// caps memory at kMemoryCap.
void limit(Store& store, uint32_t& fuel) {
  store.limits.max_memory_bytes = kMemoryCap;
  store.limits.max_call_depth = 2000;
  store.interrupt = 1;
  store.on_interrupt = [&fuel](Store&) -> Result<void> {
    if (fuel == 0) return make_error(ErrorKind::Trap, "fuzz: out of fuel");
    --fuel;
    return {};
  };
}

bool has_v128(const FuncType& t) {
  for (ValType v : t.params)
    if (v == ValType::V128) return true;
  for (ValType v : t.results)
    if (v == ValType::V128) return true;
  return false;
}

// compile_module and load_component read each core body once and scan
// bodies only when something fails (decode.h, DecodeOptions): they must
// give the verdict of the full decode followed by validation, with the same
// kind and message. A difference is a bug, so it aborts and the harness
// keeps the input.
template <class T>
void check_agrees(const char* what, const Result<T>& one, const Error* two_pass) {
  const bool same = one.ok() ? two_pass == nullptr
                             : two_pass && one.error().kind == two_pass->kind &&
                                   one.error().message == two_pass->message;
  if (same) return;
  std::fprintf(stderr, "wippy-fuzz: %s disagrees with decode + validate: %s against %s\n", what,
               one.ok() ? "ok" : one.error().message.c_str(), two_pass ? two_pass->message.c_str() : "ok");
  std::abort();
}
void check_one_pass(std::span<const uint8_t> bytes, const Error* two_pass) {
  check_agrees("compile_module", compile_module(bytes), two_pass);
}
void check_one_pass_component(std::span<const uint8_t> bytes, const Error* two_pass) {
  check_agrees("load_component", component::load_component(bytes), two_pass);
}

}  // namespace

std::string run_core(std::span<const uint8_t> bytes) {
  auto m = decode_module(bytes);
  if (!m) {
    check_one_pass(bytes, &m.error());
    return label(m.error());
  }
  if (auto v = validate_module(*m); !v) {
    check_one_pass(bytes, &v.error());
    return label(v.error());
  }
  check_one_pass(bytes, nullptr);
  if (!m->imports.empty()) return "valid";
  auto module = std::make_shared<const Module>(std::move(*m));
  Store store;
  uint32_t fuel = kFuel;
  limit(store, fuel);
  auto inst = instantiate(store, module, {});
  if (!inst) return label(inst.error());
  std::string outcome = "ok";
  for (const Export& e : module->exports) {
    if (e.kind != ExternKind::Func) continue;
    FuncInst* f = (*inst)->export_func(e.name);
    if (!f || has_v128(*f->type)) continue;
    std::vector<Value> args(f->type->params.size(), val_i64(0));
    fuel = kFuel;
    auto r = invoke(store, f, args);
    if (!r) outcome = label(r.error());
  }
  return outcome;
}

std::string run_component(std::span<const uint8_t> bytes) {
  auto c = component::decode_component(bytes);
  if (!c) {
    check_one_pass_component(bytes, &c.error());
    return label(c.error());
  }
  auto comp = std::make_shared<const component::Component>(std::move(*c));
  if (auto v = component::validate_component(*comp); !v) {
    check_one_pass_component(bytes, &v.error());
    return label(v.error());
  }
  check_one_pass_component(bytes, nullptr);
  Store store;
  uint32_t fuel = kFuel;
  limit(store, fuel);
  component::Linker linker;
  auto inst = linker.instantiate(store, comp);
  if (!inst) return label(inst.error());
  return "ok";
}

std::string run_wat(std::string_view text) {
  auto b = wat_to_wasm(text);
  if (!b) return label(b.error());
  return run_core(*b);
}

std::string run_wast(std::string_view text) {
  auto cmds = parse_wast(text);
  if (!cmds) return label(cmds.error());
  for (const WastCommand& c : *cmds) {
    if (c.module.kind == WastModule::Quote)
      (void)run_wat(c.module.quote);
    else if (!c.module.binary.empty())
      (void)run_core(c.module.binary);
  }
  return "ok";
}

std::string run_component_wat(std::string_view text) {
  auto b = component::component_wat_to_binary(text);
  if (!b) return label(b.error());
  return run_component(*b);
}

std::string run_component_wast(std::string_view text) {
  auto cmds = component::parse_component_wast(text);
  if (!cmds) return label(cmds.error());
  for (const component::ComponentWastCommand& c : *cmds) {
    if (c.kind == component::ComponentWastCommand::Core) {
      if (!c.core.module.binary.empty()) (void)run_core(c.core.module.binary);
    } else if (c.component.kind == component::WastComponent::Quote) {
      (void)run_component_wat(c.component.quote);
    } else if (!c.component.binary.empty()) {
      (void)run_component(c.component.binary);
    }
  }
  return "ok";
}

std::string run_yaml(std::string_view text, const std::filesystem::path& scratch_dir) {
  std::filesystem::path file = scratch_dir / "fuzz.yaml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
  }
  Diagnostics diag(std::span<const std::filesystem::path>(&file, 1));
  ParsedFile parsed = parse_registry_file(file, diag);
  if (!diag.empty()) return label(diag.to_error());
  return parsed.entries.empty() ? "empty" : "ok";
}

std::string run_json(std::string_view text) {
  auto j = component::parse_json(text);
  if (!j) return label(j.error());
  auto again = component::parse_json(component::to_json_text(*j));
  if (!again || !(*again == *j)) return "mismatch";
  return "ok";
}

}  // namespace wippy::fuzz
