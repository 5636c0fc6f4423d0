// sockets_wit.h — the WIT types of wasi:sockets/network@0.2.x for the typed
// binding API (component/bind.h), shared by every hostfns/sockets_*.cpp:
// error-code and ip-address-family (net::ErrorCode / net::Family, WIT
// order), ip-address and ip-socket-address (variants of tuples / records),
// and the conversions to and from net/address.h values. Checked against
// each importing component at instantiation.
#pragma once
#include <cstdint>
#include <tuple>
#include <variant>

#include "component/bind.h"
#include "net/address.h"
#include "net/net_error.h"

namespace wippy::net {

// Found by argument-dependent lookup from the binding API.
inline auto wit_describe(const ErrorCode*) {
  return component::wit_enum<ErrorCode>(
      "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
      "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
      "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused", "connection-reset",
      "connection-aborted", "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
      "permanent-resolver-failure");
}
inline auto wit_describe(const Family*) { return component::wit_enum<Family>("ipv4", "ipv6"); }

}  // namespace wippy::net

namespace wippy::hostfns::wasisock {

using component::WitCase;
using ErrorCode = net::ErrorCode;

using Ipv4Tuple = std::tuple<uint8_t, uint8_t, uint8_t, uint8_t>;
using Ipv6Tuple = std::tuple<uint16_t, uint16_t, uint16_t, uint16_t, uint16_t, uint16_t, uint16_t, uint16_t>;
using WitIpAddress = std::variant<WitCase<"ipv4", Ipv4Tuple>, WitCase<"ipv6", Ipv6Tuple>>;

struct WitIpv4SocketAddress {
  uint16_t port = 0;
  Ipv4Tuple address{};
};
inline auto wit_describe(const WitIpv4SocketAddress*) {
  return component::wit_record(component::wit_field("port", &WitIpv4SocketAddress::port),
                               component::wit_field("address", &WitIpv4SocketAddress::address));
}
struct WitIpv6SocketAddress {
  uint16_t port = 0;
  uint32_t flow_info = 0;
  Ipv6Tuple address{};
  uint32_t scope_id = 0;
};
inline auto wit_describe(const WitIpv6SocketAddress*) {
  return component::wit_record(component::wit_field("port", &WitIpv6SocketAddress::port),
                               component::wit_field("flow-info", &WitIpv6SocketAddress::flow_info),
                               component::wit_field("address", &WitIpv6SocketAddress::address),
                               component::wit_field("scope-id", &WitIpv6SocketAddress::scope_id));
}
using WitSocketAddress =
    std::variant<WitCase<"ipv4", WitIpv4SocketAddress>, WitCase<"ipv6", WitIpv6SocketAddress>>;

inline Ipv4Tuple to_wit(const net::Ipv4Address& a) {
  return {a.octets[0], a.octets[1], a.octets[2], a.octets[3]};
}
inline Ipv6Tuple to_wit(const net::Ipv6Address& a) {
  const auto& s = a.segments;
  return {s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]};
}
inline net::Ipv4Address from_wit(const Ipv4Tuple& t) {
  return net::Ipv4Address{{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t)}};
}
inline net::Ipv6Address from_wit(const Ipv6Tuple& t) {
  return net::Ipv6Address{{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t), std::get<4>(t),
                           std::get<5>(t), std::get<6>(t), std::get<7>(t)}};
}

inline WitIpAddress to_wit(const net::IpAddress& a) {
  if (auto* v4 = std::get_if<net::Ipv4Address>(&a)) return WitCase<"ipv4", Ipv4Tuple>{to_wit(*v4)};
  return WitCase<"ipv6", Ipv6Tuple>{to_wit(std::get<net::Ipv6Address>(a))};
}
inline net::IpAddress from_wit(const WitIpAddress& a) {
  if (auto* v4 = std::get_if<0>(&a)) return from_wit(v4->value);
  return from_wit(std::get<1>(a).value);
}

inline WitSocketAddress to_wit(const net::SocketAddress& a) {
  if (auto* v4 = std::get_if<net::Ipv4SocketAddress>(&a))
    return WitCase<"ipv4", WitIpv4SocketAddress>{{v4->port, to_wit(v4->address)}};
  const auto& v6 = std::get<net::Ipv6SocketAddress>(a);
  return WitCase<"ipv6", WitIpv6SocketAddress>{{v6.port, v6.flow_info, to_wit(v6.address), v6.scope_id}};
}
inline net::SocketAddress from_wit(const WitSocketAddress& a) {
  if (auto* v4 = std::get_if<0>(&a)) return net::Ipv4SocketAddress{v4->value.port, from_wit(v4->value.address)};
  const WitIpv6SocketAddress& v6 = std::get<1>(a).value;
  return net::Ipv6SocketAddress{v6.port, v6.flow_info, from_wit(v6.address), v6.scope_id};
}

}  // namespace wippy::hostfns::wasisock

namespace wippy::hostfns::wasisock {

// A net/ outcome as the WIT `result<T, error-code>` the guest sees.
template <class T>
component::WitResult<T, ErrorCode> wit_of(net::NetResult<T> r) {
  if (!r) return component::wit_err(r.error());
  return component::wit_ok(std::move(*r));
}
inline component::WitResult<void, ErrorCode> wit_of(const net::NetResult<void>& r) {
  if (!r) return component::wit_err(r.error());
  return component::wit_ok();
}

}  // namespace wippy::hostfns::wasisock
