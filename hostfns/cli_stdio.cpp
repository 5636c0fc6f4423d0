// cli_stdio.cpp — wasi:cli/stdin, stdout, stderr: each get-* call returns a
// new stream resource over the WasiCtx's StdioConfig (a host descriptor, or
// the in-memory stdin bytes / capture buffer). Several stdin streams share
// one read position.
#include "component/linker.h"
#include "dispatcher/fd_stream.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

namespace {

Result<Vals> new_output(WasiCtx& ctx, StdioConfig& cfg) {
  std::shared_ptr<disp::OutputStream> s;
  if (cfg.fd >= 0) s = std::make_shared<disp::FdOutputStream>(cfg.fd);
  else s = std::make_shared<BufferOutput>(&cfg.buffer);
  auto v = new_output_stream(ctx.state, std::move(s));
  if (!v) return v.error();
  return reply(std::move(*v));
}

}  // namespace

void add_cli_stdio(Linker& linker, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  linker.instance(wasi_iface("wasi:cli/stdin")).func("get-stdin", [c](Store&, std::span<const Val>) -> Result<Vals> {
    std::shared_ptr<disp::InputStream> s;
    if (c->in.fd >= 0) s = std::make_shared<disp::FdInputStream>(c->in.fd);
    else s = std::make_shared<BufferInput>(&c->in.buffer, &c->state.stdin_pos);
    auto v = new_input_stream(c->state, std::move(s));
    if (!v) return v.error();
    return reply(std::move(*v));
  });
  linker.instance(wasi_iface("wasi:cli/stdout")).func("get-stdout", [c](Store&, std::span<const Val>) -> Result<Vals> {
    return new_output(*c, c->out);
  });
  linker.instance(wasi_iface("wasi:cli/stderr")).func("get-stderr", [c](Store&, std::span<const Val>) -> Result<Vals> {
    return new_output(*c, c->err);
  });
}

}  // namespace wippy::hostfns
