// address.h — IP addresses and socket addresses as plain values.
// Contract: the types mirror wasi:sockets/network's `ip-address` (ipv4: four
// octets; ipv6: eight 16-bit segments, most significant first) and
// `ip-socket-address` (plus port, and for IPv6 flow-info and scope-id), in
// host byte order. to_sockaddr / from_sockaddr convert to and from the
// kernel's sockaddr_in / sockaddr_in6. parse_ip accepts dotted IPv4 and
// RFC 4291 IPv6 text (optionally in brackets); parse_socket_address takes
// "1.2.3.4:80" or "[::1]:53" (port 0..65535). format_* print the canonical
// forms (RFC 5952 for IPv6). Parsing never reads past its input and rejects
// anything else.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace wippy::net {

enum class Family : uint8_t { ipv4, ipv6 };

struct Ipv4Address {
  std::array<uint8_t, 4> octets{};
  friend bool operator==(const Ipv4Address&, const Ipv4Address&) = default;
};
struct Ipv6Address {
  std::array<uint16_t, 8> segments{};
  friend bool operator==(const Ipv6Address&, const Ipv6Address&) = default;
};
using IpAddress = std::variant<Ipv4Address, Ipv6Address>;

struct Ipv4SocketAddress {
  uint16_t port = 0;
  Ipv4Address address;
  friend bool operator==(const Ipv4SocketAddress&, const Ipv4SocketAddress&) = default;
};
struct Ipv6SocketAddress {
  uint16_t port = 0;
  uint32_t flow_info = 0;
  Ipv6Address address;
  uint32_t scope_id = 0;
  friend bool operator==(const Ipv6SocketAddress&, const Ipv6SocketAddress&) = default;
};
using SocketAddress = std::variant<Ipv4SocketAddress, Ipv6SocketAddress>;

Family family_of(const IpAddress& a);
Family family_of(const SocketAddress& a);
IpAddress ip_of(const SocketAddress& a);
uint16_t port_of(const SocketAddress& a);
SocketAddress make_socket_address(const IpAddress& ip, uint16_t port);

// Well-known addresses of a family.
IpAddress loopback(Family f);
IpAddress unspecified(Family f);

bool is_unspecified(const IpAddress& a);
bool is_multicast(const IpAddress& a);
bool is_broadcast(const IpAddress& a);      // 255.255.255.255
bool is_ipv4_mapped(const IpAddress& a);    // ::ffff:a.b.c.d
// The IPv4 address inside ::ffff:a.b.c.d, else `a` unchanged.
IpAddress unmap_ipv4(const IpAddress& a);

// Returns the length to pass to bind/connect/sendto.
socklen_t to_sockaddr(const SocketAddress& a, sockaddr_storage& out);
// nullopt unless the family is AF_INET / AF_INET6 and len covers it.
std::optional<SocketAddress> from_sockaddr(const sockaddr* sa, socklen_t len);

std::optional<IpAddress> parse_ip(std::string_view text);
std::optional<SocketAddress> parse_socket_address(std::string_view text);
std::string format_ip(const IpAddress& a);
std::string format_socket_address(const SocketAddress& a);  // "1.2.3.4:80", "[::1]:53"

}  // namespace wippy::net
