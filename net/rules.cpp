// rules.cpp — parsing and matching network grant rules.
#include "net/rules.h"

#include <algorithm>
#include <charconv>

#include "interp/quote.h"

namespace wippy::net {

const char* proto_name(Proto p) { return p == Proto::tcp ? "tcp" : "udp"; }

namespace {

Error bad_rule(std::string_view text, const std::string& why) {
  return make_error(ErrorKind::Invalid, "bad network rule '" + quote_input(text) + "': " + why +
                                            " (expected PROTO:HOST:PORT, e.g. tcp:127.0.0.1:8000-9000, "
                                            "udp:[::1]:53, tcp:10.0.0.0/8:*, tcp:*:443)");
}

std::optional<unsigned> parse_uint(std::string_view s, unsigned max) {
  unsigned v = 0;
  if (s.empty() || s.size() > 5) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

// Keeps the leading `prefix` bits of `a`, zeroing the rest.
IpAddress mask(const IpAddress& a, unsigned prefix) {
  if (auto* v4 = std::get_if<Ipv4Address>(&a)) {
    Ipv4Address out = *v4;
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned keep = prefix > 8 * i ? std::min(8u, prefix - 8 * i) : 0;
      out.octets[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xFF << (8 - keep));
    }
    return out;
  }
  Ipv6Address out = std::get<Ipv6Address>(a);
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned keep = prefix > 16 * i ? std::min(16u, prefix - 16 * i) : 0;
    out.segments[i] &= static_cast<uint16_t>(keep == 0 ? 0 : 0xFFFF << (16 - keep));
  }
  return out;
}

}  // namespace

bool Rule::matches(Proto p, const IpAddress& a, uint16_t port) const {
  if (p != proto || port < port_lo || port > port_hi) return false;
  if (any_host) return true;
  const IpAddress addr = unmap_ipv4(a);
  if (family_of(addr) != family_of(network)) return false;
  return mask(addr, prefix) == network;
}

Result<Rule> parse_rule(std::string_view text) {
  Rule r;
  const size_t first = text.find(':');
  const size_t last = text.rfind(':');
  if (first == std::string_view::npos || first == last) return bad_rule(text, "it needs three parts");
  const std::string_view proto = text.substr(0, first);
  std::string_view host = text.substr(first + 1, last - first - 1);
  const std::string_view port = text.substr(last + 1);
  if (proto == "tcp") {
    r.proto = Proto::tcp;
  } else if (proto == "udp") {
    r.proto = Proto::udp;
  } else {
    return bad_rule(text, "the protocol must be tcp or udp");
  }

  if (host == "*") {
    r.any_host = true;
  } else {
    r.any_host = false;
    std::optional<unsigned> prefix;
    const size_t slash = host.rfind('/');
    if (slash != std::string_view::npos) {
      prefix = parse_uint(host.substr(slash + 1), 128);
      if (!prefix) return bad_rule(text, "the CIDR prefix length is not a number up to 128");
      host = host.substr(0, slash);
    }
    const bool bracketed = !host.empty() && host.front() == '[';
    auto ip = parse_ip(host);
    if (!ip) return bad_rule(text, "the host must be an IPv4 address, a bracketed IPv6 address, a CIDR block or *");
    if (family_of(*ip) == Family::ipv6 && !bracketed) return bad_rule(text, "an IPv6 host must be in brackets");
    IpAddress addr = *ip;
    unsigned bits = family_of(addr) == Family::ipv4 ? 32 : 128;
    if (prefix && *prefix > bits) return bad_rule(text, "the CIDR prefix length is longer than the address");
    unsigned len = prefix.value_or(bits);
    if (is_ipv4_mapped(addr)) {  // ::ffff:a.b.c.d/N names IPv4 space
      if (len < 96) return bad_rule(text, "an IPv4-mapped block needs a prefix of at least 96");
      addr = unmap_ipv4(addr);
      len -= 96;
    }
    r.prefix = len;
    r.network = mask(addr, len);
    if (!(r.network == addr))
      return bad_rule(text, "the CIDR block has host bits set (write its base address, e.g. 10.0.0.0/8)");
  }

  if (port == "*") {
    r.port_lo = 0;
    r.port_hi = 65535;
  } else {
    const size_t dash = port.find('-');
    if (dash == std::string_view::npos) {
      auto p = parse_uint(port, 65535);
      if (!p) return bad_rule(text, "the port must be a number 0-65535, a range a-b or *");
      r.port_lo = r.port_hi = static_cast<uint16_t>(*p);
    } else {
      auto lo = parse_uint(port.substr(0, dash), 65535);
      auto hi = parse_uint(port.substr(dash + 1), 65535);
      if (!lo || !hi) return bad_rule(text, "the port range must be two numbers 0-65535, a-b");
      if (*lo > *hi) return bad_rule(text, "the port range's first port is above its last");
      r.port_lo = static_cast<uint16_t>(*lo);
      r.port_hi = static_cast<uint16_t>(*hi);
    }
  }
  return r;
}

std::string format_rule(const Rule& r) {
  std::string host = "*";
  if (!r.any_host) {
    const bool v6 = family_of(r.network) == Family::ipv6;
    host = v6 ? "[" + format_ip(r.network) + "]" : format_ip(r.network);
    if (r.prefix != (v6 ? 128u : 32u)) host += "/" + std::to_string(r.prefix);
  }
  std::string port = "*";
  if (r.port_lo == r.port_hi) {
    port = std::to_string(r.port_lo);
  } else if (r.port_lo != 0 || r.port_hi != 65535) {
    port = std::to_string(r.port_lo) + "-" + std::to_string(r.port_hi);
  }
  return std::string(proto_name(r.proto)) + ":" + host + ":" + port;
}

bool Policy::allows(Proto p, const IpAddress& a, uint16_t port) const {
  if (deny_all) return false;
  if (allow.empty()) return true;
  for (const Rule& r : allow)
    if (r.matches(p, a, port)) return true;
  return false;
}

Result<Policy> parse_policy(const std::vector<std::string>& rules) {
  Policy policy;
  for (const std::string& text : rules) {
    auto r = parse_rule(text);
    if (!r) return r.error();
    policy.allow.push_back(*r);
  }
  return policy;
}

}  // namespace wippy::net
