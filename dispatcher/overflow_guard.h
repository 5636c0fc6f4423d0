// overflow_guard.h — reports a fiber stack overflow instead of a bare SIGSEGV.
// Contract: while at least one OverflowHandlerUse exists (every Loop holds
// one), a process-wide SIGSEGV handler (SA_SIGINFO | SA_ONSTACK) is
// installed. It looks at the stack the faulting thread is running on, as
// published by its loop in detail::tl_running_stack at every switch. If the
// fault address is in that stack's guard page (or the stack pointer has
// already left the usable range downwards), it writes
// "wippy: fiber stack overflow" to stderr and _exit()s with
// kStackOverflowExitStatus. Any other fault is chained to the handler that
// was installed before ours (or gets the default action: it re-faults and
// dumps core); a fault that comes back to ours while being forwarded (a
// handler chaining to us in a cycle) gets the default action.
// The handler runs on an alternate signal stack; AltSignalStack gives the
// calling thread one if it has none (the overflowed stack cannot be used).
// Lifetime: the first use installs the handler; a later use re-installs it
// if another handler replaced it meanwhile (that one becomes the one faults
// are chained to). When the last use goes, the previous handler is put back
// if ours is still the installed one; if someone replaced ours, theirs is
// left alone. Process-wide state: the disposition, the saved previous
// handler and the use count, written only under one mutex.
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

// One user of the SIGSEGV handler (see the contract above). Not copyable.
class OverflowHandlerUse {
 public:
  OverflowHandlerUse();
  ~OverflowHandlerUse();
  OverflowHandlerUse(const OverflowHandlerUse&) = delete;
  OverflowHandlerUse& operator=(const OverflowHandlerUse&) = delete;
};

// Gives the constructing thread an alternate signal stack unless it already
// has one; removes and frees it on destruction if it installed it. One
// destroyed on another thread (where its stack is not the installed one)
// leaves its pages mapped: the thread that made it may still use them.
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
