// fiber.h — the loop's private record of one fiber (internal to dispatcher/).
// Contract: a Fiber is created by Loop::spawn and freed by its Loop after the
// fiber's function has returned (or when the loop abandons it at shutdown).
// Everything here is touched only by the loop's thread, except:
//   * should_yield / *external_flag: raised by the Ticker thread with relaxed
//     atomic stores; read by the interpreter as plain (volatile) loads;
//   * deadline: written by the loop thread, read by the Ticker (atomic);
//   * external_flag (the pointer): changed only under SliceShared::mu.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>

#include "dispatcher/errc.h"
#include "dispatcher/stack.h"
#include "dispatcher/timer_heap.h"
#include "dispatcher/wait_list.h"

namespace wippy::disp {

class Loop;

enum class FiberState : uint8_t { runnable, running, parked, finished };

struct Fiber {
  Loop* loop = nullptr;
  void* sp = nullptr;  // saved context while not running
  Fiber* next_run = nullptr;
  FiberState state = FiberState::runnable;
  Errc wake = Errc::ok;             // why the last park ended
  bool cancelled = false;           // sticky
  bool started = false;             // its function has been entered
  bool timer_is_deadline = false;   // the armed timer is the fiber deadline
  bool count_cpu = false;           // Loop::cpu_time_ns() was called
  uint64_t cpu_ns = 0;              // CPU time counted up to cpu_mark
  uint64_t cpu_mark = 0;            // the thread's CPU clock when last entered
  alignas(4) uint32_t should_yield = 0;
  volatile uint32_t* external_flag = nullptr;
  std::atomic<uint64_t> deadline{0};  // monotonic ns; 0 = none
  uint32_t slot = 0;
  uint32_t gen = 0;
  TimerNode timer;
  WaitList joiners;
  WaitNode* waits = nullptr;  // nodes linked while parked (for abandonment)
  size_t nwaits = 0;
  FiberStack stack;
  std::function<void()> fn;
};

// Raise the attached external flag (if any), then the should-yield flag,
// released: a fiber that sees should_yield raised also sees the external
// flag raised, so on_interrupt() clears both (in the other order the fiber
// could clear them between the two stores and be left with a raised
// external flag and a spurious second interrupt).
inline void raise_yield_flag(Fiber& f) {
  if (f.external_flag != nullptr) __atomic_store_n(f.external_flag, 1u, __ATOMIC_RELAXED);
  __atomic_store_n(&f.should_yield, 1u, __ATOMIC_RELEASE);
}

}  // namespace wippy::disp
