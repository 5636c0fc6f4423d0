// confined_path.cpp — see confined_path.h.
#include "runtime/confined_path.h"

#include <fmt/format.h>

#include "interp/quote.h"

namespace wippy {

Result<void> refuse_nul(std::string_view value, std::string_view label) {
  size_t nul = value.find('\0');
  if (nul == std::string_view::npos) return {};
  return make_error(ErrorKind::Invalid,
                    fmt::format("{} {}\\0... contains a NUL byte", label, quote_input(value.substr(0, nul))));
}

Result<std::filesystem::path> confine_path(const std::filesystem::path& root,
                                           std::string_view inner) {
  if (Result<void> ok = refuse_nul(inner); !ok) return ok.error();
  std::string_view rel = inner;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  std::filesystem::path p = std::filesystem::path(rel).lexically_normal();
  if (p.empty() || p == ".")
    return make_error(ErrorKind::Invalid, fmt::format("path {} names the directory itself, not a file",
                                                      quote_input(inner)));
  if (*p.begin() == "..")
    return make_error(ErrorKind::Invalid,
                      fmt::format("path {} escapes its directory", quote_input(inner)));
  return (root / p).lexically_normal();
}

}  // namespace wippy
