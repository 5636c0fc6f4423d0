// temp_dir.h — test helper: make_temp_dir makes a fresh directory in
// `parent` (default: the system temp directory) named `prefix` plus six
// random characters, REQUIREd to succeed, and returns its path.
#pragma once
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace wippy::testing {

inline std::string make_temp_dir(const std::string& prefix,
                                 const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
  std::string tmpl = (parent / (prefix + "XXXXXX")).string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

}  // namespace wippy::testing
