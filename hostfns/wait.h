// wait.h — waiting on dispatcher Pollables from a WASI host function.
// Contract: wait_any() returns the ascending indices of the ready entries
// of a non-empty list, waiting until at least one is ready. In a fiber it
// parks only that fiber (this_fiber::poll); a cancelled fiber or an
// exceeded deadline ends it with the dispatcher's Trap. Outside a fiber it
// blocks the thread with ppoll(2) on the descriptors and the earliest
// deadline; a list whose only unready entries are manual Pollables cannot
// become ready there and fails with a Trap instead of hanging.
// wait_fd() waits for one descriptor direction the same way.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "dispatcher/pollable.h"
#include "interp/result.h"

namespace wippy::hostfns {

Result<std::vector<uint32_t>> wait_any(std::span<disp::Pollable* const> list);
Result<void> wait_fd(int fd, bool for_write);

}  // namespace wippy::hostfns
