// io_poll.cpp — wasi:io/poll: the `pollable` resource (a disp::Pollable in
// the instance's resource table, often a child of the stream or socket it
// watches), ready / block, and poll(list) returning the indices of the
// ready entries. Readiness is disp::ready_now; waiting parks the calling
// fiber (dispatcher/wait.h). Bound through the typed API (component/bind.h).
#include <vector>

#include "component/bind.h"
#include "dispatcher/wait.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Borrow;
using component::HostInterface;
using component::Linker;

void add_io_poll(Linker& linker, WasiTypes& types) {
  HostInterface inst(linker, wasi_iface("wasi:io/poll"));
  auto pollables = inst.context_resource<disp::Pollable, WasiCtx>("pollable");
  types.pollable = pollables.type();
  inst.func("[method]pollable.ready", [pollables](WasiCtx& ctx, Borrow<disp::Pollable> self) -> Result<bool> {
    auto p = in(ctx, pollables).get(self);
    if (!p) return p.error();
    return (*p)->ready();
  });
  inst.func("[method]pollable.block", [pollables](WasiCtx& ctx, Borrow<disp::Pollable> self) -> Result<void> {
    auto p = in(ctx, pollables).get(self);
    if (!p) return p.error();
    disp::Pollable* one[1] = {*p};
    auto r = disp::wait_any(one);
    if (!r) return r.error();
    return {};
  });
  inst.func("poll", [pollables](WasiCtx& ctx,
                                const std::vector<Borrow<disp::Pollable>>& in) -> Result<std::vector<uint32_t>> {
    const auto table = hostfns::in(ctx, pollables);
    std::vector<disp::Pollable*> list;
    list.reserve(in.size());
    for (const auto& h : in) {
      auto p = table.get(h);
      if (!p) return p.error();
      list.push_back(*p);
    }
    auto r = disp::wait_any(list);
    if (!r) return r.error();
    return std::move(*r);
  });
}

}  // namespace wippy::hostfns
