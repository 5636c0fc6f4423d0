// wasm_kernel.cpp — see wasm_kernel.h.
#include "wasm_kernel.h"

#include <cstdio>

#include "interp/compile_module.h"

namespace wippy::bench {

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorKind::Io, "cannot open " + path);
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return make_error(ErrorKind::Io, "cannot read " + path);
  return bytes;
}

static Error staged(const char* stage, const Error& e) {
  return make_error(e.kind, std::string(stage) + ": " + e.message);
}

Result<std::unique_ptr<WasmKernel>> WasmKernel::load(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) return bytes.error();
  auto compiled = compile_module(*bytes);  // a Malformed error is decode's, an Invalid one validation's
  if (!compiled) return staged(compiled.error().kind == ErrorKind::Malformed ? "decode" : "validate", compiled.error());
  const std::shared_ptr<const Module> module = std::move(*compiled);

  std::unique_ptr<WasmKernel> k(new WasmKernel());
  k->store_ = std::make_unique<Store>();
  auto inst = instantiate(*k->store_, module, {});
  if (!inst) return staged("instantiate", inst.error());
  k->run_ = (*inst)->export_func("run");
  if (!k->run_) return make_error(ErrorKind::Other, "no exported function \"run\" in " + path);
  const FuncType& t = *k->run_->type;
  if (t.params != std::vector<ValType>{ValType::I32} || t.results != std::vector<ValType>{ValType::I32})
    return make_error(ErrorKind::Other, "\"run\" is " + functype_to_string(t) + ", expected (i32) -> (i32)");
  return k;
}

Result<int32_t> WasmKernel::run(int32_t n) {
  Value arg = val_i32(uint32_t(n));
  auto results = invoke(*store_, run_, std::span<const Value>(&arg, 1));
  if (!results) return staged("invoke", results.error());
  if (results->size() != 1) return make_error(ErrorKind::Other, "run returned no result");
  return int32_t((*results)[0].i32);
}

}  // namespace wippy::bench
