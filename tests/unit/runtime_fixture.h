// runtime_fixture.h — a scratch folder for registry tests: guest components
// copied from $WIPPY_REGISTRY_GUESTS (built by tests/registry/meson.build),
// registry files written next to them, removed afterwards.
#pragma once
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/module_hash.h"

namespace wippy {

class RegistryScratch {
 public:
  RegistryScratch() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wippy-rt-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
  }
  ~RegistryScratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::filesystem::path& dir() const { return dir_; }

  static std::filesystem::path guest_dir() {
    const char* g = std::getenv("WIPPY_REGISTRY_GUESTS");
    REQUIRE_MESSAGE(g != nullptr, "WIPPY_REGISTRY_GUESTS is not set (run through meson test)");
    return g;
  }
  void copy_guest(const std::string& name) const {
    std::filesystem::copy_file(guest_dir() / name, dir_ / name);
  }
  std::string hash(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    REQUIRE(!bytes.empty());
    return sha256_hex(bytes);
  }
  // Writes a registry file; returns the list to pass to Runtime::load.
  std::vector<std::filesystem::path> write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return {dir_ / name};
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace wippy
