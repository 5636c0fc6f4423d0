// cli_exit.cpp — wasi:cli/exit: exit(result) records status 0 (ok) or 1
// (err), exit-with-code(u8) records the code; both end the guest call with
// exit_error(status), a Trap that also carries the status as its payload
// (Error::exit_code); the status the runners act on travels in
// WasiCtx::exit_code (the trap may be rewrapped on its way out of the guest
// call), and exit_status() gives it to the command runners. Bound through the typed
// API (component/bind.h).
#include <fmt/format.h>

#include "component/bind.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using component::WitResult;

Error exit_error(int status) {
  Error e = make_error(ErrorKind::Trap, fmt::format("wasi:cli/exit called (status {})", status));
  e.exit_code = status;
  return e;
}

std::optional<int> exit_status(const WasiCtx& ctx, const Error& e) {
  if (e.kind != ErrorKind::Trap) return std::nullopt;
  return ctx.exit_code;
}

namespace {

Result<void> exit_with(WasiCtx& ctx, int code) {
  ctx.exit_code = code;
  return exit_error(code);
}

}  // namespace

void add_cli_exit(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:cli/exit"));
  inst.func("exit", [](WasiCtx& ctx, WitResult<> status) { return exit_with(ctx, status.is_ok() ? 0 : 1); });
  inst.func("exit-with-code", [](WasiCtx& ctx, uint8_t code) { return exit_with(ctx, int(code)); });
}

}  // namespace wippy::hostfns
