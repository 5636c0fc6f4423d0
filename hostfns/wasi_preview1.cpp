// wasi_preview1.cpp — Preview1 (see wasi_preview1.h): the fd table set up
// from a WasiCtx, linking a core module's wasi_snapshot_preview1 imports
// against the function tables of wasi_preview1_<family>.cpp (name and
// signature checked), the call wrapper that hands each function its
// bounds-checked memory, and running a command's `_start`.
#include "hostfns/wasi_preview1.h"

#include <fmt/format.h>

#include "dispatcher/fd_stream.h"
#include "dispatcher/guest_call.h"
#include "hostfns/sockets.h"
#include "hostfns/streams.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_preview1_host.h"
#include "interp/quote.h"

namespace wippy::hostfns {

namespace {

using p1::FuncDef;

const FuncDef* find_func(std::string_view name) {
  for (auto table : {p1::args_env_clock_funcs(), p1::fd_funcs(), p1::path_funcs(), p1::poll_funcs(), p1::sock_funcs()})
    for (const FuncDef& f : table)
      if (name == f.name) return &f;
  return nullptr;
}

FuncType type_of(const FuncDef& f) {
  FuncType t;
  for (const char* p = f.params; *p; ++p) t.params.push_back(*p == 'I' ? ValType::I64 : ValType::I32);
  if (f.returns_errno) t.results.push_back(ValType::I32);
  return t;
}

Error unlinkable(const Import& imp, const std::string& why) {
  return make_error(ErrorKind::Unlinkable, fmt::format("module imports \"{}\" \"{}\" ({}): {}", quote_input(imp.module),
                                                       quote_input(imp.name), extern_kind_name(imp.kind), why));
}

HostFunc host_func(std::shared_ptr<p1::Host> host, const FuncDef* def) {
  return [host = std::move(host), def](HostContext& hc, std::span<const Value> args, std::span<Value> results) -> Result<void> {
    MemoryInst* mem = nullptr;
    if (hc.caller) {
      mem = hc.caller->export_memory("memory");
      if (!mem && !hc.caller->memories.empty()) mem = hc.caller->memories[0];
    }
    // Without a memory every pointer is out of bounds (fault); calls that
    // take none (proc_exit, fd_close, sched_yield) still work.
    p1::Call call{*host, mem ? p1::GuestMemory(mem->data, mem->size) : p1::GuestMemory(nullptr, 0), args};
    auto r = def->fn(call);
    if (!r) return r.error();
    if (def->returns_errno) results[0] = val_i32(uint32_t(*r));
    return {};
  };
}

}  // namespace

bool imports_preview1(const Module& module) {
  for (const Import& imp : module.imports)
    if (imp.module == kPreview1Module) return true;
  return false;
}

Result<Preview1> Preview1::create(WasiCtx& ctx) {
  auto host = std::make_shared<p1::Host>();
  host->ctx = &ctx;
  host->fds.max = ctx.limits.max_handles;
  ctx.state.open_files.set_max(ctx.limits.max_open_files);
  ctx.state.open_sockets.set_max(ctx.limits.max_open_sockets);
  p1::Fd in;
  if (ctx.in.fd >= 0) in.obj = p1::StdinFd{std::make_shared<disp::FdInputStream>(ctx.in.fd)};
  else in.obj = p1::StdinFd{std::make_shared<BufferInput>(&ctx.in.buffer, &ctx.state.stdin_pos)};
  in.rights_base = p1::rights::stdio;
  host->fds.put(0, std::move(in));
  for (uint32_t n : {1u, 2u}) {
    StdioConfig& cfg = n == 1 ? ctx.out : ctx.err;
    p1::Fd out;
    if (cfg.fd >= 0) out.obj = p1::StdoutFd{std::make_shared<disp::FdOutputStream>(cfg.fd)};
    else out.obj = p1::StdoutFd{std::make_shared<BufferOutput>(&cfg.buffer)};
    out.rights_base = p1::rights::stdio;
    host->fds.put(n, std::move(out));
  }
  uint32_t next = 3;
  for (const Preopen& p : ctx.preopens) {
    auto dir = fs::Dir::open_host(p.host_path, p.read_only ? fs::Access::ReadOnly : fs::Access::ReadWrite);
    if (!dir) return make_error(ErrorKind::Io, fmt::format("preopen {}: {}", p.host_path, fs::fs_errc_name(dir.error())));
    p1::Fd fd;
    fd.obj = p1::DirFd{std::make_shared<const fs::Dir>(std::move(*dir)), p.guest_path, nullptr};
    fd.rights_base = p1::rights::dir;
    fd.rights_inheriting = p1::rights::dir | p1::rights::file;
    host->fds.put(next++, std::move(fd));
  }
  for (const auto& sock : ctx.tcp_listeners) {
    if (!sock || !sock->valid()) return make_error(ErrorKind::Io, "a tcp listener of the context is closed");
    p1::Fd fd;
    p1::SocketFd s{sock, true, nullptr, disp::WaitClock(socket_wait_ns(ctx.limits))};
    fd.obj = std::move(s);
    fd.rights_base = p1::rights::listener;
    fd.rights_inheriting = p1::rights::connection;
    host->fds.put(next++, std::move(fd));
  }
  return Preview1(std::move(host));
}

namespace {

// The preview1 function behind `imp`, or the Unlinkable error naming it.
Result<const FuncDef*> resolve(const Module& module, const Import& imp) {
  if (imp.module != kPreview1Module)
    return unlinkable(imp, fmt::format("only {} is provided to a core module", kPreview1Module));
  const FuncDef* def = imp.kind == ExternKind::Func ? find_func(imp.name) : nullptr;
  if (!def) return unlinkable(imp, fmt::format("{} has no such function", kPreview1Module));
  const FuncType want = type_of(*def);
  const FuncType& got = module.types.at(imp.func_type);
  if (!(got == want))
    return unlinkable(imp, fmt::format("wrong signature {}, expected {}", functype_to_string(got), functype_to_string(want)));
  return def;
}

}  // namespace

Result<void> check_preview1_imports(const Module& module) {
  for (const Import& imp : module.imports)
    if (auto def = resolve(module, imp); !def) return def.error();
  return {};
}

Result<std::vector<Extern>> Preview1::link(Store& store, const Module& module) const {
  std::vector<Extern> out;
  out.reserve(module.imports.size());
  for (const Import& imp : module.imports) {
    auto def = resolve(module, imp);
    if (!def) return def.error();
    out.push_back(Extern{ExternKind::Func, store.create_host_func(type_of(**def), host_func(host_, *def))});
  }
  return out;
}

Result<int> run_preview1_command(Store& store, std::shared_ptr<const Module> module, WasiCtx& ctx) {
  auto p1 = Preview1::create(ctx);
  if (!p1) return p1.error();
  auto imports = p1->link(store, *module);
  if (!imports) return imports.error();
  auto inst = instantiate(store, module, *imports);
  if (!inst) return inst.error();
  FuncInst* start = (*inst)->export_func("_start");
  if (!start) return make_error(ErrorKind::Unlinkable, "the module exports no `_start` function (not a preview1 command)");
  if (!start->type->params.empty() || !start->type->results.empty())
    return make_error(ErrorKind::Unlinkable, fmt::format("`_start` has type {}, expected () -> ()", functype_to_string(*start->type)));
  ctx.exit_code.reset();
  Result<std::vector<Value>> r = make_error(ErrorKind::Other, "_start did not finish (nothing left could wake it)");
  auto ran = run_on_fiber([&] { r = disp::call_in_fiber(store, start, {}); }, "_start");
  if (!ran) return ran.error();
  if (!r) {
    if (auto status = exit_status(ctx, r.error())) return *status;
    return r.error();
  }
  return 0;
}

}  // namespace wippy::hostfns
