// validate_bodies.h — FuncValidator over every function body of a module,
// on up to `threads` threads (internal to interp/validate).
// Contract:
//  * The result is the sequential one: the error of the lowest-indexed
//    invalid body, or success (base/lowest_failure.h finds the body; its
//    error is produced again on the calling thread).
//  * Extra threads are used only for modules with enough code to pay for
//    them (worth_parallel in base/lowest_failure.h).
#pragma once
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "interp/module.h"

namespace wippy {

Result<void> validate_bodies(const Module& m, const std::vector<uint8_t>& declared, unsigned threads);

}  // namespace wippy
