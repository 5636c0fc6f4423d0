// wait.h — waiting on Pollables from host code that may or may not run in
// a fiber (WASI host functions, stream implementations).
// Contract: wait_any() returns the ascending indices of the ready entries
// of a non-empty list, waiting until at least one is ready. In a fiber it
// parks only that fiber (this_fiber::poll); a cancelled fiber or an
// exceeded deadline ends it with the dispatcher's Interrupted error. Outside a fiber it
// blocks the thread with ppoll(2) on the descriptors and the earliest
// deadline (a WaitClock bound counts, started if stopped); a list whose
// only unready entries are events without one cannot become ready there
// and fails with a Trap instead of hanging. Readiness is
// decided by ready_now (pollable.h) in both cases.
// wait_fd() waits for one descriptor direction the same way.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "dispatcher/pollable.h"

namespace wippy::disp {

Result<std::vector<uint32_t>> wait_any(std::span<Pollable* const> list);
Result<void> wait_fd(int fd, bool for_write);

}  // namespace wippy::disp
