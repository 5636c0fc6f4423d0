// http_grant.h — what an instance's wasi:http grant allows beyond the
// wasi.network rules: which authorities (allow_hosts), an extra trusted CA
// bundle, and a cap on body sizes.
// Contract: a host pattern is "HOST" (any port), "HOST:PORT", "*.DOMAIN"
// (any name ending in ".DOMAIN", not DOMAIN itself; any port) or
// "*.DOMAIN:PORT"; HOST is a DNS name, an IPv4 address or a bracketed IPv6
// address ("[::1]:8080"). Names compare case-insensitively, a trailing dot
// ignored. parse_host_pattern rejects anything else (Invalid, the pattern
// quoted). HttpGrant::allows(host, port) is true when allow_hosts is empty
// or one pattern matches; `host` is the request's host without brackets.
// The wasi.network rules (net/rules.h) still apply to every address the
// name resolves to; a request outside either fails with HTTP-request-denied.
// Default timeouts (a request whose request-options leave one unset) are
// connect 30 s, first byte 60 s, between bytes 60 s; an embedder sets them
// in milliseconds through set_http_timeout_ms, which accepts 1 ms to
// kMaxHttpTimeoutMs (one day) and names the setting in its error.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wippy::net {

struct HostPattern {
  std::string host;               // lower case, no brackets, no trailing dot; for "*.d": "d"
  bool wildcard = false;          // "*.DOMAIN"
  std::optional<uint16_t> port;   // none: any port

  bool matches(std::string_view host, uint16_t port) const;
};

Result<HostPattern> parse_host_pattern(std::string_view text);
std::string format_host_pattern(const HostPattern& p);

struct HttpGrant {
  std::vector<HostPattern> allow_hosts;  // empty: any authority
  std::string ca_file;                   // host path of extra trusted CAs (PEM); empty: none
  uint64_t max_body_bytes = 0;           // request and response bodies; 0: no limit
  // Timeouts of a request whose request-options leave them unset (ns).
  uint64_t connect_timeout_ns = 30ull * 1000 * 1000 * 1000;
  uint64_t first_byte_timeout_ns = 60ull * 1000 * 1000 * 1000;
  uint64_t between_bytes_timeout_ns = 60ull * 1000 * 1000 * 1000;

  bool allows(std::string_view host, uint16_t port) const;
};

inline constexpr uint64_t kMaxHttpTimeoutMs = 24ull * 60 * 60 * 1000;

enum class HttpTimeout { connect, first_byte, between_bytes };

// Sets the grant's default for `which` to `ms` milliseconds; outside 1 ms
// to kMaxHttpTimeoutMs it is an Invalid error naming `what` (e.g. the
// option or key the value came from) and the grant is unchanged.
Result<void> set_http_timeout_ms(HttpGrant& grant, HttpTimeout which, uint64_t ms, std::string_view what);

// Parses each text into grant.allow_hosts; the first bad one is the error.
Result<std::vector<HostPattern>> parse_host_patterns(const std::vector<std::string>& texts);

}  // namespace wippy::net
