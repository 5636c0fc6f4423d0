// guest_files.h — the WASI guests meson builds from tests/guests/, for unit
// tests that run them in process. load_guest(NAME) reads
// $WIPPY_GUEST_DIR/NAME.component.wasm (meson test sets the variable) and
// fails the test when it is missing; load_guest(NAME, VAR) reads from the
// directory in $VAR instead (WIPPY_HTTP_GUEST_DIR: tests/http/).
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

inline std::vector<uint8_t> load_guest(const std::string& name, const char* dir_var = "WIPPY_GUEST_DIR") {
  const char* dir = std::getenv(dir_var);
  REQUIRE_MESSAGE(dir != nullptr, dir_var << " is not set (meson test sets it)");
  std::ifstream f(std::string(dir) + "/" + name + ".component.wasm", std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "guest " << name << " is not built in " << dir);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}
