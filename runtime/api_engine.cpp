// api_engine.cpp — Engine, Module and Component of the embedding API
// (include/wippy/engine.h): loading from bytes, text or files, each decoded
// and validated once.
#include <fmt/format.h>

#include <new>

#include "component/load.h"
#include "interp/compile_module.h"
#include "interp/text/wat.h"
#include "runtime/api_impl.h"
#include "runtime/source_file.h"

namespace wippy::api {
namespace {

Result<SharedBytes> read_file(const Engine& engine, const std::filesystem::path& path) {
  ReadSpec spec;
  spec.what = "module";
  spec.max_bytes = engine.options().max_module_bytes;
  return read_host_file(path, spec);
}

Error out_of_memory(std::string_view what) {
  return make_error(ErrorKind::Exhaustion, fmt::format("out of memory while loading a {}", what));
}

}  // namespace

disp::LoopOptions Engine::Impl::loop_options(const EngineOptions& o) {
  disp::LoopOptions lo;
  lo.stack_size = o.fiber_stack_bytes;
  lo.time_slice_ns = uint64_t(o.time_slice_ms == 0 ? 10 : o.time_slice_ms) * 1000000;
  return lo;
}

Engine::Engine(EngineOptions opts) : impl_(std::make_shared<Impl>(opts)) {}

const EngineOptions& Engine::options() const { return impl_->opts; }

Result<Module> Module::from_bytes(const Engine& engine, std::span<const uint8_t> bytes) {
  try {
    auto m = compile_module(bytes);
    if (!m) return m.error();
    auto impl = std::make_shared<Impl>();
    impl->engine = engine.impl_;
    impl->module = std::move(*m);
    impl->code = prepare_code(impl->module);
    Module out;
    out.impl_ = std::move(impl);
    return out;
  } catch (const std::bad_alloc&) {
    return out_of_memory("module");
  }
}

Result<Module> Module::from_wat(const Engine& engine, std::string_view text) {
  try {
    auto bin = wat_to_wasm(text);
    if (!bin) return bin.error();
    return from_bytes(engine, *bin);
  } catch (const std::bad_alloc&) {
    return out_of_memory("module");
  }
}

Result<Module> Module::from_file(const Engine& engine, const std::filesystem::path& path) {
  auto bytes = read_file(engine, path);
  if (!bytes) return bytes.error();
  // Text starts with '(' (after blanks or comments); binary with "\0asm".
  if (!bytes->empty() && (*bytes)[0] != 0)
    return from_wat(engine, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  return from_bytes(engine, *bytes);
}

std::vector<std::string> Module::imports() const {
  std::vector<std::string> out;
  for (const Import& imp : impl_->module->imports) out.push_back(imp.module + "." + imp.name);
  return out;
}

std::vector<std::string> Module::exports() const {
  std::vector<std::string> out;
  for (const Export& e : impl_->module->exports)
    if (e.kind == ExternKind::Func) out.push_back(e.name);
  return out;
}

Result<Component> Component::from_bytes(const Engine& engine, std::span<const uint8_t> bytes) {
  try {
    auto c = component::load_component(bytes);
    if (!c) return c.error();
    auto impl = std::make_shared<Impl>();
    impl->engine = engine.impl_;
    impl->component = std::move(*c);
    impl->wasi = std::make_shared<const hostfns::WasiHost>(hostfns::WasiPackages::for_imports(*impl->component));
    Component out;
    out.impl_ = std::move(impl);
    return out;
  } catch (const std::bad_alloc&) {
    return out_of_memory("component");
  }
}

Result<Component> Component::from_file(const Engine& engine, const std::filesystem::path& path) {
  auto bytes = read_file(engine, path);
  if (!bytes) return bytes.error();
  return from_bytes(engine, *bytes);
}

std::vector<std::string> Component::imports() const {
  std::vector<std::string> out;
  for (const auto& imp : impl_->component->imports) out.push_back(imp.name.name);
  return out;
}

}  // namespace wippy::api
