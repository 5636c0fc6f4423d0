// wasi.cpp — add_wasi_to_linker: every WASI interface of hostfns/ in
// dependency order (resource types first), at kWasiVersion.
#include "hostfns/wasi.h"

#include "hostfns/http.h"
#include "hostfns/sockets.h"

namespace wippy::hostfns {

std::string wasi_iface(const char* name) { return std::string(name) + "@" + kWasiVersion; }

Result<void> add_wasi_to_linker(component::Linker& linker, WasiCtx& ctx) {
  ctx.state.table->set_max_handles(ctx.limits.max_handles);
  ctx.state.open_files.set_max(ctx.limits.max_open_files);
  add_io_error(linker, ctx);
  add_io_poll(linker, ctx);
  add_io_streams(linker, ctx);
  add_cli_environment(linker, ctx);
  add_cli_exit(linker, ctx);
  add_cli_stdio(linker, ctx);
  add_cli_terminal(linker, ctx);
  add_clocks_wall(linker, ctx);
  add_clocks_monotonic(linker, ctx);
  add_random(linker, ctx);
  add_sockets_network(linker, ctx);
  add_sockets_ip_name_lookup(linker, ctx);
  add_sockets_udp_create_socket(linker, ctx, add_sockets_udp(linker, ctx));
  add_sockets_tcp_create_socket(linker, ctx, add_sockets_tcp(linker, ctx));
  add_http_outgoing_handler(linker, ctx, add_http_types(linker, ctx));
  return add_filesystem(linker, ctx);
}

}  // namespace wippy::hostfns
