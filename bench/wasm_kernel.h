// wasm_kernel.h — one kernel module running in the wippy interpreter.
// load() reads a .wasm file and takes it through decode_module,
// validate_module and instantiate (no imports) in a Store of its own;
// run(n) invokes the exported `run` with one i32 and returns its i32 result.
// Every failure comes back as an Error whose message names the stage.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "interp/store.h"

namespace wippy::bench {

// The bytes of a file, or an Io error.
Result<std::vector<uint8_t>> read_file(const std::string& path);

class WasmKernel {
 public:
  static Result<std::unique_ptr<WasmKernel>> load(const std::string& path);
  Result<int32_t> run(int32_t n);

 private:
  WasmKernel() = default;
  std::unique_ptr<Store> store_;
  FuncInst* run_ = nullptr;
};

}  // namespace wippy::bench
