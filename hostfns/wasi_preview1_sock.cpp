// wasi_preview1_sock.cpp — preview1 sock_accept, sock_recv, sock_send and
// sock_shutdown. A preview1 guest can only reach sockets it was handed as
// fds, and this host hands it none (preopened sockets are not offered; the
// network is wasi:sockets' business), so every fd the guest holds is
// notsock and any other number badf.
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns::p1 {

namespace {

Result<Errno> not_a_socket(Call& c) { return c.host.fds.get(c.u32(0)) ? Errno::notsock : Errno::badf; }

constexpr FuncDef kFuncs[] = {
    {"sock_accept", "iii", true, not_a_socket},
    {"sock_recv", "iiiiii", true, not_a_socket},
    {"sock_send", "iiiii", true, not_a_socket},
    {"sock_shutdown", "ii", true, not_a_socket},
};

}  // namespace

std::span<const FuncDef> sock_funcs() { return kFuncs; }

}  // namespace wippy::hostfns::p1
