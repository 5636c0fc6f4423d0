// clocks_wall.cpp — wasi:clocks/wall-clock: now and resolution as datetime
// records {seconds: u64, nanoseconds: u32} from CLOCK_REALTIME.
#include <time.h>

#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

namespace {

Val datetime(const timespec& ts) {
  return Val::record({Val::u64(uint64_t(ts.tv_sec)), Val::u32(uint32_t(ts.tv_nsec))});
}

}  // namespace

void add_clocks_wall(Linker& linker, WasiCtx&) {
  auto& inst = linker.instance(wasi_iface("wasi:clocks/wall-clock"));
  inst.func("now", [](Store&, std::span<const Val>) -> Result<Vals> {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return reply(datetime(ts));
  });
  inst.func("resolution", [](Store&, std::span<const Val>) -> Result<Vals> {
    timespec ts{};
    clock_getres(CLOCK_REALTIME, &ts);
    return reply(datetime(ts));
  });
}

}  // namespace wippy::hostfns
