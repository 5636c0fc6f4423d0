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
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/shared_bytes.h"
#include "component/component.h"
#include "interp/decode/decode.h"

namespace wippy::component {

// True when `bytes` begins with the component preamble (magic, 0x0d 0x00,
// layer 0x01 0x00) rather than a core module's.
bool is_component_binary(std::span<const uint8_t> bytes);

// The code cache's hook (runtime/component_cache.h). The decoder meets core
// module sections in order (depth first, nested components included); for
// the i-th it calls premade(i, its bytes) when set, takes the module that
// returns (counting it in `reused`) and decodes the section when it returns
// null. `seen` receives every core module in that order, premade or not.
struct CoreModuleReuse {
  std::function<std::shared_ptr<const Module>(size_t index, const SharedBytes& binary)> premade;
  size_t reused = 0;
  std::vector<std::shared_ptr<const Module>> seen;
};

// Decodes a component binary. The span form copies the bytes once; the
// SharedBytes form does not: each core module's Module::bytes is then a
// slice of `bytes`. `reuse`: the hook above (none when null). `core`
// applies to every core module decoded (not premade). With
// core.scan_bodies false (for a component validated next) a malformed
// body that decoding would have met before its error is still the error,
// and the component's validation reports one before anything else
// (scan_core_bodies).
Result<Component> decode_component(std::span<const uint8_t> bytes);
Result<Component> decode_component(SharedBytes bytes, CoreModuleReuse* reuse = nullptr, DecodeOptions core = {});

// The error decode_component would have given for the first malformed
// function body among `c`'s core modules (nested components' included, in
// binary order) that the decoder did not scan, or success.
Result<void> scan_core_bodies(const Component& c);

}  // namespace wippy::component
