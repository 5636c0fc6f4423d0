// context.cpp — builds the initial frame of a fresh fiber stack; the frame
// layout must match context_<arch>.S exactly (see the comments there).
#include "dispatcher/context.h"

#include <pthread.h>

#include <cstdint>
#include <cstring>

#include "dispatcher/sanitizer.h"
#if defined(WIPPY_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" void wippy_ctx_start();

namespace wippy::disp {

StackSpan thread_stack() {
  StackSpan span;
#if defined(WIPPY_ASAN)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return span;
  void* lo = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&attr, &lo, &size) == 0) span = StackSpan{lo, size};
  pthread_attr_destroy(&attr);
#endif
  return span;
}

#if defined(WIPPY_ASAN)
void switch_context(void** save_sp, void* resume_sp, StackSpan to, bool final) {
  // A final switch passes no fake-stack slot, so ASan frees this context's
  // fake stack; every other one keeps it for when the context resumes.
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(final ? nullptr : &fake, to.lo, to.size);
  wippy_ctx_switch(save_sp, resume_sp);
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
}
void context_started() { __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr); }
#else
void switch_context(void** save_sp, void* resume_sp, StackSpan, bool) {
  wippy_ctx_switch(save_sp, resume_sp);
}
void context_started() {}
#endif

#if defined(__x86_64__)

void* make_context(void* stack_top, ContextEntry entry, void* arg) {
  auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
  // After the switch pops 64 bytes, rsp = top - 16: 16-byte aligned at the
  // `call` in wippy_ctx_start, as the ABI requires. The 16 bytes above stay
  // zero (a null return address for anything walking the stack).
  auto* frame = reinterpret_cast<uint64_t*>(top - 16 - 64);
  std::memset(frame, 0, 64 + 16);
  const uint32_t mxcsr = 0x1F80;  // all exceptions masked, round to nearest
  const uint16_t x87cw = 0x037F;  // all masked, 64-bit precision, nearest
  std::memcpy(reinterpret_cast<char*>(frame), &mxcsr, 4);
  std::memcpy(reinterpret_cast<char*>(frame) + 4, &x87cw, 2);
  frame[3] = reinterpret_cast<uint64_t>(arg);    // r13
  frame[4] = reinterpret_cast<uint64_t>(entry);  // r12
  frame[7] = reinterpret_cast<uint64_t>(&wippy_ctx_start);
  return frame;
}

#elif defined(__aarch64__)

void* make_context(void* stack_top, ContextEntry entry, void* arg) {
  auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<uint64_t*>(top - 176);
  std::memset(frame, 0, 176);
  frame[0] = reinterpret_cast<uint64_t>(entry);  // x19
  frame[1] = reinterpret_cast<uint64_t>(arg);    // x20
  frame[10] = 0;                                 // x29: end of frame chain
  frame[11] = reinterpret_cast<uint64_t>(&wippy_ctx_start);  // x30
  frame[20] = 0;                                 // FPCR: IEEE defaults
  return frame;
}

#else
#error "dispatcher: no context switch for this CPU (x86-64 and AArch64 only)"
#endif

}  // namespace wippy::disp
