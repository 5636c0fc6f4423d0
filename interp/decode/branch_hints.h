// branch_hints.h — checks a decoded module's "metadata.code.branch_hint"
// custom section (the branch hinting proposal) against its code:
// function entries name defined functions in increasing order; each hint
// has a one-byte payload, 0 (unlikely) or 1 (likely), offsets increase, and
// each offset, counted from the start of the function's body (its local
// declarations), is where an `if` or `br_if` starts.
// A custom section never makes a module invalid, so nothing on the load
// path calls this; tools and the spec scripts (assert_invalid_custom) do.
// No section: ok. Errors are Invalid; a misplaced hint reads
// "@metadata.code.branch_hint annotation: invalid target", as the
// reference interpreter words it.
#pragma once
#include "base/result.h"
#include "interp/module.h"

namespace wippy::decode {

Result<void> check_branch_hints(const Module& m);

}  // namespace wippy::decode
