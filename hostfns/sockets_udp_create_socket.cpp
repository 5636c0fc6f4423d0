// sockets_udp_create_socket.cpp — wasi:sockets/udp-create-socket: a new,
// unbound UDP socket of the given family (net::Socket::create; EMFILE and
// the like are new-socket-limit, and so is one past limits.max_open_files,
// which counts sockets with files, or past limits.max_open_sockets).
#include "component/bind.h"
#include "hostfns/sockets.h"
#include "hostfns/sockets_wit.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::HostResource;
using component::Linker;
using component::Own;
using component::WitResult;
using wasisock::ErrorCode;

void add_sockets_udp_create_socket(Linker& linker, WasiCtx& ctx, const HostResource<UdpSocket>& sockets) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/udp-create-socket"));
  WasiState& st = ctx.state;
  inst.func("create-udp-socket",
            [&st, sockets](net::Family family) -> Result<WitResult<Own<UdpSocket>, ErrorCode>> {
              return create_socket(st, sockets, family, net::Proto::udp);
            });
}

}  // namespace wippy::hostfns
