// process_id.cpp — current_pid(): the id cached, forgotten in fork children.
#include "base/process_id.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>

namespace wippy {

namespace {

// The process's id once asked for (0: not yet, or forgotten in a child).
// Process-wide by nature: it describes the process, not any object.
std::atomic<pid_t> g_pid{0};

void forget_pid() { g_pid.store(0, std::memory_order_relaxed); }

}  // namespace

pid_t current_pid() {
  pid_t p = g_pid.load(std::memory_order_relaxed);
  if (p != 0) return p;
  // Registered before the first id is cached, so no cached id misses it.
  static const bool registered = pthread_atfork(nullptr, nullptr, &forget_pid) == 0;
  p = getpid();
  if (registered) g_pid.store(p, std::memory_order_relaxed);
  return p;
}

}  // namespace wippy
