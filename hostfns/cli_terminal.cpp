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
Result<std::optional<Own<T>>> terminal_for(WasiCtx& ctx, const HostResource<T>& terminals, const StdioConfig& cfg) {
  if (cfg.fd < 0 || !::isatty(cfg.fd)) return std::optional<Own<T>>();
  auto own = in(ctx, terminals).emplace(T{{cfg.fd}});
  if (!own) return own.error();
  return std::optional<Own<T>>(std::move(*own));
}

}  // namespace

void add_cli_terminal(Linker& linker, WasiTypes& types) {
  auto inputs = HostInterface(linker, wasi_iface("wasi:cli/terminal-input"))
                    .context_resource<TerminalIn, WasiCtx>("terminal-input");
  auto outputs = HostInterface(linker, wasi_iface("wasi:cli/terminal-output"))
                     .context_resource<TerminalOut, WasiCtx>("terminal-output");
  types.terminal_input = inputs.type();
  types.terminal_output = outputs.type();
  HostInterface(linker, wasi_iface("wasi:cli/terminal-stdin"))
      .func("get-terminal-stdin", [inputs](WasiCtx& ctx) { return terminal_for(ctx, inputs, ctx.in); });
  HostInterface(linker, wasi_iface("wasi:cli/terminal-stdout"))
      .func("get-terminal-stdout", [outputs](WasiCtx& ctx) { return terminal_for(ctx, outputs, ctx.out); });
  HostInterface(linker, wasi_iface("wasi:cli/terminal-stderr"))
      .func("get-terminal-stderr", [outputs](WasiCtx& ctx) { return terminal_for(ctx, outputs, ctx.err); });
}

}  // namespace wippy::hostfns
