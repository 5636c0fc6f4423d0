// entry_grants.cpp — registry blocks to WASI host policy (see entry_grants.h).
#include "runtime/entry_grants.h"

namespace wippy {

net::Policy network_policy(const WasiConfig& wasi) {
  net::Policy policy;
  if (!wasi.network) return policy;
  for (const std::string& text : wasi.network->allow)
    if (auto rule = net::parse_rule(text)) policy.allow.push_back(*rule);
  policy.allow_bind = wasi.network->allow_bind;
  policy.allow_listen = wasi.network->allow_listen;
  policy.allow_lookup = wasi.network->allow_lookup;
  return policy;
}

hostfns::WasiLimits wasi_limits(const EntryLimits& limits) {
  hostfns::WasiLimits out;
  out.max_handles = size_t(limits.max_handles);
  if (limits.max_open_files) out.max_open_files = size_t(*limits.max_open_files);
  if (limits.max_file_bytes) out.max_file_bytes = *limits.max_file_bytes;
  if (limits.max_open_sockets) out.max_open_sockets = size_t(*limits.max_open_sockets);
  if (limits.socket_timeout_ms) out.socket_timeout_ms = *limits.socket_timeout_ms;
  return out;
}

net::HttpGrant http_grant(const WasiConfig& wasi, const EntryLimits& limits) {
  net::HttpGrant grant;
  grant.max_body_bytes = limits.http_max_body_bytes.value_or(0);
  if (!wasi.http) return grant;
  if (auto hosts = net::parse_host_patterns(wasi.http->allow_hosts)) grant.allow_hosts = std::move(*hosts);
  grant.ca_file = wasi.http->ca_host_path.string();
  // Range-checked when the registry was parsed.
  auto timeout = [&](const std::optional<uint64_t>& ms, net::HttpTimeout which) {
    if (ms) (void)net::set_http_timeout_ms(grant, which, *ms, "timeout");
  };
  timeout(wasi.http->connect_timeout_ms, net::HttpTimeout::connect);
  timeout(wasi.http->first_byte_timeout_ms, net::HttpTimeout::first_byte);
  timeout(wasi.http->between_bytes_timeout_ms, net::HttpTimeout::between_bytes);
  return grant;
}

}  // namespace wippy
