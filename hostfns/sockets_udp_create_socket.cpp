// sockets_udp_create_socket.cpp — wasi:sockets/udp-create-socket: a new,
// unbound UDP socket of the given family (net::Socket::create; EMFILE and
// the like are new-socket-limit, and so is one past limits.max_open_files,
// which counts sockets with files, or past limits.max_open_sockets).
#include "hostfns/sockets_bind.h"

namespace wippy::hostfns {

void add_sockets_udp_create_socket(component::Linker& linker, const component::HostResource<UdpSocket>& sockets) {
  add_create_socket(linker, sockets, "wasi:sockets/udp-create-socket", "create-udp-socket", net::Proto::udp);
}

}  // namespace wippy::hostfns
