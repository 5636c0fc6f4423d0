// errc.h — outcomes of the dispatcher's blocking operations, as values.
// Contract: every call that can park a fiber returns an Errc; Errc::ok means
// the awaited condition happened. The enumerators are stable so upper layers
// can map them onto WASI errors or traps (cancelled / deadline_exceeded end a
// guest call; timed_out is the normal end of a wait with a deadline).
#pragma once
#include <cstdint>

namespace wippy::disp {

enum class Errc : uint8_t {
  ok = 0,
  timed_out,          // the wait's own deadline passed first
  cancelled,          // the fiber was cancelled (sticky: every later wait fails too)
  deadline_exceeded,  // the fiber's overall deadline passed
  bad_fd,             // the descriptor is not open (EBADF)
  not_in_fiber,       // called outside a fiber of this thread's running loop
  system,             // another OS error (epoll_ctl failure, ...)
};

const char* errc_name(Errc e);

// What the interpreter's interrupt hook should do (see Loop::on_interrupt).
enum class Interrupt : uint8_t {
  resume,             // carry on (the fiber may have yielded meanwhile)
  cancelled,          // end the guest call: the fiber was cancelled
  deadline_exceeded,  // end the guest call with "deadline exceeded" (Interrupted)
};

}  // namespace wippy::disp
