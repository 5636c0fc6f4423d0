// this_fiber.h — the calling fiber's view of its loop (like std::this_thread).
// Contract: each function forwards to Loop::current() (the loop running on
// this thread) and acts on the running fiber. Outside a fiber, the blocking
// calls return Errc::not_in_fiber (poll: PollResult::err), queries return
// false / nullptr and the setters do nothing. The interpreter's interrupt
// hook is on_interrupt(); should_yield_flag() is the word it may poll.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "dispatcher/loop.h"

namespace wippy::disp::this_fiber {

bool in_fiber();
FiberHandle id();

Errc yield();
Errc sleep_until(uint64_t mono_ns);
Errc sleep_for(uint64_t ns);
Errc wait_readable(int fd, uint64_t deadline = kNever);
Errc wait_writable(int fd, uint64_t deadline = kNever);
Errc block(Pollable& p);
PollResult poll(std::span<Pollable* const> list);
Errc join(FiberHandle h);

volatile uint32_t* should_yield_flag();
void attach_interrupt_flag(volatile uint32_t* flag);
void set_deadline(uint64_t mono_ns);
bool deadline_exceeded();
bool cancelled();
Interrupt on_interrupt();
// The running fiber's CPU time (Loop::cpu_time_ns: counted from the first call).
std::optional<uint64_t> cpu_time_ns();

}  // namespace wippy::disp::this_fiber
