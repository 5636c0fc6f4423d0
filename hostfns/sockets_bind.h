// sockets_bind.h — the methods tcp-socket and udp-socket share, written
// once: start-bind / finish-bind (add_bind_methods) and the
// create-tcp-socket / create-udp-socket function (add_create_socket).
// S is TcpSocket or UdpSocket (sockets.h): S::State has unbound,
// bind_started and bound. start-bind: invalid-state unless unbound; the
// grant's check_bind before any system call; then the bind. finish-bind:
// not-in-progress unless a bind was started.
#pragma once
#include <string>

#include "component/bind.h"
#include "hostfns/host_util.h"
#include "hostfns/sockets.h"
#include "hostfns/sockets_wit.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

// Registers "[method]KIND.start-bind" and "[method]KIND.finish-bind".
template <class S>
void add_bind_methods(component::HostInterface& inst, const std::string& kind,
                      const component::HostResource<S>& sockets) {
  using component::Borrow;
  using component::wit_err;
  using component::wit_ok;
  using net::ErrorCode;
  using Unit = component::WitResult<void, ErrorCode>;
  inst.func("[method]" + kind + ".start-bind",
            [sockets](WasiCtx& ctx, Borrow<S> self, Borrow<> /*network*/, wasisock::WitSocketAddress wit)
                -> Result<Unit> {
              WIPPY_HOST_SELF(s, sockets, self);
              const net::SocketAddress local = wasisock::from_wit(wit);
              if (s.state != S::State::unbound) return Unit(wit_err(ErrorCode::invalid_state));
              if (auto ok = check_bind(ctx.network, *s.sock, local); !ok) return Unit(wit_err(ok.error()));
              if (auto r = s.sock->bind(local); !r) return Unit(wit_err(r.error()));
              s.state = S::State::bind_started;
              return Unit(wit_ok());
            });
  inst.func("[method]" + kind + ".finish-bind", [sockets](WasiCtx& ctx, Borrow<S> self) -> Result<Unit> {
    WIPPY_HOST_SELF(s, sockets, self);
    if (s.state != S::State::bind_started) return Unit(wit_err(ErrorCode::not_in_progress));
    s.state = S::State::bound;
    return Unit(wit_ok());
  });
}

// Registers "[method]KIND.NAME" and "[method]KIND.set-NAME": the getter and
// setter of the net::Socket option that `get` and `set` read and write.
template <class S, class T>
void add_socket_option(component::HostInterface& inst, const std::string& kind,
                       const component::HostResource<S>& sockets, const std::string& name,
                       net::NetResult<T> (net::Socket::*get)() const, net::NetResult<void> (net::Socket::*set)(T)) {
  using component::Borrow;
  using Unit = component::WitResult<void, net::ErrorCode>;
  inst.func("[method]" + kind + "." + name,
            [sockets, get](WasiCtx& ctx, Borrow<S> self) -> Result<component::WitResult<T, net::ErrorCode>> {
              WIPPY_HOST_SELF(s, sockets, self);
              return wasisock::wit_of((s.sock.get()->*get)());
            });
  inst.func("[method]" + kind + ".set-" + name, [sockets, set](WasiCtx& ctx, Borrow<S> self, T v) -> Result<Unit> {
    WIPPY_HOST_SELF(s, sockets, self);
    return wasisock::wit_of((s.sock.get()->*set)(v));
  });
}

// Registers FUNC ("create-tcp-socket" / "create-udp-socket") of the
// interface IFACE: create_socket (sockets.h) on the calling instance's
// table, with its socket_timeout_ms.
template <class S>
void add_create_socket(component::Linker& linker, const component::HostResource<S>& sockets, const char* iface,
                       const char* func, net::Proto proto) {
  component::HostInterface inst(linker, wasi_iface(iface));
  inst.func(func, [sockets, proto](WasiCtx& ctx, net::Family family)
                      -> Result<component::WitResult<component::Own<S>, net::ErrorCode>> {
    return create_socket(ctx.state, in(ctx, sockets), family, proto, socket_wait_ns(ctx.limits));
  });
}

}  // namespace wippy::hostfns
