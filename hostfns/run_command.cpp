// run_command.cpp — run_wasi_command (see wasi.h): decode, link against a
// fresh WASI linker bound to `ctx`, call wasi:cli/run#run, map the outcome
// onto an exit code.
#include <memory>

#include "component/decode.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

Result<int> run_wasi_command(Store& store, std::span<const uint8_t> component_bytes, WasiCtx& ctx) {
  auto decoded = component::decode_component(component_bytes);
  if (!decoded) return decoded.error();
  auto comp = std::make_shared<const component::Component>(std::move(*decoded));

  component::Linker linker;
  auto added = add_wasi_to_linker(linker, ctx);
  if (!added) return added.error();
  auto inst = linker.instantiate(store, comp);
  if (!inst) return inst.error();

  ctx.exit_code.reset();
  auto r = (*inst)->call(std::string("wasi:cli/run@") + kWasiVersion + "#run", {});
  if (!r) {
    if (ctx.exit_code && is_exit_error(r.error())) return *ctx.exit_code;
    return r.error();
  }
  if (r->size() != 1 || r->front().kind != component::ValKind::Result)
    return make_error(ErrorKind::Trap, "wasi:cli/run#run did not return a result");
  return r->front().is_ok() ? 0 : 1;
}

}  // namespace wippy::hostfns
