// compile_module.cpp — compile_module (see compile_module.h).
#include "interp/compile_module.h"

#include "interp/decode/decode.h"
#include "interp/validate/validate.h"

namespace wippy {

Result<std::shared_ptr<const Module>> compile_module(std::span<const uint8_t> bytes) {
  return compile_module(SharedBytes::copy_of(bytes));
}

Result<std::shared_ptr<const Module>> compile_module(SharedBytes bytes) {
  // Validation reads every body, so the decoder need not scan them first.
  auto mod = decode_module(std::move(bytes), DecodeOptions{.scan_bodies = false});
  if (!mod) return mod.error();
  if (auto v = validate_module(*mod); !v) return v.error();
  return std::shared_ptr<const Module>(std::make_shared<Module>(std::move(*mod)));
}

}  // namespace wippy
