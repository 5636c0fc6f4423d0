// overflow_guard.h — reports a fiber stack overflow instead of a bare SIGSEGV.
// Contract: install_overflow_handler() installs a process-wide SIGSEGV
// handler (SA_ONSTACK) that looks at the stack the faulting thread is running
// on, as published by its loop in detail::tl_running_stack at every switch.
// If the fault address is in that stack's guard page (or the stack pointer
// has already left the usable range downwards), it writes
// "wippy: fiber stack overflow" to stderr and _exit()s with
// kStackOverflowExitStatus. Any other fault goes to the handler that was
// installed before (or the default action, which re-faults and dumps core).
// The handler runs on an alternate signal stack; AltSignalStack gives the
// calling thread one if it has none (the overflowed stack cannot be used).
// Process-wide state: the signal disposition and the saved previous handler,
// written only by install_overflow_handler under a mutex. Every Loop
// constructor calls it; if another handler replaced ours meanwhile, ours is
// put back and the other becomes the one non-fiber faults are passed to.
#pragma once
#include <cstddef>

#include "dispatcher/stack.h"

namespace wippy::disp {

inline constexpr int kStackOverflowExitStatus = 86;

namespace detail {
// The fiber stack the current thread is running on; nullptr on the thread's
// own stack. __thread (not thread_local) so the signal handler reads it
// without a TLS wrapper call.
extern __thread const StackRange* tl_running_stack;
}  // namespace detail

void install_overflow_handler();

// Gives the constructing thread an alternate signal stack unless it already
// has one; removes and frees it on destruction if it installed it.
class AltSignalStack {
 public:
  AltSignalStack();
  ~AltSignalStack();
  AltSignalStack(const AltSignalStack&) = delete;
  AltSignalStack& operator=(const AltSignalStack&) = delete;

 private:
  void* mem_ = nullptr;
  size_t size_ = 0;
};

}  // namespace wippy::disp
