// rules.h — network grants: which (protocol, address, port) a guest may use.
// Contract: a rule is "PROTO:HOST:PORT" with PROTO tcp|udp; HOST an IPv4
// address, an IPv6 address in brackets ("[::1]"), a CIDR block
// ("10.0.0.0/8", "[fd00::]/8") or "*"; PORT a number, a range "a-b" (a <= b)
// or "*". parse_rule rejects anything else with an Invalid error that quotes
// the rule (bounded) and says which part is wrong. A Policy is the rules
// plus allow_bind / allow_listen / allow_lookup (default true). With no
// rules every address is allowed; with rules only a matching one is;
// Policy::none() allows nothing. An
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as the IPv4 address it
// reaches. Policies are plain values: copy them into each instance.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/address.h"

namespace wippy::net {

enum class Proto : uint8_t { tcp, udp };
const char* proto_name(Proto p);

struct Rule {
  Proto proto = Proto::tcp;
  bool any_host = true;  // "*"
  IpAddress network;     // when !any_host: the block's base address (host bits zero)
  unsigned prefix = 0;   // when !any_host: leading bits that must match (32/128 for one address)
  uint16_t port_lo = 0;
  uint16_t port_hi = 65535;

  bool matches(Proto p, const IpAddress& a, uint16_t port) const;
};

Result<Rule> parse_rule(std::string_view text);
std::string format_rule(const Rule& r);

struct Policy {
  std::vector<Rule> allow;
  bool allow_bind = true;
  bool allow_listen = true;
  bool allow_lookup = true;
  bool deny_all = false;  // no address at all, whatever `allow` says

  // No network: every address, bind, listen and lookup refused.
  static Policy none() { return Policy{{}, false, false, false, true}; }

  bool allows(Proto p, const IpAddress& a, uint16_t port) const;
  bool allows(Proto p, const SocketAddress& a) const { return allows(p, ip_of(a), port_of(a)); }
};

// Parses each text into policy.allow; the first bad rule is the error.
Result<Policy> parse_policy(const std::vector<std::string>& rules);

}  // namespace wippy::net
