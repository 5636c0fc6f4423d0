// this_fiber.cpp — forwards to the thread's running Loop.
#include "dispatcher/this_fiber.h"

namespace wippy::disp::this_fiber {

namespace {
Loop* loop() { return Loop::current(); }
}  // namespace

bool in_fiber() { return loop() != nullptr && loop()->in_fiber(); }
FiberHandle id() { return loop() ? loop()->self() : FiberHandle{}; }

Errc yield() { return loop() ? loop()->yield() : Errc::not_in_fiber; }
Errc sleep_until(uint64_t mono_ns) { return loop() ? loop()->sleep_until(mono_ns) : Errc::not_in_fiber; }
Errc sleep_for(uint64_t ns) { return loop() ? loop()->sleep_for(ns) : Errc::not_in_fiber; }
Errc wait_readable(int fd, uint64_t deadline) { return loop() ? loop()->wait_readable(fd, deadline) : Errc::not_in_fiber; }
Errc wait_writable(int fd, uint64_t deadline) { return loop() ? loop()->wait_writable(fd, deadline) : Errc::not_in_fiber; }
Errc block(Pollable& p) { return loop() ? loop()->block(p) : Errc::not_in_fiber; }
Errc join(FiberHandle h) { return loop() ? loop()->join(h) : Errc::not_in_fiber; }

PollResult poll(std::span<Pollable* const> list) {
  if (Loop* l = loop()) return l->poll(list);
  PollResult r;
  r.err = Errc::not_in_fiber;
  return r;
}

volatile uint32_t* should_yield_flag() { return loop() ? loop()->should_yield_flag() : nullptr; }
void attach_interrupt_flag(volatile uint32_t* flag) {
  if (Loop* l = loop()) l->attach_interrupt_flag(flag);
}
void set_deadline(uint64_t mono_ns) {
  if (Loop* l = loop()) l->set_deadline(mono_ns);
}
bool deadline_exceeded() { return loop() && loop()->deadline_exceeded(); }
bool cancelled() { return loop() && loop()->cancelled(); }
Interrupt on_interrupt() { return loop() ? loop()->on_interrupt() : Interrupt::resume; }
std::optional<uint64_t> cpu_time_ns() { return loop() ? loop()->cpu_time_ns() : std::nullopt; }

}  // namespace wippy::disp::this_fiber
