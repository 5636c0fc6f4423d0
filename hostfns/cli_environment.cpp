// cli_environment.cpp — wasi:cli/environment: the WasiCtx's environment
// variables, arguments and initial working directory, as configured.
// Bound through the typed API (component/bind.h).
#include "component/bind.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;

void add_cli_environment(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:cli/environment"));
  // list<tuple<string, string>>
  inst.func("get-environment",
            [](WasiCtx& ctx) -> const std::vector<std::pair<std::string, std::string>>& { return ctx.env; });
  inst.func("get-arguments", [](WasiCtx& ctx) -> const std::vector<std::string>& { return ctx.args; });
  inst.func("initial-cwd", [](WasiCtx& ctx) -> const std::optional<std::string>& { return ctx.initial_cwd; });
}

}  // namespace wippy::hostfns
