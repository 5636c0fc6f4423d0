// cli_environment.cpp — wasi:cli/environment: the WasiCtx's environment
// variables, arguments and initial working directory, as configured.
#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

void add_cli_environment(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:cli/environment"));
  WasiCtx* c = &ctx;
  inst.func("get-environment", [c](Store&, std::span<const Val>) -> Result<Vals> {
    Vals vars;
    vars.reserve(c->env.size());
    for (auto& [k, v] : c->env) vars.push_back(Val::tuple({Val::string(k), Val::string(v)}));
    return reply(Val::list(std::move(vars)));
  });
  inst.func("get-arguments", [c](Store&, std::span<const Val>) -> Result<Vals> {
    Vals args;
    args.reserve(c->args.size());
    for (auto& a : c->args) args.push_back(Val::string(a));
    return reply(Val::list(std::move(args)));
  });
  inst.func("initial-cwd", [c](Store&, std::span<const Val>) -> Result<Vals> {
    return reply(c->initial_cwd ? Val::some(Val::string(*c->initial_cwd)) : Val::none());
  });
}

}  // namespace wippy::hostfns
