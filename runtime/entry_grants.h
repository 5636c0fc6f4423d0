// entry_grants.h — what a function entry's registry block grants the WASI
// host beyond files: network_policy() turns its wasi.network block into the
// wasi:sockets policy (no block: every address, bind, listen and lookup
// allowed; the rules were checked when the registry was parsed), and
// wasi_limits() its `limits` into the per-instance handle, descriptor,
// file-size, socket-count and socket-timeout caps (unset keys keep the host
// defaults); http_grant() its wasi.http block and limits.http_max_body_bytes
// into the wasi:http grant (no block: every authority, no extra CA, the
// host's default timeouts).
#pragma once
#include "hostfns/wasi_ctx.h"
#include "net/http_grant.h"
#include "net/rules.h"
#include "runtime/registry.h"

namespace wippy {

net::Policy network_policy(const WasiConfig& wasi);
hostfns::WasiLimits wasi_limits(const EntryLimits& limits);
net::HttpGrant http_grant(const WasiConfig& wasi, const EntryLimits& limits);

}  // namespace wippy
