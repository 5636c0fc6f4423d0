// guest_call.h — running wasm calls as fibers of a Loop (the bridge between
// dispatcher/ and the core interpreter in interp/).
// Contract:
//  * call_in_fiber() runs invoke(store, func, args) on the calling fiber.
//    For the duration of the call it attaches store.interrupt as the fiber's
//    interrupt flag and installs a store.on_interrupt hook: when the loop's
//    time slice (LoopOptions::time_slice_ns, a per-loop setting) runs out
//    the fiber goes once through the loop (timers and I/O are polled, other
//    runnable fibers run) and the guest resumes; when the call's or the
//    fiber's deadline has passed the call ends with Error{Interrupted,
//    "deadline exceeded"}; when the fiber is cancelled it ends with
//    Error{Interrupted, "cancelled"} (Interrupted, not Trap: the guest did
//    nothing wrong). Waits made by host functions end the same way (see
//    errc_to_result). Afterwards the flag is detached, the store's previous
//    hook is put back and store.interrupt is cleared.
//  * A Store runs at most one fiber's call at a time: the interpreter keeps
//    its value and frame stacks in the Store, so a fiber parked mid-call
//    owns them until the call returns. call_in_fiber refuses (ErrorKind::
//    Other) a Store whose call is in flight on another fiber; nesting on the
//    same fiber (a host function calling back into its own store) is fine.
//  * A call with a deadline sets it as the fiber's deadline and clears the
//    fiber's deadline when it returns (the Loop has no getter for a prior
//    one). A call without one keeps whatever deadline the fiber has, e.g.
//    SpawnOptions::deadline.
//  * One interrupt flag is attached per fiber: a host function that nests a
//    call on a *different* Store detaches the outer store's flag when the
//    inner call returns, so the rest of the outer call is no longer
//    preempted (deadlines still end its waits).
//  * Outside a fiber call_in_fiber returns ErrorKind::Other; nothing runs.
//  * spawn_guest_call() spawns a fiber that does call_in_fiber and hands the
//    result to on_done on that fiber. Store, function and the callback's
//    captures must outlive the fiber. An exception escaping on_done aborts
//    (as for any fiber function).
//  * The sleep host function parks only the calling fiber on a deadline
//    Pollable (the path wasi monotonic-clock subscribe-duration followed by
//    pollable.block takes): other fibers of the loop keep running.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/result.h"
#include "dispatcher/errc.h"
#include "dispatcher/loop.h"
#include "interp/store.h"

namespace wippy::disp {

// The messages of the two ErrorKind::Interrupted errors a call ends with.
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kDeadlineExceeded = "deadline exceeded";

struct GuestCallOptions {
  uint64_t deadline = 0;    // absolute monotonic ns (clock.h); 0: none
  uint64_t timeout_ns = 0;  // relative to the start of the call; 0: none
  // (with both set, the earlier one applies)
};

// Maps the outcome of a dispatcher wait onto what a guest call sees:
// ok -> success; cancelled -> Interrupted "cancelled"; deadline_exceeded ->
// Interrupted "deadline exceeded"; timed_out -> success (a wait's own deadline is its
// normal end); anything else -> Trap naming the Errc.
Result<void> errc_to_result(Errc e);

Result<std::vector<Value>> call_in_fiber(Store& store, FuncInst* func, std::span<const Value> args,
                                         GuestCallOptions opts = {});

using GuestDone = std::function<void(Result<std::vector<Value>>)>;

// Invalid handle if the fiber cannot be spawned (on_done is then not called).
FiberHandle spawn_guest_call(Loop& loop, Store& store, FuncInst* func, std::vector<Value> args,
                             GuestCallOptions opts, GuestDone on_done, SpawnOptions spawn = {});

// The argument of the sleep import: (param i32) unsigned milliseconds, or
// (param i64) unsigned nanoseconds. No results.
enum class SleepUnit : uint8_t { millis_i32, nanos_i64 };

FuncType sleep_func_type(SleepUnit unit);
HostFunc make_sleep_host(SleepUnit unit);
// A host function in `store` of type sleep_func_type(unit), ready to be
// passed as an import.
FuncInst* create_sleep_func(Store& store, SleepUnit unit);

}  // namespace wippy::disp
