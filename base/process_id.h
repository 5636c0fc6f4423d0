// process_id.h — this process's id, asked for on hot paths (is this the
// process that opened a descriptor or made a loop, or a forked child?)
// without a system call each time: getpid() costs about 0.2 us on a
// virtualised host, as much as a small guest call's bookkeeping.
// Contract: current_pid() equals getpid() in the parent and in the child of
// every fork() (a pthread_atfork child handler forgets the cached id).
// A child made by a raw clone(2), which runs no fork handlers, must not call
// into wippy before it execs (posix_spawn and vfork children do not).
#pragma once
#include <sys/types.h>

namespace wippy {

pid_t current_pid();

}  // namespace wippy
