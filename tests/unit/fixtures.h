// fixtures.h — test helper: the bytes of a file under tests/component/.
// Looks in $WIPPY_SOURCE_DIR, then in the current directory and up to
// three parents (meson runs tests from the build tree). Empty when absent.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace wippy::testing {

inline std::vector<uint8_t> load_fixture(const std::string& name) {
  std::vector<std::string> roots;
  if (const char* env = std::getenv("WIPPY_SOURCE_DIR")) roots.emplace_back(env);
  for (const char* r : {".", "..", "../..", "../../.."}) roots.emplace_back(r);
  for (auto& root : roots) {
    std::ifstream f(root + "/tests/component/" + name, std::ios::binary);
    if (f) return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
  }
  return {};
}

}  // namespace wippy::testing
