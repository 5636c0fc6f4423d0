// Unit tests for net/ values: addresses (parse, print, sockaddr), the
// wasi:sockets errno mapping, and network grant rules and policies.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "net/address.h"
#include "net/net_error.h"
#include "net/rules.h"

using namespace wippy::net;

namespace {

IpAddress ip(const char* text) {
  auto a = parse_ip(text);
  REQUIRE(a.has_value());
  return *a;
}

Rule rule(const char* text) {
  auto r = parse_rule(text);
  INFO(text);
  REQUIRE(r.ok());
  return *r;
}

// A probe "PROTO:ADDRESS:PORT" (tcp or udp; an IPv6 address in brackets):
// its protocol and socket address.
std::pair<Proto, SocketAddress> probe(std::string_view text) {
  INFO(text);
  REQUIRE((text.starts_with("tcp:") || text.starts_with("udp:")));
  auto a = parse_socket_address(text.substr(4));
  REQUIRE(a.has_value());
  return {text[0] == 't' ? Proto::tcp : Proto::udp, *a};
}

// The rule `text` matches every probe in `hits` and none in `misses` (a
// CHECK per probe, naming the rule and the probe).
void check_matches(const char* text, std::initializer_list<std::string_view> hits,
                   std::initializer_list<std::string_view> misses) {
  const Rule r = rule(text);
  for (bool want : {true, false}) {
    for (std::string_view p : want ? hits : misses) {
      INFO(text << " ~ " << p);
      const auto [proto, a] = probe(p);
      CHECK(r.matches(proto, ip_of(a), port_of(a)) == want);
    }
  }
}

std::string rule_error(const char* text) {
  auto r = parse_rule(text);
  if (r.ok()) return "";
  CHECK(r.error().kind == wippy::ErrorKind::Invalid);
  return r.error().message;
}

// Each rule text is refused with a message containing its part (a CHECK
// per text; a failure shows the whole message).
void check_rule_errors(std::initializer_list<std::pair<const char*, std::string_view>> cases) {
  for (const auto& [text, part] : cases) {
    const std::string msg = rule_error(text);
    INFO("rule: " << text);
    CHECK_MESSAGE(msg.find(part) != std::string::npos, msg);
  }
}

}  // namespace

TEST_CASE("net: addresses parse, print and round-trip through sockaddr") {
  CHECK(format_ip(ip("10.0.0.1")) == "10.0.0.1");
  CHECK(format_ip(ip("::1")) == "::1");
  CHECK(format_ip(ip("[fd00:0:0::2]")) == "fd00::2");
  CHECK(std::get<Ipv6Address>(ip("1:2:3:4:5:6:7:8")).segments[7] == 8);
  CHECK(std::get<Ipv4Address>(ip("192.168.1.200")).octets[3] == 200);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4x", "[1.2.3.4]", "::g", "1:2:3:4:5:6:7:8:9",
                          "localhost", "[::1", "1.2.3.4 "}) {
    INFO(bad);
    CHECK_FALSE(parse_ip(bad).has_value());
  }
  std::string huge(5000, '1');
  CHECK_FALSE(parse_ip(huge).has_value());

  auto s4 = parse_socket_address("127.0.0.1:8080");
  REQUIRE(s4);
  CHECK(port_of(*s4) == 8080);
  CHECK(format_socket_address(*s4) == "127.0.0.1:8080");
  auto s6 = parse_socket_address("[::1]:53");
  REQUIRE(s6);
  CHECK(family_of(*s6) == Family::ipv6);
  CHECK(format_socket_address(*s6) == "[::1]:53");
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "::1:53", "[127.0.0.1]:1", "1.2.3.4:-1",
                          "1.2.3.4:1x", ":80"}) {
    INFO(bad);
    CHECK_FALSE(parse_socket_address(bad).has_value());
  }

  Ipv6SocketAddress v6;
  v6.port = 443;
  v6.flow_info = 7;
  v6.scope_id = 3;
  v6.address = std::get<Ipv6Address>(ip("fe80::1"));
  sockaddr_storage ss;
  const socklen_t len = to_sockaddr(v6, ss);
  auto back = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  REQUIRE(back);
  CHECK(std::get<Ipv6SocketAddress>(*back) == v6);
  CHECK_FALSE(from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len - 1).has_value());  // too short

  CHECK(is_ipv4_mapped(ip("::ffff:10.1.2.3")));
  CHECK(unmap_ipv4(ip("::ffff:10.1.2.3")) == ip("10.1.2.3"));
  CHECK(is_unspecified(ip("0.0.0.0")));
  CHECK(is_unspecified(ip("::")));
  CHECK(is_multicast(ip("224.0.0.1")));
  CHECK(is_multicast(ip("ff02::1")));
  CHECK(is_broadcast(ip("255.255.255.255")));
  CHECK_FALSE(is_multicast(ip("10.0.0.1")));
}

