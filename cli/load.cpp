// load.cpp — file reading and module compilation for wippy-run.
#include "cli/load.h"

#include "interp/decode/decode.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "runtime/source_file.h"

namespace wippy::cli {

Result<std::string> read_file(const std::string& path) {
  ReadSpec spec;
  spec.what = "file";
  spec.max_bytes = kMaxInputFileBytes;
  auto bytes = read_host_file(path, spec);
  if (!bytes) return bytes.error();
  return std::string(bytes->begin(), bytes->end());
}

Result<std::vector<uint8_t>> module_bytes(const WastModule& m) {
  switch (m.kind) {
    case WastModule::Text:
      if (m.text_error) return make_error(ErrorKind::Malformed, *m.text_error);
      return m.binary;
    case WastModule::Binary:
      return m.binary;
    case WastModule::Quote:
      return wat_to_wasm(m.quote);
  }
  return make_error(ErrorKind::Other, "unknown module kind");
}

Result<std::shared_ptr<const Module>> compile_module(std::span<const uint8_t> bytes) {
  auto mod = decode_module(bytes);
  if (!mod) return mod.error();
  if (auto v = validate_module(*mod); !v) return v.error();
  return std::shared_ptr<const Module>(std::make_shared<Module>(std::move(*mod)));
}

}  // namespace wippy::cli
