// random.cpp — wasi:random/random (getrandom(2): get-random-bytes,
// get-random-u64), wasi:random/insecure (a per-WasiCtx splitmix64 stream
// seeded from getrandom) and wasi:random/insecure-seed (a per-WasiCtx
// value fixed at construction). A request above kMaxRandomBytes traps.
// Bound through the typed API (component/bind.h).
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "component/bind.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using Bytes = std::vector<uint8_t>;

Result<void> fill_random(uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t got = ::getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::Io, fmt::format("getrandom: {}", std::strerror(errno)));
    }
    p += got;
    n -= size_t(got);
  }
  return {};
}

namespace {

constexpr uint64_t kMaxRandomBytes = 64u << 20;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Result<void> check_len(uint64_t len, const char* fn) {
  if (len > kMaxRandomBytes) return host_trap(fmt::format("{}: {} bytes is too many", fn, len));
  return {};
}

// Seeds the insecure generator and insecure-seed's value at their first use
// (not per instance: most guests never call them).
WasiState& seeded(WasiCtx& ctx) {
  WasiState& s = ctx.state;
  if (!s.insecure_seeded) {
    uint64_t seed[3] = {};
    if (!fill_random(reinterpret_cast<uint8_t*>(seed), sizeof seed)) seed[0] = uint64_t(reinterpret_cast<uintptr_t>(&s));
    s.insecure_state = seed[0];
    s.insecure_seed = {seed[1], seed[2]};
    s.insecure_seeded = true;
  }
  return s;
}

}  // namespace

void add_random(Linker& linker) {
  HostInterface secure(linker, wasi_iface("wasi:random/random"));
  secure.func("get-random-bytes", [](uint64_t len) -> Result<Bytes> {
    if (auto ok = check_len(len, "get-random-bytes"); !ok) return ok.error();
    Bytes bytes(static_cast<size_t>(len));
    if (auto r = fill_random(bytes.data(), bytes.size()); !r) return r.error();
    return bytes;
  });
  secure.func("get-random-u64", []() -> Result<uint64_t> {
    uint64_t v = 0;
    if (auto r = fill_random(reinterpret_cast<uint8_t*>(&v), sizeof v); !r) return r.error();
    return v;
  });

  HostInterface insecure(linker, wasi_iface("wasi:random/insecure"));
  insecure.func("get-insecure-random-bytes", [](WasiCtx& ctx, uint64_t len) -> Result<Bytes> {
    if (auto ok = check_len(len, "get-insecure-random-bytes"); !ok) return ok.error();
    Bytes bytes(static_cast<size_t>(len));
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t v = splitmix64(seeded(ctx).insecure_state);
      std::memcpy(bytes.data() + i, &v, std::min<size_t>(8, bytes.size() - i));
    }
    return bytes;
  });
  insecure.func("get-insecure-random-u64",
                [](WasiCtx& ctx) -> uint64_t { return splitmix64(seeded(ctx).insecure_state); });

  HostInterface(linker, wasi_iface("wasi:random/insecure-seed"))
      .func("insecure-seed", [](WasiCtx& ctx) -> std::pair<uint64_t, uint64_t> { return seeded(ctx).insecure_seed; });
}

}  // namespace wippy::hostfns