TEST_CASE("net: errno maps to wasi:sockets error codes per operation") {
  // Each errno, seen by an operation, and the error code it maps to.
  const struct {
    int err;
    Op op;
    ErrorCode code;
  } kMapped[] = {
      {EADDRNOTAVAIL, Op::bind, ErrorCode::address_not_bindable},
      {EADDRNOTAVAIL, Op::connect, ErrorCode::address_in_use},
      {EADDRINUSE, Op::bind, ErrorCode::address_in_use},
      {EMFILE, Op::create, ErrorCode::new_socket_limit},
      {ENFILE, Op::accept, ErrorCode::new_socket_limit},
      {ENOBUFS, Op::send, ErrorCode::out_of_memory},
      {ECONNREFUSED, Op::connect, ErrorCode::connection_refused},
      {ECONNRESET, Op::receive, ErrorCode::connection_reset},
      {EPIPE, Op::send, ErrorCode::connection_reset},
      {ECONNABORTED, Op::accept, ErrorCode::connection_aborted},
      {EAGAIN, Op::receive, ErrorCode::would_block},
      {EINPROGRESS, Op::connect, ErrorCode::would_block},
      {EALREADY, Op::connect, ErrorCode::concurrency_conflict},
      {EISCONN, Op::connect, ErrorCode::invalid_state},
      {ENOTCONN, Op::send, ErrorCode::invalid_state},
      {EACCES, Op::bind, ErrorCode::access_denied},
      {EPERM, Op::connect, ErrorCode::access_denied},
      {EAFNOSUPPORT, Op::create, ErrorCode::not_supported},
      {EINVAL, Op::option, ErrorCode::invalid_argument},
      {ETIMEDOUT, Op::connect, ErrorCode::timeout},
      {EHOSTUNREACH, Op::connect, ErrorCode::remote_unreachable},
      {ENETUNREACH, Op::send, ErrorCode::remote_unreachable},
      {EMSGSIZE, Op::send, ErrorCode::datagram_too_large},
  };
  for (const auto& m : kMapped) {
    INFO("errno " << m.err << ", op " << static_cast<int>(m.op));
    CHECK(error_from_errno(m.err, m.op) == m.code);
  }
  CHECK(error_from_errno(ENOENT) == ErrorCode::unknown);
  CHECK(error_from_wait(wippy::disp::Errc::timed_out) == ErrorCode::timeout);
  CHECK(error_from_wait(wippy::disp::Errc::cancelled) == ErrorCode::unknown);
  CHECK(std::string(error_code_name(ErrorCode::permanent_resolver_failure)) == "permanent-resolver-failure");
  CHECK(std::string(error_code_name(ErrorCode::new_socket_limit)) == "new-socket-limit");
  CHECK(static_cast<int>(ErrorCode::permanent_resolver_failure) == kErrorCodeCount - 1);
  // The WIT's discriminants (wasi:sockets/network 0.2.x).
  CHECK(static_cast<int>(ErrorCode::invalid_state) == 9);
  CHECK(static_cast<int>(ErrorCode::new_socket_limit) == 10);
  CHECK(static_cast<int>(ErrorCode::address_not_bindable) == 11);
  CHECK(static_cast<int>(ErrorCode::address_in_use) == 12);
  CHECK(static_cast<int>(ErrorCode::name_unresolvable) == 18);
}

TEST_CASE("net: rules parse every host and port kind and print back") {
  // Each rule and its canonical form.
  const std::pair<const char*, const char*> kPrinted[] = {
      {"tcp:127.0.0.1:8000-9000", "tcp:127.0.0.1:8000-9000"},
      {"udp:[::1]:53", "udp:[::1]:53"},
      {"tcp:10.0.0.0/8:*", "tcp:10.0.0.0/8:*"},
      {"tcp:*:443", "tcp:*:443"},
      {"udp:[fd00::]/8:0-65535", "udp:[fd00::]/8:*"},
      {"tcp:[::ffff:10.0.0.0]/104:1", "tcp:10.0.0.0/8:1"},
      {"tcp:0.0.0.0/0:5", "tcp:0.0.0.0/0:5"},
  };
  for (const auto& [text, printed] : kPrinted) {
    INFO(text);
    CHECK(format_rule(rule(text)) == printed);
  }
}

