// wasi.cpp — WasiHost (every WASI interface of hostfns/ defined once, in
// dependency order: resource types first, at kWasiVersion), readying a
// WasiCtx per instance, add_wasi_to_linker, and WasiPackages::for_imports.
#include "hostfns/wasi.h"

#include "component/component.h"
#include "component/load.h"
#include "component/names.h"
#include "component/type_graph.h"

#include "hostfns/http.h"
#include "hostfns/sockets.h"
#include "hostfns/wasi_groups.h"

namespace wippy::hostfns {

std::string wasi_iface(const char* name) { return std::string(name) + "@" + kWasiVersion; }

namespace {
// "iface-without-version#func" of every function the component's instance
// imports declare (their types from the component's type graph); null when
// the graph cannot be had (then the linker defines everything, and
// instantiation reports what is wrong).
std::shared_ptr<const component::FuncFilter> imported_funcs(const component::Component& comp) {
  auto graph = component::type_graph_of(comp);
  if (!graph || !*graph || !(*graph)->root) return nullptr;
  auto funcs = std::make_shared<component::FuncFilter>();
  for (const component::tgraph::Item& imp : (*graph)->root->imports) {
    if (imp.sort != component::Sort::Instance || !imp.type) continue;
    const std::string prefix = std::string(component::split_version(imp.name).first) + "#";
    for (const component::tgraph::Item& e : imp.type->exports)
      if (e.sort == component::Sort::Func) funcs->insert(prefix + e.name);
  }
  return funcs;
}
}  // namespace

WasiPackages WasiPackages::for_imports(const component::Component& comp) {
  WasiPackages p{false, false, false, false, false, false, imported_funcs(comp)};
  for (const auto& imp : comp.imports) {
    const std::optional<Profile> group = profile_for_interface(imp.name.name);
    if (!group) continue;
    switch (*group) {
      case Profile::Cli: p.cli = true; break;
      case Profile::Clocks: p.clocks = true; break;
      case Profile::Random: p.random = true; break;
      case Profile::Sockets: p.sockets = true; break;
      case Profile::Http: p.http = true; break;
      case Profile::Filesystem: p.filesystem = true; break;
      case Profile::Io:
      case Profile::Poll:
      case Profile::Wasi1: break;  // wasi:io is always offered; preview1 is not a 0.2 package
    }
  }
  return p;
}

WasiHost::WasiHost(const WasiPackages& packages) : packages_(packages) {
  auto linker = std::make_shared<component::Linker>();
  component::Linker& l = *linker;
  l.only_funcs(packages.funcs);
  add_io_error(l, types_);
  add_io_poll(l, types_);
  add_io_streams(l, types_);
  if (packages.cli) {
    add_cli_environment(l);
    add_cli_exit(l);
    add_cli_stdio(l);
    add_cli_terminal(l, types_);
  }
  if (packages.clocks) {
    add_clocks_wall(l);
    add_clocks_monotonic(l);
  }
  if (packages.random) add_random(l);
  if (packages.filesystem) add_filesystem(l, types_);
  if (packages.sockets) {
    add_sockets_network(l);
    add_sockets_ip_name_lookup(l);
    add_sockets_udp_create_socket(l, add_sockets_udp(l));
    add_sockets_tcp_create_socket(l, add_sockets_tcp(l));
  }
  if (packages.http) add_http_outgoing_handler(l, add_http_types(l));
  linker_ = std::move(linker);
}

Result<void> WasiHost::ready(WasiCtx& ctx) const {
  ctx.state.table->set_max_handles(ctx.limits.max_handles);
  ctx.state.open_files.set_max(ctx.limits.max_open_files);
  ctx.state.open_sockets.set_max(ctx.limits.max_open_sockets);
  ctx.state.types = types_;
  if (!ctx.preopens.empty() || packages_.filesystem) return open_preopens(ctx);
  return {};
}

Result<void> WasiHost::prepare(WasiCtx& ctx, component::Linker& linker) const {
  if (auto r = ready(ctx); !r) return r.error();
  linker.set_base(linker_);
  linker.set_host_data(&ctx, component::host_context_tag<WasiCtx>());
  return {};
}

Result<std::unique_ptr<component::ComponentInstance>> WasiHost::instantiate(
    Store& store, WasiCtx& ctx, std::shared_ptr<const component::Component> component) const {
  if (auto r = ready(ctx); !r) return r.error();
  component::bind_host_context(store, ctx);
  return linker_->instantiate(store, std::move(component));
}

Result<void> add_wasi_to_linker(component::Linker& linker, WasiCtx& ctx, const WasiPackages& packages) {
  WasiPackages p = packages;
  p.filesystem = p.filesystem || !ctx.preopens.empty();
  return WasiHost(p).prepare(ctx, linker);
}

}  // namespace wippy::hostfns
