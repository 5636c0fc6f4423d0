// cli_terminal.cpp — wasi:cli/terminal-input, terminal-output and
// terminal-stdin/stdout/stderr: get-terminal-* returns some(terminal) only
// when the stream is a host descriptor for which isatty(3) holds; captured
// and in-memory stdio are never terminals. The terminal resources carry no
// operations in WASI 0.2. Bound through the typed API (component/bind.h);
// both resources hold a Terminal, told apart by their resource type.
#include <unistd.h>

#include <optional>

#include "component/bind.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::HostResource;
using component::Linker;
using component::Own;

namespace {

// Terminal-input and terminal-output: distinct C++ types so that each
// resource's signature check names its own.
struct TerminalIn : Terminal {};
struct TerminalOut : Terminal {};

template <class T>
Result<std::optional<Own<T>>> terminal_for(const HostResource<T>& terminals, const StdioConfig& cfg) {
  if (cfg.fd < 0 || !::isatty(cfg.fd)) return std::optional<Own<T>>();
  auto own = terminals.emplace(T{{cfg.fd}});
  if (!own) return own.error();
  return std::optional<Own<T>>(std::move(*own));
}

}  // namespace

void add_cli_terminal(Linker& linker, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  auto inputs = HostInterface(linker, wasi_iface("wasi:cli/terminal-input"))
                    .resource<TerminalIn>("terminal-input", ctx.state.table);
  auto outputs = HostInterface(linker, wasi_iface("wasi:cli/terminal-output"))
                     .resource<TerminalOut>("terminal-output", ctx.state.table);
  ctx.state.types.terminal_input = inputs.type();
  ctx.state.types.terminal_output = outputs.type();
  HostInterface(linker, wasi_iface("wasi:cli/terminal-stdin"))
      .func("get-terminal-stdin", [c, inputs]() { return terminal_for(inputs, c->in); });
  HostInterface(linker, wasi_iface("wasi:cli/terminal-stdout"))
      .func("get-terminal-stdout", [c, outputs]() { return terminal_for(outputs, c->out); });
  HostInterface(linker, wasi_iface("wasi:cli/terminal-stderr"))
      .func("get-terminal-stderr", [c, outputs]() { return terminal_for(outputs, c->err); });
}

}  // namespace wippy::hostfns
