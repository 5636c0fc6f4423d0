// cli_stdio.cpp — wasi:cli/stdin, stdout, stderr: each get-* call returns a
// new stream resource over the WasiCtx's StdioConfig (a host descriptor, or
// the in-memory stdin bytes / capture buffer). Several stdin streams share
// one read position. Bound through the typed API (component/bind.h).
#include "component/bind.h"
#include "dispatcher/fd_stream.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using component::Own;

namespace {

Result<Own<disp::OutputStream>> new_output(WasiCtx& ctx, StdioConfig& cfg) {
  std::shared_ptr<disp::OutputStream> s;
  if (cfg.fd >= 0) s = std::make_shared<disp::FdOutputStream>(cfg.fd);
  else s = std::make_shared<BufferOutput>(&cfg.buffer);
  return new_own<disp::OutputStream>(ctx.state, ctx.state.types.output_stream, std::move(s));
}

}  // namespace

void add_cli_stdio(Linker& linker) {
  HostInterface(linker, wasi_iface("wasi:cli/stdin"))
      .func("get-stdin", [](WasiCtx& ctx) -> Result<Own<disp::InputStream>> {
        std::shared_ptr<disp::InputStream> s;
        if (ctx.in.fd >= 0) s = std::make_shared<disp::FdInputStream>(ctx.in.fd);
        else s = std::make_shared<BufferInput>(&ctx.in.buffer, &ctx.state.stdin_pos);
        return new_own<disp::InputStream>(ctx.state, ctx.state.types.input_stream, std::move(s));
      });
  HostInterface(linker, wasi_iface("wasi:cli/stdout"))
      .func("get-stdout", [](WasiCtx& ctx) { return new_output(ctx, ctx.out); });
  HostInterface(linker, wasi_iface("wasi:cli/stderr"))
      .func("get-stderr", [](WasiCtx& ctx) { return new_output(ctx, ctx.err); });
}

}  // namespace wippy::hostfns
