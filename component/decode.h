// decode.h — component binary decoder (Binary.md, preamble version 0x0d,
// layer 0x01): bytes -> Component (not yet validated). Embedded core modules
// are decoded with decode_module(); nested components recursively.
// Errors are ErrorKind::Malformed with a message naming the absolute byte
// offset. Features beyond WASI 0.2 — the async additions (stream, future,
// error-context types, async functions, task./subtask./stream./future./
// waitable-set./waitable./context./backpressure. built-ins, the `async` and
// `callback` options), threads, fixed-size lists, maps and GC core types — are
// also ErrorKind::Malformed, with a message beginning "unsupported: ".
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "component/component.h"

namespace wippy::component {

// True when `bytes` begins with the component preamble (magic, 0x0d 0x00,
// layer 0x01 0x00) rather than a core module's.
bool is_component_binary(std::span<const uint8_t> bytes);

Result<Component> decode_component(std::span<const uint8_t> bytes);

// The code cache's hook (runtime/component_cache.h). `premade` are core
// modules decoded earlier, in the order the decoder meets core module
// sections (depth first, nested components included); the decoder takes the
// next one instead of decoding when its binary equals the section's bytes
// (counting it in `reused`) and decodes the section otherwise. `seen`
// receives every core module in that order, premade or not.
struct CoreModuleReuse {
  std::span<const std::shared_ptr<const Module>> premade;
  size_t reused = 0;
  std::vector<std::shared_ptr<const Module>> seen;
};
Result<Component> decode_component(std::span<const uint8_t> bytes, CoreModuleReuse* reuse);

}  // namespace wippy::component
