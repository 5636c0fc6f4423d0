// cli_exit.cpp — wasi:cli/exit: exit(result) records status 0 (ok) or 1
// (err), exit-with-code(u8) records the code; both end the guest call with
// the kExitTrap Trap (is_exit_error), which run_wasi_command turns back
// into the exit code.
#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

bool is_exit_error(const Error& e) { return e.kind == ErrorKind::Trap && e.message.find(kExitTrap) != std::string::npos; }

namespace {

Result<Vals> exit_with(WasiCtx& ctx, int code) {
  ctx.exit_code = code;
  return make_error(ErrorKind::Trap, fmt::format("{} (status {})", kExitTrap, code));
}

}  // namespace

void add_cli_exit(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:cli/exit"));
  WasiCtx* c = &ctx;
  inst.func("exit", [c](Store&, std::span<const Val> a) { return exit_with(*c, a[0].is_ok() ? 0 : 1); });
  inst.func("exit-with-code", [c](Store&, std::span<const Val> a) { return exit_with(*c, int(uint8_t(a[0].u))); });
}

}  // namespace wippy::hostfns
