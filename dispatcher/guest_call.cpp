// guest_call.cpp — call_in_fiber, spawn_guest_call and the sleep import
// (contract in guest_call.h).
#include "dispatcher/guest_call.h"

#include <algorithm>
#include <string>
#include <utility>

#include "dispatcher/clock.h"
#include "dispatcher/pollable.h"
#include "dispatcher/this_fiber.h"

namespace wippy::disp {

namespace {

// A call ended from outside the guest (cancel or deadline).
Error interrupted(const char* msg) { return make_error(ErrorKind::Interrupted, msg); }

// The store.on_interrupt hook installed for one call. Its type is how a
// later call recognises a store that is already busy on some fiber.
struct FiberInterruptHook {
  FiberHandle owner;
  uint64_t deadline = 0;  // the deadline this call set on the fiber; 0: none

  // Mirrors Loop::on_interrupt, except that a time slice ends by parking on
  // an already-due timer instead of yield(): yield() with nothing else
  // runnable keeps the fiber going for up to the loop's hand-off budget
  // (32 slices), so timers and I/O of parked fibers would wait that long.
  // Parking sends the fiber through the loop, which polls first.
  Result<void> operator()(Store& store) const {
    if (volatile uint32_t* f = this_fiber::should_yield_flag()) __atomic_store_n(f, 0u, __ATOMIC_RELAXED);
    __atomic_store_n(&store.interrupt, 0u, __ATOMIC_RELAXED);
    if (this_fiber::cancelled()) return interrupted(kCancelled);
    if (this_fiber::deadline_exceeded()) return interrupted(kDeadlineExceeded);
    const Errc e = this_fiber::sleep_until(0);
    if (e == Errc::cancelled || this_fiber::cancelled()) return interrupted(kCancelled);
    if (e == Errc::deadline_exceeded || this_fiber::deadline_exceeded()) return interrupted(kDeadlineExceeded);
    return {};
  }
};

// The earlier of two deadlines where 0 means "none".
uint64_t earlier(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

// Installs the hook, the interrupt flag and the deadline for one call and
// puts things back when the call returns. `outer` is the hook of an
// enclosing call on the same store and fiber (nullptr when not nested).
class CallScope {
 public:
  CallScope(Store& store, FiberHandle self, uint64_t deadline, const FiberInterruptHook* outer)
      : store_(store), deadline_(deadline) {
    if (outer != nullptr) {
      nested_ = true;
      outer_deadline_ = outer->deadline;
    }
    saved_hook_ = std::move(store_.on_interrupt);
    store_.on_interrupt = FiberInterruptHook{self, deadline};
    this_fiber::attach_interrupt_flag(&store_.interrupt);
    if (deadline_ != 0) this_fiber::set_deadline(deadline_);
  }
  ~CallScope() {
    if (deadline_ != 0) this_fiber::set_deadline(nested_ ? outer_deadline_ : 0);
    if (nested_) {
      // The enclosing call on this store goes on: keep it preemptible.
      this_fiber::attach_interrupt_flag(&store_.interrupt);
    } else {
      this_fiber::attach_interrupt_flag(nullptr);
      store_.interrupt = 0;  // a raise that came too late must not outlive the call
    }
    store_.on_interrupt = std::move(saved_hook_);
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  Store& store_;
  uint64_t deadline_;
  bool nested_ = false;
  uint64_t outer_deadline_ = 0;
  std::function<Result<void>(Store&)> saved_hook_;
};

}  // namespace

Result<void> errc_to_result(Errc e) {
  switch (e) {
    case Errc::ok:
    case Errc::timed_out: return {};
    case Errc::cancelled: return interrupted(kCancelled);
    case Errc::deadline_exceeded: return interrupted(kDeadlineExceeded);
    case Errc::bad_fd:
    case Errc::not_in_fiber:
    case Errc::system: break;
  }
  return make_error(ErrorKind::Trap, std::string("wait failed: ") + errc_name(e));
}

Result<std::vector<Value>> call_in_fiber(Store& store, FuncInst* func, std::span<const Value> args,
                                         GuestCallOptions opts) {
  if (!this_fiber::in_fiber()) return make_error(ErrorKind::Other, "call_in_fiber: not in a fiber");
  const FiberHandle self = this_fiber::id();
  const auto* outer = store.on_interrupt.target<FiberInterruptHook>();
  if (outer != nullptr && outer->owner != self)
    return make_error(ErrorKind::Other, "call_in_fiber: the store is in a call on another fiber");
  if (this_fiber::cancelled()) return interrupted(kCancelled);

  uint64_t deadline = opts.deadline;
  if (opts.timeout_ns != 0) {
    const uint64_t rel = deadline_after(opts.timeout_ns);
    deadline = earlier(deadline, rel == kNever ? 0 : rel);
  }
  // Nested on the same fiber: an inner call never outlives the outer one.
  if (outer != nullptr) deadline = earlier(deadline, outer->deadline);
  if (deadline != 0 && now_ns() >= deadline) return interrupted(kDeadlineExceeded);

  CallScope scope(store, self, deadline, outer);
  return invoke(store, func, args);
}

FiberHandle spawn_guest_call(Loop& loop, Store& store, FuncInst* func, std::vector<Value> args,
                             GuestCallOptions opts, GuestDone on_done, SpawnOptions spawn) {
  return loop.spawn(
      [&store, func, args = std::move(args), opts, done = std::move(on_done)]() {
        Result<std::vector<Value>> r = call_in_fiber(store, func, args, opts);
        if (done) done(std::move(r));
      },
      spawn);
}

FuncType sleep_func_type(SleepUnit unit) {
  FuncType t;
  t.params.push_back(unit == SleepUnit::millis_i32 ? ValType::I32 : ValType::I64);
  return t;
}

HostFunc make_sleep_host(SleepUnit unit) {
  return [unit](HostContext&, std::span<const Value> args, std::span<Value>) -> Result<void> {
    const uint64_t ns = unit == SleepUnit::millis_i32 ? uint64_t{args[0].i32} * 1000000u : args[0].i64;
    Pollable p = Pollable::after(ns);
    const Errc e = this_fiber::block(p);
    if (e == Errc::not_in_fiber) return make_error(ErrorKind::Trap, "sleep: not in a fiber");
    return errc_to_result(e);
  };
}

FuncInst* create_sleep_func(Store& store, SleepUnit unit) {
  return store.create_host_func(sleep_func_type(unit), make_sleep_host(unit));
}

}  // namespace wippy::disp
