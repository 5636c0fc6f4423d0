// clocks_monotonic.cpp — wasi:clocks/monotonic-clock on the dispatcher's
// time base (disp::now_ns, CLOCK_MONOTONIC): now, resolution, and
// subscribe-instant / subscribe-duration returning deadline pollables.
#include <time.h>

#include "component/linker.h"
#include "dispatcher/clock.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

namespace {

Val new_pollable(WasiState& st, disp::Pollable p) {
  uint32_t rep = st.pollables.insert(std::make_unique<disp::Pollable>(std::move(p)));
  return Val::own(st.types.pollable, rep);
}

}  // namespace

void add_clocks_monotonic(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:clocks/monotonic-clock"));
  WasiState& st = ctx.state;
  inst.func("now", [](Store&, std::span<const Val>) -> Result<Vals> { return reply(Val::u64(disp::now_ns())); });
  inst.func("resolution", [](Store&, std::span<const Val>) -> Result<Vals> {
    timespec ts{};
    clock_getres(CLOCK_MONOTONIC, &ts);
    return reply(Val::u64(uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec)));
  });
  inst.func("subscribe-instant", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    return reply(new_pollable(st, disp::Pollable::at(a[0].u)));
  });
  inst.func("subscribe-duration", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    return reply(new_pollable(st, disp::Pollable::after(a[0].u)));
  });
}

}  // namespace wippy::hostfns
