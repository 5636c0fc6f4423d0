// wasi.h — the public face of hostfns/: WASI 0.2 host interfaces bound onto
// a component::Linker, and running a WASI command.
// Contract: the interfaces are offered at @kWasiVersion (0.2.12), so
// imports @0.2.0 … @0.2.12 link (semver matching in component/linker.h).
// A WasiHost defines them once, for every instance of a program: each
// function reaches the calling instance's WasiCtx through its Store
// (component/host_context.h), so one Linker serves any number of
// instances, each with its own stdio, exit code, environment, handle
// table, grants (network, http), DNS resolver and HTTP client.
// WasiHost::instantiate readies a WasiCtx (limits, resource types,
// preopens opened: a host directory that cannot be opened fails with an
// Io error naming it) and instantiates. add_wasi_to_linker() does the same
// for one instance on a caller's Linker (a fresh WasiHost as its base).
// One file per interface:
//   io_error.cpp io_poll.cpp io_streams.cpp
//   cli_environment.cpp cli_exit.cpp cli_stdio.cpp cli_terminal.cpp
//   clocks_wall.cpp clocks_monotonic.cpp random.cpp
//   sockets_network.cpp (network, instance-network) sockets_ip_name_lookup.cpp
//   sockets_udp.cpp sockets_udp_create_socket.cpp (shared: sockets.h, sockets_bind.h,
//   sockets_wit.h; the grant is WasiCtx::network)
//   http_types.cpp http_outgoing_handler.cpp (shared: http.h, http_wit.h;
//   requests run in http_task.cpp; the grant is WasiCtx::http + network)
//   filesystem_preopens.cpp (wasi:filesystem/types and preopens over
//   WasiCtx::preopens; the parts: filesystem_types.cpp, _paths.cpp,
//   _dirs.cpp, _errors.cpp, _values.cpp, shared in filesystem.h)
// WASI preview 1 for core modules is wasi_preview1.h, on the same WasiCtx.
// run_wasi_command() decodes a component, links it with a fresh WASI linker
// and calls wasi:cli/run#run. Given a component loaded once
// (component/load.h), it skips the decoding and validation: many runs of
// one component share its decoded modules and compiled code; given a
// WasiHost too, they share its linker. Its exit
// code: 0 when run returns ok, 1 when it returns err or calls exit(err),
// the code given to exit-with-code.
// Traps and link errors come back as errors.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "component/linker.h"
#include "hostfns/wasi_ctx.h"
#include "interp/store.h"

namespace wippy::hostfns {

inline constexpr const char* kWasiVersion = "0.2.12";

// "wasi:io/streams" -> "wasi:io/streams@0.2.12"
std::string wasi_iface(const char* name);

// The WASI packages a linker offers. wasi:io is always offered (the others
// use its resources). for_imports() keeps the packages a component imports,
// each interface's package taken from the table of wasi_groups.h (a linker
// without the rest links it the same way, for less work per instance);
// filesystem is kept whenever preopens are configured, so a preopen that
// cannot be opened is reported either way. It also narrows `funcs` to the
// functions the component's instance imports name (component::FuncFilter),
// so the linker builds no binding nothing will call (a hello command
// imports 25 of the host's WASI functions).
struct WasiPackages {
  bool cli = true, clocks = true, random = true, sockets = true, http = true, filesystem = true;
  std::shared_ptr<const component::FuncFilter> funcs;  // null: every function
  static WasiPackages for_imports(const component::Component& comp);
};

// The WASI interfaces of `packages` defined once (wasi:io always).
// Immutable after construction; shared by the instances of one program,
// on any thread (each instance is used by one thread at a time).
class WasiHost {
 public:
  explicit WasiHost(const WasiPackages& packages = {});

  const std::shared_ptr<const component::Linker>& linker() const { return linker_; }
  const WasiTypes& types() const { return types_; }
  const WasiPackages& packages() const { return packages_; }

  // Readies `ctx` for one instance (see above) and sets `linker` up to
  // instantiate it: its base set to linker(), ctx as the host data it sets
  // into the store it instantiates on. `ctx` must outlive the instance.
  Result<void> prepare(WasiCtx& ctx, component::Linker& linker) const;
  // prepare() and instantiate `component` on `store`.
  Result<std::unique_ptr<component::ComponentInstance>> instantiate(
      Store& store, WasiCtx& ctx, std::shared_ptr<const component::Component> component) const;

 private:
  Result<void> ready(WasiCtx& ctx) const;

  WasiPackages packages_;
  WasiTypes types_;
  std::shared_ptr<const component::Linker> linker_;
};

// One instance's WASI on `linker`: a fresh WasiHost as its base, bound to
// `ctx` (set into the store when the linker instantiates). filesystem is
// offered whenever ctx has preopens.
Result<void> add_wasi_to_linker(component::Linker& linker, WasiCtx& ctx, const WasiPackages& packages = {});

// The per-interface parts, defined once (WasiHost calls them in this
// order; later ones use resource types declared by earlier ones, recorded
// in `types`).
void add_io_error(component::Linker& linker, WasiTypes& types);
void add_io_poll(component::Linker& linker, WasiTypes& types);
void add_io_streams(component::Linker& linker, WasiTypes& types);
void add_cli_environment(component::Linker& linker);
void add_cli_exit(component::Linker& linker);
void add_cli_stdio(component::Linker& linker);
void add_cli_terminal(component::Linker& linker, WasiTypes& types);
void add_clocks_wall(component::Linker& linker);
void add_clocks_monotonic(component::Linker& linker);
void add_random(component::Linker& linker);
void add_filesystem(component::Linker& linker, WasiTypes& types);
// Opens ctx.preopens into ctx.state.preopened (an Io error naming a
// directory that cannot be opened).
Result<void> open_preopens(WasiCtx& ctx);

// Runs fn on the calling fiber, or, outside a dispatcher, on a fiber of a
// private Loop (1 MiB stack) that lives until nothing is left to run.
// Exhaustion when that fiber cannot be created (`what` names the call).
Result<void> run_on_fiber(const std::function<void()>& fn, const char* what);

Result<int> run_wasi_command(Store& store, std::span<const uint8_t> component_bytes, WasiCtx& ctx);
Result<int> run_wasi_command(Store& store, const std::shared_ptr<const component::Component>& component,
                             WasiCtx& ctx);
Result<int> run_wasi_command(Store& store, const std::shared_ptr<const component::Component>& component,
                             WasiCtx& ctx, const WasiHost& host);

}  // namespace wippy::hostfns
