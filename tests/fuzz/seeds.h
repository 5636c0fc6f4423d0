// seeds.h — the fuzz harness's starting inputs, gathered from test suites
// and fixtures on disk, in a deterministic (sorted) order:
//   core binaries    from .wast modules (text ones encoded by parse_wast,
//                    `binary` ones as given) and core .wasm files;
//   component bins   from component .wast scripts and component .wasm files;
//   wat / cwat       each `(module ...)` / `(component ...)` form's text;
//   wast / cwast     whole scripts up to kMaxScriptSeed bytes;
//   yaml             .yaml / .yaml.in files, plus a few built-in registries;
//   http_response / http_chunked  built in (http_seeds.cpp): server bytes.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wippy::fuzz {

inline constexpr size_t kMaxScriptSeed = 24 * 1024;

struct Seeds {
  std::vector<std::vector<uint8_t>> core, component;
  std::vector<std::string> wat, cwat, wast, cwast, yaml;
  std::vector<std::string> http_response, http_chunked;
};

// Core spec scripts (*.wast directly in `dir`).
void add_core_suite(Seeds& s, const std::filesystem::path& dir);
// Component scripts (*.wast anywhere under `dir`).
void add_component_suite(Seeds& s, const std::filesystem::path& dir);
// *.wasm (core or component, by preamble), *.wat, *.yaml and *.yaml.in files
// anywhere under `dir`.
void add_files(Seeds& s, const std::filesystem::path& dir);
void add_builtin_yaml(Seeds& s);
void add_builtin_http(Seeds& s);

}  // namespace wippy::fuzz
