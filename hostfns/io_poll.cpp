// io_poll.cpp — wasi:io/poll: the `pollable` resource (a disp::Pollable in
// the instance's resource table, often a child of the stream or socket it
// watches), ready / block, and poll(list) returning the indices of the
// ready entries. Readiness is disp::ready_now; waiting parks the calling
// fiber (dispatcher/wait.h).
#include "component/linker.h"
#include "dispatcher/wait.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

void add_io_poll(Linker& linker, WasiCtx& ctx) {
  auto& inst = linker.instance(wasi_iface("wasi:io/poll"));
  WasiState& st = ctx.state;
  st.types.pollable = inst.resource("pollable", [table = st.table](uint32_t rep) { table->drop(rep); });
  inst.func("[method]pollable.ready", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    auto p = lookup<disp::Pollable>(st, a[0], "pollable.ready");
    if (!p) return p.error();
    return reply(Val::boolean((*p)->ready()));
  });
  inst.func("[method]pollable.block", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    auto p = lookup<disp::Pollable>(st, a[0], "pollable.block");
    if (!p) return p.error();
    disp::Pollable* one[1] = {*p};
    auto r = disp::wait_any(one);
    if (!r) return r.error();
    return reply();
  });
  inst.func("poll", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    std::vector<disp::Pollable*> list;
    list.reserve(a[0].items.size());
    for (const Val& h : a[0].items) {
      auto p = lookup<disp::Pollable>(st, h, "poll");
      if (!p) return p.error();
      list.push_back(*p);
    }
    auto r = disp::wait_any(list);
    if (!r) return r.error();
    Vals out;
    out.reserve(r->size());
    for (uint32_t i : *r) out.push_back(Val::u32(i));
    return reply(Val::list(std::move(out)));
  });
}

}  // namespace wippy::hostfns
