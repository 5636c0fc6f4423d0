// random.cpp — wasi:random/random (getrandom(2): get-random-bytes,
// get-random-u64), wasi:random/insecure (a per-WasiCtx splitmix64 stream
// seeded from getrandom) and wasi:random/insecure-seed (a per-WasiCtx
// value fixed at construction). A request above kMaxRandomBytes traps.
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

namespace {

constexpr uint64_t kMaxRandomBytes = 64u << 20;

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

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Result<uint64_t> checked_len(const Val& len, const char* fn) {
  if (len.u > kMaxRandomBytes) return host_trap(fmt::format("{}: {} bytes is too many", fn, len.u));
  return len.u;
}

}  // namespace

WasiCtx::WasiCtx() {
  uint64_t seed[3] = {};
  if (!fill_random(reinterpret_cast<uint8_t*>(seed), sizeof seed)) seed[0] = uint64_t(reinterpret_cast<uintptr_t>(this));
  state.insecure_state = seed[0];
  state.insecure_seed = {seed[1], seed[2]};
}

void add_random(Linker& linker, WasiCtx& ctx) {
  WasiState& st = ctx.state;
  auto& secure = linker.instance(wasi_iface("wasi:random/random"));
  secure.func("get-random-bytes", [](Store&, std::span<const Val> a) -> Result<Vals> {
    auto n = checked_len(a[0], "get-random-bytes");
    if (!n) return n.error();
    std::vector<uint8_t> bytes(static_cast<size_t>(*n));
    auto r = fill_random(bytes.data(), bytes.size());
    if (!r) return r.error();
    return reply(bytes_val(bytes));
  });
  secure.func("get-random-u64", [](Store&, std::span<const Val>) -> Result<Vals> {
    uint64_t v = 0;
    auto r = fill_random(reinterpret_cast<uint8_t*>(&v), sizeof v);
    if (!r) return r.error();
    return reply(Val::u64(v));
  });

  auto& insecure = linker.instance(wasi_iface("wasi:random/insecure"));
  insecure.func("get-insecure-random-bytes", [&st](Store&, std::span<const Val> a) -> Result<Vals> {
    auto n = checked_len(a[0], "get-insecure-random-bytes");
    if (!n) return n.error();
    std::vector<uint8_t> bytes(static_cast<size_t>(*n));
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t v = splitmix64(st.insecure_state);
      std::memcpy(bytes.data() + i, &v, std::min<size_t>(8, bytes.size() - i));
    }
    return reply(bytes_val(bytes));
  });
  insecure.func("get-insecure-random-u64", [&st](Store&, std::span<const Val>) -> Result<Vals> {
    return reply(Val::u64(splitmix64(st.insecure_state)));
  });

  linker.instance(wasi_iface("wasi:random/insecure-seed"))
      .func("insecure-seed", [&st](Store&, std::span<const Val>) -> Result<Vals> {
        return reply(Val::tuple({Val::u64(st.insecure_seed.first), Val::u64(st.insecure_seed.second)}));
      });
}

}  // namespace wippy::hostfns
