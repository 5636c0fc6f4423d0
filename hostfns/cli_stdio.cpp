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

void add_cli_stdio(Linker& linker, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  HostInterface(linker, wasi_iface("wasi:cli/stdin")).func("get-stdin", [c]() -> Result<Own<disp::InputStream>> {
    std::shared_ptr<disp::InputStream> s;
    if (c->in.fd >= 0) s = std::make_shared<disp::FdInputStream>(c->in.fd);
    else s = std::make_shared<BufferInput>(&c->in.buffer, &c->state.stdin_pos);
    return new_own<disp::InputStream>(c->state, c->state.types.input_stream, std::move(s));
  });
  HostInterface(linker, wasi_iface("wasi:cli/stdout")).func("get-stdout", [c]() { return new_output(*c, c->out); });
  HostInterface(linker, wasi_iface("wasi:cli/stderr")).func("get-stderr", [c]() { return new_output(*c, c->err); });
}

}  // namespace wippy::hostfns
