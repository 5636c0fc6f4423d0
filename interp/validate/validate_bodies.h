// validate_bodies.h — FuncValidator over every function body of a module,
// on up to `threads` threads (internal to interp/validate).
// Contract:
//  * The result is the sequential one: the error of the lowest-indexed
//    invalid body, or success. Threads take bodies in ascending chunks and
//    stop at their first error; every body below the lowest failure is
//    validated by some thread, so no earlier error is missed.
//  * Extra threads are used only for modules with enough code to pay for
//    them (kParallelBodyBytes); a thread that cannot be started leaves its
//    share to the others. Nothing here throws: running out of memory in a
//    thread is that body's Exhaustion error.
#pragma once
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "interp/module.h"

namespace wippy {

inline constexpr uint64_t kParallelBodyBytes = uint64_t(1) << 20;

Result<void> validate_bodies(const Module& m, const std::vector<uint8_t>& declared, unsigned threads);

}  // namespace wippy
