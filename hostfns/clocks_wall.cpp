// clocks_wall.cpp — wasi:clocks/wall-clock: now and resolution as datetime
// records {seconds: u64, nanoseconds: u32} from CLOCK_REALTIME.
// Bound through the typed API (component/bind.h).
#include <time.h>

#include "component/bind.h"
#include "hostfns/wasi.h"
#include "hostfns/wit_datetime.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;

void add_clocks_wall(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:clocks/wall-clock"));
  inst.func("now", [] {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return datetime_of(ts);
  });
  inst.func("resolution", [] {
    timespec ts{};
    clock_getres(CLOCK_REALTIME, &ts);
    return datetime_of(ts);
  });
}

}  // namespace wippy::hostfns
