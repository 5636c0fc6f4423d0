// bounded_call.h — `wippy-run run --timeout`: runs one piece of guest work
// (instantiate and call a component, a preview1 _start, an --invoke) under
// a wall-clock deadline, the way registry entries' max_execution_ms are
// enforced (runtime/instance.cpp): the work runs inside a host function of
// `store` called through disp::call_in_fiber on a fiber of a private Loop,
// so the dispatcher's interrupt hook stops a tight loop at its next
// back-edge or call, and host waits end, once the deadline passes; the
// work then comes back as Error{Interrupted, disp::kDeadlineExceeded}.
// With timeout_ns == 0 the work runs directly (no loop, no deadline).
#pragma once
#include <cstdint>
#include <functional>

#include "base/result.h"
#include "interp/store.h"

namespace wippy::cli {

Result<void> run_bounded(Store& store, uint64_t timeout_ns, const std::function<Result<void>(Store&)>& work);

}  // namespace wippy::cli
