// wasi.cpp — add_wasi_to_linker: every WASI interface of hostfns/ in
// dependency order (resource types first), at kWasiVersion.
#include "hostfns/wasi.h"

#include "component/component.h"

#include "hostfns/http.h"
#include "hostfns/sockets.h"

namespace wippy::hostfns {

std::string wasi_iface(const char* name) { return std::string(name) + "@" + kWasiVersion; }

WasiPackages WasiPackages::for_imports(const component::Component& comp) {
  WasiPackages p{false, false, false, false, false, false};
  for (const auto& imp : comp.imports) {
    const std::string_view name = imp.name.name;
    auto is = [&](std::string_view pkg) { return name.substr(0, pkg.size()) == pkg; };
    p.cli |= is("wasi:cli/");
    p.clocks |= is("wasi:clocks/");
    p.random |= is("wasi:random/");
    p.sockets |= is("wasi:sockets/");
    p.http |= is("wasi:http/");
    p.filesystem |= is("wasi:filesystem/");
  }
  return p;
}

Result<void> add_wasi_to_linker(component::Linker& linker, WasiCtx& ctx, const WasiPackages& packages) {
  ctx.state.table->set_max_handles(ctx.limits.max_handles);
  ctx.state.open_files.set_max(ctx.limits.max_open_files);
  add_io_error(linker, ctx);
  add_io_poll(linker, ctx);
  add_io_streams(linker, ctx);
  if (packages.cli) {
    add_cli_environment(linker, ctx);
    add_cli_exit(linker, ctx);
    add_cli_stdio(linker, ctx);
    add_cli_terminal(linker, ctx);
  }
  if (packages.clocks) {
    add_clocks_wall(linker, ctx);
    add_clocks_monotonic(linker, ctx);
  }
  if (packages.random) add_random(linker, ctx);
  if (packages.sockets) {
    add_sockets_network(linker, ctx);
    add_sockets_ip_name_lookup(linker, ctx);
    add_sockets_udp_create_socket(linker, ctx, add_sockets_udp(linker, ctx));
    add_sockets_tcp_create_socket(linker, ctx, add_sockets_tcp(linker, ctx));
  }
  if (packages.http) add_http_outgoing_handler(linker, ctx, add_http_types(linker, ctx));
  if (packages.filesystem || !ctx.preopens.empty()) return add_filesystem(linker, ctx);
  return {};
}

}  // namespace wippy::hostfns
