// cli_environment.cpp — wasi:cli/environment: the WasiCtx's environment
// variables, arguments and initial working directory, as configured.
// Bound through the typed API (component/bind.h).
#include "component/bind.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;

void add_cli_environment(Linker& linker, WasiCtx& ctx) {
  HostInterface inst(linker, wasi_iface("wasi:cli/environment"));
  WasiCtx* c = &ctx;
  // list<tuple<string, string>>
  inst.func("get-environment", [c]() -> const std::vector<std::pair<std::string, std::string>>& { return c->env; });
  inst.func("get-arguments", [c]() -> const std::vector<std::string>& { return c->args; });
  inst.func("initial-cwd", [c]() -> const std::optional<std::string>& { return c->initial_cwd; });
}

}  // namespace wippy::hostfns
