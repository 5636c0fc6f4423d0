// cli_terminal.cpp — wasi:cli/terminal-input, terminal-output and
// terminal-stdin/stdout/stderr: get-terminal-* returns some(terminal) only
// when the stream is a host descriptor for which isatty(3) holds; captured
// and in-memory stdio are never terminals. The terminal resources carry no
// operations in WASI 0.2.
#include <unistd.h>

#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;
using component::ResourceRef;

namespace {

Result<Vals> terminal_for(WasiState& st, const ResourceRef& type, const StdioConfig& cfg) {
  if (cfg.fd < 0 || !::isatty(cfg.fd)) return reply(Val::none());
  auto v = new_handle<Terminal>(st, type, std::make_shared<Terminal>(Terminal{cfg.fd}));
  if (!v) return v.error();
  return reply(Val::some(std::move(*v)));
}

}  // namespace

void add_cli_terminal(Linker& linker, WasiCtx& ctx) {
  WasiState& st = ctx.state;
  WasiCtx* c = &ctx;
  auto drop = [table = st.table](uint32_t rep) { table->drop(rep); };
  st.types.terminal_input = linker.instance(wasi_iface("wasi:cli/terminal-input")).resource("terminal-input", drop);
  st.types.terminal_output = linker.instance(wasi_iface("wasi:cli/terminal-output")).resource("terminal-output", drop);
  linker.instance(wasi_iface("wasi:cli/terminal-stdin"))
      .func("get-terminal-stdin", [c](Store&, std::span<const Val>) -> Result<Vals> {
        return terminal_for(c->state, c->state.types.terminal_input, c->in);
      });
  linker.instance(wasi_iface("wasi:cli/terminal-stdout"))
      .func("get-terminal-stdout", [c](Store&, std::span<const Val>) -> Result<Vals> {
        return terminal_for(c->state, c->state.types.terminal_output, c->out);
      });
  linker.instance(wasi_iface("wasi:cli/terminal-stderr"))
      .func("get-terminal-stderr", [c](Store&, std::span<const Val>) -> Result<Vals> {
        return terminal_for(c->state, c->state.types.terminal_output, c->err);
      });
}

}  // namespace wippy::hostfns
