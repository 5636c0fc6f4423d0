// data_image.h — the contents a module's active data segments give its own
// memories, built once per module and mapped copy-on-write into every
// instance (internal to interp/runtime; instantiate.cpp uses it).
// A module qualifies when its active data segments carry at least
// kDataImageMinBytes bytes and every one of them targets a memory the
// module defines, at a constant offset (`i32.const` or `i64.const`), within
// that memory's initial size, and no image would be both long and mostly
// zero (kDataImageAnyBytes, kDataImageMaxSparsity): then no segment can fail, their order cannot be observed, and an
// image per defined memory (memory_image.h) holds exactly what copying the
// segments in order would write. Otherwise (or for small data, cheaper to
// copy) instantiation copies the segments as the spec describes.
// The images live in the module's CompiledModule, so every instance that
// shares the code object (the instances of one loaded component or
// program) shares them; they are built at its second instantiation (the
// first copies the segments: a one-shot run pays nothing more), under a
// lock, at the cost of one copy of the data.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "interp/store.h"

namespace wippy {

inline constexpr uint64_t kDataImageMinBytes = 64 * 1024;
// An image longer than kDataImageAnyBytes is at most kDataImageMaxSparsity
// times the module's active data bytes.
inline constexpr uint64_t kDataImageAnyBytes = 16 * 1024 * 1024;
inline constexpr uint64_t kDataImageMaxSparsity = 4;

struct DataImages {
  // One per defined memory (null: that memory starts all zero).
  std::vector<std::shared_ptr<const MemoryImage>> memories;
  // Segments an instance keeps: the images write the active ones, which
  // are dropped at once, so the list ends after the last passive segment
  // (found once here, not by walking the module's segments per instance).
  size_t kept = 0;
};

// The module's images (built now if this is the second call for `code`),
// or null on the first call or when the module does not qualify: copy the
// segments then. An error
// when an image could not be made (memfd, out of memory).
Result<std::shared_ptr<const DataImages>> data_images(CompiledModule& code);

}  // namespace wippy
