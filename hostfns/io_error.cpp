// io_error.cpp — wasi:io/error: the `error` resource (an IoError in the
// instance's resource table: debug string and OS error code), created by
// failed stream operations.
#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

void add_io_error(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:io/error"));
  WasiState& st = ctx.state;
  st.types.error = inst.resource("error", [table = st.table](uint32_t rep) { table->drop(rep); });
  inst.func("[method]error.to-debug-string", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    auto e = lookup<IoError>(st, a[0], "error.to-debug-string");
    if (!e) return e.error();
    return reply(Val::string((*e)->message));
  });
}

}  // namespace wippy::hostfns
