// overflow_guard.cpp — SIGSEGV handler for fiber guard pages (installed while
// it has users, chained to the previous one), alternate signal stacks.
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

// Guarded by handler_mutex() (the handler itself only reads g_previous).
struct sigaction g_previous;  // set before our handler is installed
size_t g_users = 0;
// Set on a thread while its fault is forwarded to g_previous.
__thread bool tl_forwarding = false;

std::mutex& handler_mutex() {
  static std::mutex mu;
  return mu;
}

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

// Restores SIG_DFL: the faulting instruction re-runs on return and the
// kernel kills the process with SIGSEGV as usual.
void default_action() {
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGSEGV, &dfl, nullptr);
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
  // Not ours: hand over to whoever was there before, once.
  if (tl_forwarding) {
    default_action();
    return;
  }
  if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction != nullptr) {
    tl_forwarding = true;
    g_previous.sa_sigaction(sig, info, uctx);
    tl_forwarding = false;
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    tl_forwarding = true;
    g_previous.sa_handler(sig);
    tl_forwarding = false;
    return;
  }
  default_action();
}

bool is_ours(const struct sigaction& sa) {
  return (sa.sa_flags & SA_SIGINFO) && sa.sa_sigaction == &on_segv;
}

}  // namespace

OverflowHandlerUse::OverflowHandlerUse() {
  // Re-checked for every use (each Loop construction): a test framework or
  // the embedder may have replaced the handler since; it then becomes the
  // one non-fiber faults are handed to.
  std::lock_guard<std::mutex> lk(handler_mutex());
  ++g_users;
  struct sigaction cur;
  if (sigaction(SIGSEGV, nullptr, &cur) != 0 || is_ours(cur)) return;
  g_previous = cur;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = &on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
}

OverflowHandlerUse::~OverflowHandlerUse() {
  std::lock_guard<std::mutex> lk(handler_mutex());
  if (--g_users != 0) return;
  // Put the previous handler back and look at what it replaced in one call
  // (a Loop per call outside fibers makes this common); if that was not
  // ours, someone replaced ours meanwhile: theirs goes back.
  struct sigaction cur;
  if (sigaction(SIGSEGV, &g_previous, &cur) == 0 && !is_ours(cur)) sigaction(SIGSEGV, &cur, nullptr);
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
  if (sigaltstack(nullptr, &cur) != 0 || cur.ss_sp != mem_) {
    // Not this thread's: destroyed on another thread than the one it was
    // made on, where it may still be installed. Unmapping it would leave
    // that thread a signal stack of unmapped memory (a later SIGSEGV there
    // could not be handled), so its pages are left mapped.
    return;
  }
  stack_t off;
  std::memset(&off, 0, sizeof off);
  off.ss_flags = SS_DISABLE;
  sigaltstack(&off, nullptr);
  munmap(mem_, size_);
}

}  // namespace wippy::disp
