// context.h — the raw machine context switch under every fiber.
// Contract: a suspended context is nothing but a saved stack pointer.
// wippy_ctx_switch(&save, resume) pushes the callee-saved registers and the FP
// control state of the running code onto its own stack (x86-64 SysV: rbx, rbp,
// r12–r15, MXCSR, x87 control word; AArch64: x19–x29, lr, d8–d15, FPCR),
// stores the stack pointer in *save, then loads `resume` and pops the same
// set, returning into the resumed context. make_context lays out a fresh
// frame at the top of a stack so that the first switch to it calls
// entry(arg) with default FP control state; entry must never return.
// switch_context wraps wippy_ctx_switch for the rest of the dispatcher: in an
// AddressSanitizer build it tells ASan which stack runs next (its fiber
// annotations), elsewhere it is the bare switch.
#pragma once
#include <cstddef>

extern "C" void wippy_ctx_switch(void** save_sp, void* resume_sp);

namespace wippy::disp {

using ContextEntry = void (*)(void* arg);

// stack_top: one past the highest usable byte. Returns the stack pointer to
// pass to wippy_ctx_switch.
void* make_context(void* stack_top, ContextEntry entry, void* arg);

// The stack a context runs on: [lo, lo + size).
struct StackSpan {
  const void* lo = nullptr;
  size_t size = 0;
};

// The calling thread's own stack (where a Loop runs between fibers), for
// switch_context's `to`. Only ASan builds use it; elsewhere it is empty, as
// finding it costs a read of /proc/self/maps for the main thread.
StackSpan thread_stack();

// Saves the running context in *save_sp and resumes resume_sp, which runs on
// `to`. `final`: the running context is never resumed (a finished fiber).
void switch_context(void** save_sp, void* resume_sp, StackSpan to, bool final = false);

// The first call a fresh context makes on its own stack.
void context_started();

}  // namespace wippy::disp
