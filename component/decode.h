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
#include <span>

#include "component/component.h"
#include "interp/result.h"

namespace wippy::component {

// True when `bytes` begins with the component preamble (magic, 0x0d 0x00,
// layer 0x01 0x00) rather than a core module's.
bool is_component_binary(std::span<const uint8_t> bytes);

Result<Component> decode_component(std::span<const uint8_t> bytes);

}  // namespace wippy::component
