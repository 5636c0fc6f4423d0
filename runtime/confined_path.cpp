// confined_path.cpp — see confined_path.h.
#include "runtime/confined_path.h"

#include <fmt/format.h>

namespace wippy {

Result<std::filesystem::path> confine_path(const std::filesystem::path& root,
                                           std::string_view inner) {
  std::string_view rel = inner;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  std::filesystem::path p = std::filesystem::path(rel).lexically_normal();
  if (p.empty() || p == ".")
    return make_error(ErrorKind::Invalid,
                      fmt::format("path {} names the directory itself, not a file", inner));
  if (*p.begin() == "..")
    return make_error(ErrorKind::Invalid, fmt::format("path {} escapes its directory", inner));
  return (root / p).lexically_normal();
}

bool contained_on_disk(const std::filesystem::path& root, const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path r = std::filesystem::weakly_canonical(root, ec);
  if (ec) return false;
  std::filesystem::path f = std::filesystem::weakly_canonical(file, ec);
  if (ec) return false;
  std::filesystem::path rel = f.lexically_relative(r);
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

}  // namespace wippy
