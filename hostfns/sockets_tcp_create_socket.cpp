// sockets_tcp_create_socket.cpp — wasi:sockets/tcp-create-socket: a new,
// unbound TCP socket of the given family (net::Socket::create; EMFILE and
// the like are new-socket-limit, and so is one past limits.max_open_files,
// which counts sockets with files, or past limits.max_open_sockets).
#include "hostfns/sockets_bind.h"

namespace wippy::hostfns {

void add_sockets_tcp_create_socket(component::Linker& linker, const component::HostResource<TcpSocket>& sockets) {
  add_create_socket(linker, sockets, "wasi:sockets/tcp-create-socket", "create-tcp-socket", net::Proto::tcp);
}

}  // namespace wippy::hostfns
