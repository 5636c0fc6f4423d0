// load.cpp — file reading and module compilation for wippy-run.
#include "cli/load.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "interp/decode/decode.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"

namespace wippy::cli {

Result<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error(ErrorKind::Io, fmt::format("{}: {}", path, std::strerror(errno)));
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return make_error(ErrorKind::Io, fmt::format("{}: read error", path));
  return out;
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
