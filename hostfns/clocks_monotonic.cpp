// clocks_monotonic.cpp — wasi:clocks/monotonic-clock on the dispatcher's
// time base (disp::now_ns, CLOCK_MONOTONIC): now, resolution, and
// subscribe-instant / subscribe-duration returning deadline pollables.
// Bound through the typed API (component/bind.h); the pollable resource is
// declared untyped by io_poll.cpp, hence Own<> (any resource, checked by the
// canonical ABI when the handle is lowered).
#include <time.h>

#include "component/bind.h"
#include "dispatcher/clock.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using component::Own;

namespace {

Result<Own<>> deadline_pollable(WasiState& st, disp::Pollable p) {
  auto rep = st.table->insert<disp::Pollable>(std::make_shared<disp::Pollable>(std::move(p)));
  if (!rep) return rep.error();
  return Own<>(st.types.pollable, *rep);
}

}  // namespace

void add_clocks_monotonic(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:clocks/monotonic-clock"));
  inst.func("now", []() -> uint64_t { return disp::now_ns(); });
  inst.func("resolution", []() -> uint64_t {
    timespec ts{};
    clock_getres(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
  });
  inst.func("subscribe-instant",
            [](WasiCtx& ctx, uint64_t when) { return deadline_pollable(ctx.state, disp::Pollable::at(when)); });
  inst.func("subscribe-duration",
            [](WasiCtx& ctx, uint64_t ns) { return deadline_pollable(ctx.state, disp::Pollable::after(ns)); });
}

}  // namespace wippy::hostfns
