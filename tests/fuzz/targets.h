// targets.h — what the fuzz harness pushes each input through. Every target
// must come back with an outcome (an error kind or "ok"), never crash, hang
// or allocate without bound; the harness only counts outcomes.
//   core:      decode_module -> validate_module -> (no imports) instantiate
//              in a Store with a memory cap and fuel, call each export whose
//              signature has no v128 with zero arguments. compile_module's
//              one-pass load must reach the same verdict and message (it
//              aborts otherwise).
//   component: decode_component -> validate_component -> instantiate with a
//              Linker offering nothing (same Store limits); load_component
//              must agree as compile_module does for core.
//   wat/wast:  wat_to_wasm / parse_wast; every binary they produce also goes
//              through the core target.
//   cwat/cwast: component_wat_to_binary / parse_component_wast, binaries
//              through the component target.
//   yaml:      parse_registry_file on a file written into a scratch folder.
//   json:      parse_json, then the text written back must parse to an equal
//              document ("mismatch" otherwise).
//   http-response: the bytes a hostile server sends back, played to the
//              real net::Http1Client over an in-memory transport (GET split
//              three ways, HEAD, POSTs); see http_target.cpp for the
//              invariants checked. Runs on the calling fiber, or on a fresh
//              disp::Loop fiber outside one.
//   http-chunked: a chunked response body (the head is supplied).
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace wippy::fuzz {

// Fuel: interrupt checks (loop back-edges and calls) allowed per call.
inline constexpr uint32_t kFuel = 20000;
// Memory cap for each fuzzed store.
inline constexpr uint64_t kMemoryCap = 64ull << 20;

// Each returns a short outcome label ("ok", "Malformed", "Invalid", "Trap", ...).
std::string run_core(std::span<const uint8_t> bytes);
std::string run_component(std::span<const uint8_t> bytes);
std::string run_wat(std::string_view text);
std::string run_wast(std::string_view text);
std::string run_component_wat(std::string_view text);
std::string run_component_wast(std::string_view text);
std::string run_yaml(std::string_view text, const std::filesystem::path& scratch_dir);
std::string run_json(std::string_view text);
std::string run_http_response(std::string_view bytes);
std::string run_http_chunked(std::string_view body);

}  // namespace wippy::fuzz
