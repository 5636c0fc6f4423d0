// overflow_guard.cpp — SIGSEGV handler for fiber guard pages, alt stacks.
#include "dispatcher/overflow_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace wippy::disp {

namespace detail {
__thread const StackRange* tl_running_stack = nullptr;
}

namespace {

struct sigaction g_previous;  // set once, before our handler can run

uintptr_t fault_sp(void* uctx) {
#if defined(__x86_64__)
  return static_cast<uintptr_t>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(static_cast<ucontext_t*>(uctx)->uc_mcontext.sp);
#else
  (void)uctx;
  return 0;
#endif
}

void write_all(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void on_segv(int sig, siginfo_t* info, void* uctx) {
  const StackRange* r = detail::tl_running_stack;
  if (r != nullptr) {
    const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    const uintptr_t sp = fault_sp(uctx);
    const bool in_guard = addr >= r->guard_lo && addr < r->usable_lo;
    // A frame larger than the guard can jump over it; the stack pointer
    // below the usable range (but not absurdly far) still means overflow.
    const bool sp_below = sp != 0 && sp < r->usable_lo && r->usable_lo - sp < (1u << 20);
    if (in_guard || sp_below) {
      static const char msg[] = "wippy: fiber stack overflow\n";
      write_all(2, msg, sizeof msg - 1);
      _exit(kStackOverflowExitStatus);
    }
  }
  // Not ours: hand over to whoever was there before.
  if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(sig, info, uctx);
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: restore it and return; the faulting instruction re-runs
  // and the kernel kills the process with SIGSEGV as usual.
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGSEGV, &dfl, nullptr);
}

}  // namespace

void install_overflow_handler() {
  // Re-checked on every call (each Loop construction): a test framework or
  // the embedder may have replaced the handler since; it then becomes the
  // one non-fiber faults are handed to.
  static std::mutex mu;
  std::lock_guard<std::mutex> lk(mu);
  struct sigaction cur;
  if (sigaction(SIGSEGV, nullptr, &cur) != 0) return;
  if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == &on_segv) return;
  g_previous = cur;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = &on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
}

AltSignalStack::AltSignalStack() {
  stack_t cur;
  if (sigaltstack(nullptr, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) return;  // thread has one
  long min = sysconf(_SC_MINSIGSTKSZ);
  size_t size = round_to_pages(std::max<size_t>(64 * 1024, min > 0 ? static_cast<size_t>(min) * 4 : 0));
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  stack_t ss;
  std::memset(&ss, 0, sizeof ss);
  ss.ss_sp = p;
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(p, size);
    return;
  }
  mem_ = p;
  size_ = size;
}

AltSignalStack::~AltSignalStack() {
  if (mem_ == nullptr) return;
  stack_t cur;
  if (sigaltstack(nullptr, &cur) == 0 && cur.ss_sp == mem_) {
    stack_t off;
    std::memset(&off, 0, sizeof off);
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
  munmap(mem_, size_);
}

}  // namespace wippy::disp
