// dns_responder.h — a tiny DNS server for tests: UDP on 127.0.0.1 (any
// port), a fiber on the given loop, answering A/AAAA from a fixed table
// (wippy.test: 10.1.2.3, 10.1.2.4, fd00::53; v4only.test: 192.0.2.7),
// NXDOMAIN for unknown names, SERVFAIL for "fail.test", and silence for
// "silent.test". Cancel `fiber` to stop it; server() is "127.0.0.1:PORT".
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "net/socket.h"

namespace wippy::net::testing {

struct Answer {
  std::vector<Ipv4Address> a;
  std::vector<Ipv6Address> aaaa;
};

inline const std::map<std::string, Answer>& table() {
  static const std::map<std::string, Answer> t = {
      {"wippy.test", {{Ipv4Address{{10, 1, 2, 3}}, Ipv4Address{{10, 1, 2, 4}}},
                      {std::get<Ipv6Address>(*parse_ip("fd00::53"))}}},
      {"v4only.test", {{Ipv4Address{{192, 0, 2, 7}}}, {}}},
  };
  return t;
}

inline void put16(std::vector<uint8_t>& out, unsigned v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// Builds the reply to one query, or nothing (to stay silent / on garbage).
inline std::vector<uint8_t> reply_to(std::span<const uint8_t> q, int* queries_seen) {
  if (q.size() < 12) return {};
  size_t i = 12;
  std::string name;
  while (i < q.size() && q[i] != 0) {
    const size_t len = q[i++];
    if (len > 63 || i + len > q.size()) return {};
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(&q[i]), len);
    i += len;
  }
  if (i + 5 > q.size()) return {};
  const size_t qend = i + 5;  // zero byte, type, class
  const unsigned qtype = q[i + 1] << 8 | q[i + 2];
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  ++*queries_seen;
  if (name == "silent.test") return {};

  std::vector<uint8_t> out(q.begin(), q.begin() + 2);  // id
  unsigned rcode = 0;
  const auto it = table().find(name);
  if (name == "fail.test") rcode = 2;            // SERVFAIL
  else if (it == table().end()) rcode = 3;       // NXDOMAIN
  std::vector<std::vector<uint8_t>> rdata;
  if (rcode == 0 && qtype == 1)
    for (const auto& a : it->second.a) rdata.emplace_back(a.octets.begin(), a.octets.end());
  if (rcode == 0 && qtype == 28)
    for (const auto& a : it->second.aaaa) {
      std::vector<uint8_t> b;
      for (uint16_t s : a.segments) put16(b, s);
      rdata.push_back(b);
    }
  put16(out, 0x8180 | rcode);  // response, recursion desired + available
  put16(out, 1);
  put16(out, rdata.size());
  put16(out, 0);
  put16(out, 0);
  out.insert(out.end(), q.begin() + 12, q.begin() + qend);
  for (const auto& r : rdata) {
    put16(out, 0xC00C);  // name: pointer to the question
    put16(out, qtype);
    put16(out, 1);
    put16(out, 0);
    put16(out, 60);  // TTL
    put16(out, r.size());
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

struct Responder {
  Socket sock;
  SocketAddress addr;
  int queries = 0;
  wippy::disp::FiberHandle fiber;

  explicit Responder(disp::Loop& loop) {
    auto s = Socket::create(Family::ipv4, Proto::udp);
    REQUIRE(s.ok());
    sock = std::move(*s);
    REQUIRE(sock.bind(make_socket_address(loopback(Family::ipv4), 0)).ok());
    addr = *sock.local_address();
    fiber = loop.spawn([this] {
      uint8_t buf[1500];
      for (;;) {
        auto d = blocking(sock, false, wippy::disp::kNever, [&] { return sock.receive_from(buf); });
        if (!d) return;  // cancelled at the end of the test
        auto r = reply_to(std::span<const uint8_t>(buf, d->size), &queries);
        if (!r.empty()) (void)sock.send_to(r, d->from);
      }
    });
  }
  std::string server() const { return format_socket_address(addr); }
};

}  // namespace wippy::net::testing
