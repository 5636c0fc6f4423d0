// bounded_call.cpp — guest work under a deadline (see bounded_call.h).
#include "cli/bounded_call.h"

#include "dispatcher/guest_call.h"
#include "dispatcher/loop.h"

namespace wippy::cli {

Result<void> run_bounded(Store& store, uint64_t timeout_ns, const std::function<Result<void>(Store&)>& work) {
  if (timeout_ns == 0) return work(store);
  FuncInst* thunk = store.create_host_func(
      FuncType{}, [&work](HostContext& ctx, std::span<const Value>, std::span<Value>) { return work(ctx.store); });
  if (!thunk) return make_error(ErrorKind::Exhaustion, "cannot create the call under --timeout");
  disp::LoopOptions lo;
  lo.stack_size = 1024 * 1024;  // as hostfns::run_on_fiber
  auto made = disp::Loop::create(lo);
  if (!made) return made.error();
  disp::Loop& loop = **made;
  Result<void> out = make_error(ErrorKind::Other, "the call under --timeout did not finish");
  auto fiber = loop.spawn([&] {
    disp::GuestCallOptions opts;
    opts.timeout_ns = timeout_ns;
    auto r = disp::call_in_fiber(store, thunk, {}, opts);
    out = r ? Result<void>{} : Result<void>(r.error());
  });
  if (!fiber.valid()) return make_error(ErrorKind::Exhaustion, "cannot create a fiber for the call under --timeout");
  loop.run();
  return out;
}

}  // namespace wippy::cli
