// clocks_wall.cpp — wasi:clocks/wall-clock: now and resolution as datetime
// records {seconds: u64, nanoseconds: u32} from CLOCK_REALTIME.
// Bound through the typed API (component/bind.h).
#include <time.h>

#include "component/bind.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;

namespace {

struct Datetime {
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;
};
inline auto wit_describe(const Datetime*) {
  return component::wit_record(component::wit_field("seconds", &Datetime::seconds),
                               component::wit_field("nanoseconds", &Datetime::nanoseconds));
}

Datetime datetime(const timespec& ts) { return {uint64_t(ts.tv_sec), uint32_t(ts.tv_nsec)}; }

}  // namespace

void add_clocks_wall(Linker& linker, WasiCtx&) {
  HostInterface inst(linker, wasi_iface("wasi:clocks/wall-clock"));
  inst.func("now", [] {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return datetime(ts);
  });
  inst.func("resolution", [] {
    timespec ts{};
    clock_getres(CLOCK_REALTIME, &ts);
    return datetime(ts);
  });
}

}  // namespace wippy::hostfns
