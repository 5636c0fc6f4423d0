// address.cpp — conversions, classification, parsing and printing of
// addresses (the kernel's inet_pton / inet_ntop do the text forms).
#include "net/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace wippy::net {

Family family_of(const IpAddress& a) { return a.index() == 0 ? Family::ipv4 : Family::ipv6; }
Family family_of(const SocketAddress& a) { return a.index() == 0 ? Family::ipv4 : Family::ipv6; }

IpAddress ip_of(const SocketAddress& a) {
  if (auto* v4 = std::get_if<Ipv4SocketAddress>(&a)) return v4->address;
  return std::get<Ipv6SocketAddress>(a).address;
}

uint16_t port_of(const SocketAddress& a) {
  return std::visit([](const auto& s) { return s.port; }, a);
}

SocketAddress make_socket_address(const IpAddress& ip, uint16_t port) {
  if (auto* v4 = std::get_if<Ipv4Address>(&ip)) return Ipv4SocketAddress{port, *v4};
  Ipv6SocketAddress s;
  s.port = port;
  s.address = std::get<Ipv6Address>(ip);
  return s;
}

IpAddress loopback(Family f) {
  if (f == Family::ipv4) return Ipv4Address{{127, 0, 0, 1}};
  return Ipv6Address{{0, 0, 0, 0, 0, 0, 0, 1}};
}

IpAddress unspecified(Family f) {
  if (f == Family::ipv4) return Ipv4Address{};
  return Ipv6Address{};
}

bool is_unspecified(const IpAddress& a) {
  if (auto* v4 = std::get_if<Ipv4Address>(&a)) return *v4 == Ipv4Address{};
  return std::get<Ipv6Address>(a) == Ipv6Address{};
}

bool is_multicast(const IpAddress& a) {
  if (auto* v4 = std::get_if<Ipv4Address>(&a)) return (v4->octets[0] & 0xF0) == 0xE0;
  return (std::get<Ipv6Address>(a).segments[0] & 0xFF00) == 0xFF00;
}

bool is_broadcast(const IpAddress& a) {
  auto* v4 = std::get_if<Ipv4Address>(&a);
  return v4 != nullptr && *v4 == Ipv4Address{{255, 255, 255, 255}};
}

bool is_ipv4_mapped(const IpAddress& a) {
  auto* v6 = std::get_if<Ipv6Address>(&a);
  if (v6 == nullptr) return false;
  const auto& s = v6->segments;
  return s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0xFFFF;
}

IpAddress unmap_ipv4(const IpAddress& a) {
  if (!is_ipv4_mapped(a)) return a;
  const auto& s = std::get<Ipv6Address>(a).segments;
  return Ipv4Address{{static_cast<uint8_t>(s[6] >> 8), static_cast<uint8_t>(s[6]),
                      static_cast<uint8_t>(s[7] >> 8), static_cast<uint8_t>(s[7])}};
}

namespace {

void ipv6_to_bytes(const Ipv6Address& a, uint8_t* out) {
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(a.segments[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(a.segments[i]);
  }
}

Ipv6Address ipv6_from_bytes(const uint8_t* in) {
  Ipv6Address a;
  for (int i = 0; i < 8; ++i) a.segments[i] = static_cast<uint16_t>(in[2 * i] << 8 | in[2 * i + 1]);
  return a;
}

}  // namespace

socklen_t to_sockaddr(const SocketAddress& a, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (auto* v4 = std::get_if<Ipv4SocketAddress>(&a)) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(v4->port);
    std::memcpy(&sin->sin_addr, v4->address.octets.data(), 4);
    return sizeof(sockaddr_in);
  }
  const auto& v6 = std::get<Ipv6SocketAddress>(a);
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(v6.port);
  sin6->sin6_flowinfo = htonl(v6.flow_info);
  ipv6_to_bytes(v6.address, sin6->sin6_addr.s6_addr);
  sin6->sin6_scope_id = v6.scope_id;
  return sizeof(sockaddr_in6);
}

std::optional<SocketAddress> from_sockaddr(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in sin;
    std::memcpy(&sin, sa, sizeof sin);
    Ipv4SocketAddress out;
    out.port = ntohs(sin.sin_port);
    std::memcpy(out.address.octets.data(), &sin.sin_addr, 4);
    return out;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, sa, sizeof sin6);
    Ipv6SocketAddress out;
    out.port = ntohs(sin6.sin6_port);
    out.flow_info = ntohl(sin6.sin6_flowinfo);
    out.address = ipv6_from_bytes(sin6.sin6_addr.s6_addr);
    out.scope_id = sin6.sin6_scope_id;
    return out;
  }
  return std::nullopt;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    if (text.find(':') == std::string_view::npos) return std::nullopt;  // brackets only for IPv6
  }
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) != 1) return std::nullopt;
    Ipv4Address out;
    std::memcpy(out.octets.data(), &a4, 4);
    return out;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  return ipv6_from_bytes(a6.s6_addr);
}

std::optional<SocketAddress> parse_socket_address(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon), port_text = text.substr(colon + 1);
  // IPv6 needs brackets here so that the last colon is the port's.
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (!bracketed && host.find(':') != std::string_view::npos) return std::nullopt;
  auto ip = parse_ip(host);
  if (!ip) return std::nullopt;
  if (bracketed != (family_of(*ip) == Family::ipv6)) return std::nullopt;
  unsigned port = 0;
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return std::nullopt;
  return make_socket_address(*ip, static_cast<uint16_t>(port));
}

std::string format_ip(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN];
  if (auto* v4 = std::get_if<Ipv4Address>(&a)) {
    inet_ntop(AF_INET, v4->octets.data(), buf, sizeof buf);
  } else {
    uint8_t bytes[16];
    ipv6_to_bytes(std::get<Ipv6Address>(a), bytes);
    inet_ntop(AF_INET6, bytes, buf, sizeof buf);
  }
  return buf;
}

std::string format_socket_address(const SocketAddress& a) {
  const IpAddress ip = ip_of(a);
  std::string host = format_ip(ip);
  if (family_of(ip) == Family::ipv6) host = "[" + host + "]";
  return host + ":" + std::to_string(port_of(a));
}

}  // namespace wippy::net
