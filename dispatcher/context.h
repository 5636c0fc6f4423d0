// context.h — the raw machine context switch under every fiber.
// Contract: a suspended context is nothing but a saved stack pointer.
// wippy_ctx_switch(&save, resume) pushes the callee-saved registers and the FP
// control state of the running code onto its own stack (x86-64 SysV: rbx, rbp,
// r12–r15, MXCSR, x87 control word; AArch64: x19–x29, lr, d8–d15, FPCR),
// stores the stack pointer in *save, then loads `resume` and pops the same
// set, returning into the resumed context. make_context lays out a fresh
// frame at the top of a stack so that the first switch to it calls
// entry(arg) with default FP control state; entry must never return.
#pragma once
#include <cstddef>

extern "C" void wippy_ctx_switch(void** save_sp, void* resume_sp);

namespace wippy::disp {

using ContextEntry = void (*)(void* arg);

// stack_top: one past the highest usable byte. Returns the stack pointer to
// pass to wippy_ctx_switch.
void* make_context(void* stack_top, ContextEntry entry, void* arg);

}  // namespace wippy::disp
