// cli_stdio.cpp — wasi:cli/stdin, stdout, stderr: each get-* call returns a
// new stream resource over the WasiCtx's StdioConfig (a host descriptor, or
// the in-memory stdin bytes / capture buffer). Several stdin streams share
// one read position.
#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

namespace {

OutputStream output_for(StdioConfig& cfg) {
  return cfg.fd >= 0 ? OutputStream::to_fd(cfg.fd) : OutputStream::to_buffer(&cfg.buffer);
}

Val new_output(WasiCtx& ctx, StdioConfig& cfg) {
  uint32_t rep = ctx.state.outputs.insert(std::make_unique<OutputStream>(output_for(cfg)));
  return Val::own(ctx.state.types.output_stream, rep);
}

}  // namespace

void add_cli_stdio(Linker& linker, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  linker.instance(wasi_iface("wasi:cli/stdin")).func("get-stdin", [c](Store&, std::span<const Val>) -> Result<Vals> {
    InputStream s = c->in.fd >= 0 ? InputStream::from_fd(c->in.fd)
                                  : InputStream::from_buffer(&c->in.buffer, &c->state.stdin_pos);
    uint32_t rep = c->state.inputs.insert(std::make_unique<InputStream>(s));
    return reply(Val::own(c->state.types.input_stream, rep));
  });
  linker.instance(wasi_iface("wasi:cli/stdout")).func("get-stdout", [c](Store&, std::span<const Val>) -> Result<Vals> {
    return reply(new_output(*c, c->out));
  });
  linker.instance(wasi_iface("wasi:cli/stderr")).func("get-stderr", [c](Store&, std::span<const Val>) -> Result<Vals> {
    return reply(new_output(*c, c->err));
  });
}

}  // namespace wippy::hostfns
