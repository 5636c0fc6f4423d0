// http_grant.cpp — host patterns of a wasi:http grant (see http_grant.h).
#include "net/http_grant.h"

#include <charconv>
#include <fmt/format.h>

#include "interp/quote.h"
#include "net/address.h"
#include "net/resolver.h"

namespace wippy::net {

namespace {

std::string normalize(std::string_view h) {
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  std::string out(h);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Error bad(std::string_view text, std::string_view why) {
  return make_error(ErrorKind::Invalid, fmt::format("invalid host pattern {}: {}", quote_input(text, 80), why));
}

}  // namespace

bool HostPattern::matches(std::string_view h, uint16_t p) const {
  if (port && *port != p) return false;
  const std::string name = normalize(h);
  if (!wildcard) {
    if (name == host) return true;
    auto a = parse_ip(name), b = parse_ip(host);  // "::1" and "0:0::1" are one address
    return a && b && *a == *b;
  }
  return name.size() > host.size() + 1 && name.compare(name.size() - host.size(), host.size(), host) == 0 &&
         name[name.size() - host.size() - 1] == '.';
}

Result<HostPattern> parse_host_pattern(std::string_view text) {
  HostPattern out;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return bad(text, "an IPv6 address needs a closing ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad(text, "expected ':PORT' after ']'");
      port = rest.substr(1);
      if (port.empty()) return bad(text, "empty port");
    }
    auto ip = parse_ip(host);
    if (!ip || !std::holds_alternative<Ipv6Address>(*ip)) return bad(text, "not an IPv6 address in brackets");
  } else {
    const size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      if (text.find(':') != colon) return bad(text, "an IPv6 address must be in brackets");
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (port.empty()) return bad(text, "empty port");
    }
    if (host.size() > 2 && host.substr(0, 2) == "*.") {
      out.wildcard = true;
      host.remove_prefix(2);
    }
    if (host.empty()) return bad(text, "empty host");
    if (!parse_ip(host) && !valid_host_name(host)) return bad(text, "not a host name or IP address");
    if (out.wildcard && parse_ip(host)) return bad(text, "'*.' needs a domain name, not an address");
  }
  if (!port.empty()) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535)
      return bad(text, "the port must be a number from 1 to 65535");
    out.port = static_cast<uint16_t>(v);
  }
  out.host = normalize(host);
  return out;
}

std::string format_host_pattern(const HostPattern& p) {
  std::string h = p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  if (p.wildcard) h = "*." + h;
  if (p.port) h += ":" + std::to_string(*p.port);
  return h;
}

bool HttpGrant::allows(std::string_view host, uint16_t port) const {
  if (allow_hosts.empty()) return true;
  for (const HostPattern& p : allow_hosts)
    if (p.matches(host, port)) return true;
  return false;
}

Result<std::vector<HostPattern>> parse_host_patterns(const std::vector<std::string>& texts) {
  std::vector<HostPattern> out;
  for (const std::string& t : texts) {
    auto p = parse_host_pattern(t);
    if (!p) return p.error();
    out.push_back(std::move(*p));
  }
  return out;
}

Result<void> set_http_timeout_ms(HttpGrant& grant, HttpTimeout which, uint64_t ms, std::string_view what) {
  if (ms == 0 || ms > kMaxHttpTimeoutMs)
    return make_error(ErrorKind::Invalid, fmt::format("{} must be from 1 to {} milliseconds (got {})", what,
                                                      kMaxHttpTimeoutMs, ms));
  const uint64_t ns = ms * 1000 * 1000;
  switch (which) {
    case HttpTimeout::connect: grant.connect_timeout_ns = ns; break;
    case HttpTimeout::first_byte: grant.first_byte_timeout_ns = ns; break;
    case HttpTimeout::between_bytes: grant.between_bytes_timeout_ns = ns; break;
  }
  return {};
}

}  // namespace wippy::net
