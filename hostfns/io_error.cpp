// io_error.cpp — wasi:io/error: the `error` resource (an IoError in the
// instance's resource table: debug string and OS error code), created by
// failed stream operations. Bound through the typed API (component/bind.h).
#include "component/bind.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Borrow;
using component::HostInterface;
using component::Linker;

void add_io_error(Linker& linker, WasiTypes& types) {
  HostInterface inst(linker, wasi_iface("wasi:io/error"));
  auto errors = inst.context_resource<IoError, WasiCtx>("error");
  types.error = errors.type();
  inst.func("[method]error.to-debug-string", [errors](WasiCtx& ctx, Borrow<IoError> self) -> Result<std::string> {
    auto e = in(ctx, errors).get(self);
    if (!e) return e.error();
    return (*e)->message;
  });
}

}  // namespace wippy::hostfns