TEST_CASE("net: bad rules are refused with a message naming the part") {
  check_rule_errors({
      {"", "three parts"},
      {"tcp:1.2.3.4", "three parts"},
      {"sctp:1.2.3.4:1", "protocol"},
      {"TCP:1.2.3.4:1", "protocol"},
      {"tcp:example.com:80", "host"},
      {"tcp::80", "host"},
      {"tcp:::1:80", "host"},  // unbracketed IPv6
      {"tcp:[::1:80", "host"},
      {"tcp:[1.2.3.4]:80", "host"},
      {"tcp:10.0.0.0/33:1", "longer"},
      {"tcp:10.0.0.0/x:1", "prefix"},
      {"tcp:10.0.0.1/8:1", "host bits"},
      {"tcp:[::ffff:0.0.0.0]/8:1", "at least 96"},
      {"tcp:1.2.3.4:65536", "port"},
      {"tcp:1.2.3.4:", "port"},
      {"tcp:1.2.3.4:9-8", "above"},
      {"tcp:1.2.3.4:1-", "range"},
      {"tcp:1.2.3.4:-1", "range"},
      {"tcp:1.2.3.4:80x", "port"},
  });
  // Long input is echoed bounded.
  std::string longrule = "tcp:" + std::string(10000, 'x') + ":1";
  auto r = parse_rule(longrule);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.size() < 600);
}

TEST_CASE("net: rules match and deny by protocol, host kind and port kind") {
  check_matches("tcp:127.0.0.1:8000-9000",
                {"tcp:127.0.0.1:8000", "tcp:127.0.0.1:9000",
                 "tcp:[::ffff:127.0.0.1]:8500"},  // mapped: the IPv4 it reaches
                {"tcp:127.0.0.1:7999", "tcp:127.0.0.1:9001", "udp:127.0.0.1:8500", "tcp:127.0.0.2:8500",
                 "tcp:[::1]:8500"});
  check_matches("udp:[::1]:53", {"udp:[::1]:53"},
                {"udp:[::1]:54", "udp:[::2]:53", "udp:127.0.0.1:53", "tcp:[::1]:53"});
  check_matches("tcp:10.0.0.0/8:*", {"tcp:10.0.0.0:1", "tcp:10.255.255.255:65535", "tcp:10.1.2.3:0"},
                {"tcp:11.0.0.0:80", "tcp:9.255.255.255:80", "udp:10.1.2.3:80"});
  check_matches("tcp:[fd00::]/8:22", {"tcp:[fdff:1::1]:22"}, {"tcp:[fe00::1]:22", "tcp:10.0.0.1:22"});
  // a prefix not on an octet boundary
  check_matches("tcp:192.168.4.0/22:1", {"tcp:192.168.7.255:1"}, {"tcp:192.168.8.0:1", "tcp:192.168.3.255:1"});
  check_matches("tcp:*:443", {"tcp:8.8.8.8:443", "tcp:[2001:db8::1]:443"}, {"tcp:8.8.8.8:444", "udp:8.8.8.8:443"});
}

TEST_CASE("net: a policy without rules allows everything; with rules only matches") {
  Policy open;
  CHECK(open.allows(Proto::udp, ip("1.2.3.4"), 9));
  CHECK(open.allow_bind);
  CHECK(open.allow_listen);
  CHECK(open.allow_lookup);

  auto p = parse_policy({"tcp:127.0.0.1:8000-9000", "udp:[::1]:53"});
  REQUIRE(p.ok());
  CHECK(p->allows(Proto::tcp, ip("127.0.0.1"), 8080));
  CHECK(p->allows(Proto::udp, make_socket_address(ip("::1"), 53)));
  CHECK_FALSE(p->allows(Proto::tcp, ip("127.0.0.1"), 80));
  CHECK_FALSE(p->allows(Proto::udp, ip("127.0.0.1"), 53));

  auto bad = parse_policy({"tcp:*:1", "udp:nope:1"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("udp:nope:1") != std::string::npos);
}

TEST_CASE("net: Policy::none() refuses every address, bind, listen and lookup") {
  Policy none = Policy::none();
  CHECK_FALSE(none.allows(Proto::tcp, ip("127.0.0.1"), 80));
  CHECK_FALSE(none.allows(Proto::udp, ip("::1"), 53));
  CHECK_FALSE(none.allow_bind);
  CHECK_FALSE(none.allow_listen);
  CHECK_FALSE(none.allow_lookup);
  // Rules added to it do not reopen anything.
  auto rule = parse_rule("tcp:*:*");
  REQUIRE(rule.ok());
  none.allow.push_back(*rule);
  CHECK_FALSE(none.allows(Proto::tcp, ip("127.0.0.1"), 80));
}
