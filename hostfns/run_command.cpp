// run_command.cpp — run_wasi_command (see wasi.h): load (or take a loaded
// component), instantiate it through a WasiHost (given, or a fresh one),
// call wasi:cli/run#run, map the outcome onto an exit code; and run_on_fiber,
// which it (and preview1's run_preview1_command) calls on: the caller's
// fiber, or one of a private Loop that lives for the call.
#include <memory>

#include "component/load.h"
#include "dispatcher/loop.h"
#include "dispatcher/this_fiber.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

Result<void> run_on_fiber(const std::function<void()>& fn, const char* what) {
  if (disp::this_fiber::in_fiber()) {
    fn();
    return {};
  }
  // Outside a dispatcher: a private loop, so waits park a fiber and host
  // work (HTTP requests, DNS) runs on fibers of its own.
  disp::LoopOptions lo;
  lo.stack_size = 1024 * 1024;
  auto loop = disp::Loop::create(lo);
  if (!loop) return loop.error();
  if (!(*loop)->spawn([&] { fn(); }).valid())
    return make_error(ErrorKind::Exhaustion, std::string("cannot create a fiber for ") + what);
  (*loop)->run();
  return {};
}

Result<int> run_wasi_command(Store& store, std::span<const uint8_t> component_bytes, WasiCtx& ctx) {
  auto comp = component::load_component(component_bytes);
  if (!comp) return comp.error();
  return run_wasi_command(store, *comp, ctx);
}

Result<int> run_wasi_command(Store& store, const std::shared_ptr<const component::Component>& comp, WasiCtx& ctx) {
  return run_wasi_command(store, comp, ctx, WasiHost(WasiPackages::for_imports(*comp)));
}

Result<int> run_wasi_command(Store& store, const std::shared_ptr<const component::Component>& comp, WasiCtx& ctx,
                             const WasiHost& host) {
  auto inst = host.instantiate(store, ctx, comp);
  if (!inst) return inst.error();

  ctx.exit_code.reset();
  const std::string run = std::string("wasi:cli/run@") + kWasiVersion + "#run";
  auto call = [&] { return (*inst)->call(run, {}); };
  decltype(call()) r = make_error(ErrorKind::Other, "wasi:cli/run#run did not finish (nothing left could wake it)");
  auto ran = run_on_fiber([&] { r = call(); }, "wasi:cli/run#run");
  if (!ran) return ran.error();
  if (!r) {
    if (auto status = exit_status(ctx, r.error())) return *status;
    return r.error();
  }
  if (r->size() != 1 || r->front().kind != component::ValKind::Result)
    return make_error(ErrorKind::Trap, "wasi:cli/run#run did not return a result");
  return r->front().is_ok() ? 0 : 1;
}

}  // namespace wippy::hostfns
