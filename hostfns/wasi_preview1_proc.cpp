// wasi_preview1_proc.cpp — preview1 args_get / args_sizes_get,
// environ_get / environ_sizes_get (WasiCtx::args and ::env as
// NUL-terminated strings and a pointer array), clock_res_get /
// clock_time_get (realtime: CLOCK_REALTIME; monotonic: the dispatcher's
// clock; process and thread CPU time: both the instance's own CPU time,
// the time its calls' fibers ran on their thread, counted from a call's
// first CPU-clock reading and never decreasing across calls (outside a
// fiber: the thread's CPU clock), resolution that of
// CLOCK_THREAD_CPUTIME_ID; other clocks are inval), random_get (getrandom(2); more than
// 64 MiB at once traps), proc_exit (records the code in
// WasiCtx::exit_code and ends the call with exit_error, wasi.h),
// proc_raise (notsup, as wasmtime) and sched_yield (lets the loop's other
// fibers run). Out-of-bounds pointers are fault, before anything is
// written.
#include <time.h>

#include <algorithm>

#include <fmt/format.h>

#include "dispatcher/clock.h"
#include "dispatcher/guest_call.h"
#include "dispatcher/this_fiber.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns::p1 {

namespace {

constexpr uint64_t kMaxRandomBytes = 64u << 20;

// Writes `strings` as NUL-terminated bytes at buf and their addresses at
// ptrs (the layout of args_get and environ_get).
Errno put_strings(const GuestMemory& mem, const std::vector<std::string>& strings, uint32_t ptrs, uint32_t buf) {
  uint64_t total = 0;
  for (const auto& s : strings) total += s.size() + 1;
  if (!mem.fits(ptrs, uint64_t(strings.size()) * 4) || !mem.fits(buf, total)) return Errno::fault;
  uint64_t at = buf;
  for (size_t i = 0; i < strings.size(); ++i) {
    mem.store<uint32_t>(ptrs + i * 4, uint32_t(at));
    std::memcpy(mem.at(at, strings[i].size() + 1), strings[i].c_str(), strings[i].size() + 1);
    at += strings[i].size() + 1;
  }
  return Errno::success;
}

Errno put_sizes(const GuestMemory& mem, const std::vector<std::string>& strings, uint32_t count_ptr,
                uint32_t size_ptr) {
  uint64_t total = 0;
  for (const auto& s : strings) total += s.size() + 1;
  if (!mem.fits(count_ptr, 4) || !mem.fits(size_ptr, 4) || total > UINT32_MAX) return Errno::fault;
  mem.store<uint32_t>(count_ptr, uint32_t(strings.size()));
  mem.store<uint32_t>(size_ptr, uint32_t(total));
  return Errno::success;
}

std::vector<std::string> env_strings(const WasiCtx& ctx) {
  std::vector<std::string> out;
  for (const auto& [k, v] : ctx.env) out.push_back(k + "=" + v);
  return out;
}

// The host clock behind a preview1 clockid, or nullopt (inval). The
// process and thread CPU-time ids (2, 3) both read the instance's
// CpuClock; CLOCK_THREAD_CPUTIME_ID stands for them here.
constexpr uint32_t kProcessCputime = 2, kThreadCputime = 3;
std::optional<clockid_t> clock_of(uint32_t id) {
  if (id == 0) return CLOCK_REALTIME;
  if (id == 1) return CLOCK_MONOTONIC;
  if (id == kProcessCputime || id == kThreadCputime) return CLOCK_THREAD_CPUTIME_ID;
  return std::nullopt;
}

uint64_t ns_of(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec); }

// The instance's CPU time: its call's fiber's (counted from the fiber's
// first reading), or outside a fiber the thread's CPU clock; joined across
// readings so that it never decreases.
uint64_t cpu_time(CpuClock& clock) {
  const auto fiber_ns = disp::this_fiber::cpu_time_ns();
  const disp::FiberHandle id = disp::this_fiber::id();
  uint64_t raw = 0;
  if (fiber_ns) {
    raw = *fiber_ns;
  } else {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    raw = ns_of(ts);
  }
  if (!clock.seen || !(id == clock.fiber) || raw < clock.last_raw) {
    clock.offset = int64_t(clock.last) - int64_t(raw);
    clock.fiber = id;
    clock.seen = true;
  }
  const uint64_t now = std::max(clock.last, uint64_t(int64_t(raw) + clock.offset));
  clock.last = now;
  clock.last_raw = raw;
  return now;
}

Result<Errno> args_get(Call& c) { return put_strings(c.mem, c.ctx().args, c.u32(0), c.u32(1)); }
Result<Errno> args_sizes_get(Call& c) { return put_sizes(c.mem, c.ctx().args, c.u32(0), c.u32(1)); }
Result<Errno> environ_get(Call& c) { return put_strings(c.mem, env_strings(c.ctx()), c.u32(0), c.u32(1)); }
Result<Errno> environ_sizes_get(Call& c) { return put_sizes(c.mem, env_strings(c.ctx()), c.u32(0), c.u32(1)); }

Result<Errno> clock_res_get(Call& c) {
  auto id = clock_of(c.u32(0));
  if (!id) return Errno::inval;
  timespec ts{};
  clock_getres(*id, &ts);
  return c.mem.store<uint64_t>(c.u32(1), ns_of(ts)) ? Errno::success : Errno::fault;
}

Result<Errno> clock_time_get(Call& c) {
  auto id = clock_of(c.u32(0));
  if (!id) return Errno::inval;
  uint64_t now = 0;
  if (*id == CLOCK_MONOTONIC) {
    now = disp::now_ns();
  } else if (*id == CLOCK_THREAD_CPUTIME_ID) {
    now = cpu_time(c.host.cpu);
  } else {
    timespec ts{};
    clock_gettime(*id, &ts);
    now = ns_of(ts);
  }
  return c.mem.store<uint64_t>(c.u32(2), now) ? Errno::success : Errno::fault;
}

Result<Errno> random_get(Call& c) {
  uint32_t len = c.u32(1);
  if (len > kMaxRandomBytes) return host_trap(fmt::format("random_get: {} bytes is too many", len));
  uint8_t* p = c.mem.at(c.u32(0), len);
  if (!p) return Errno::fault;
  if (auto r = fill_random(p, len); !r) return Errno::io;
  return Errno::success;
}

Result<Errno> proc_exit(Call& c) {
  c.ctx().exit_code = int(c.u32(0));
  return exit_error(int(c.u32(0)));
}

Result<Errno> proc_raise(Call&) { return Errno::notsup; }

Result<Errno> sched_yield(Call&) {
  if (disp::this_fiber::in_fiber()) {
    auto r = disp::errc_to_result(disp::this_fiber::yield());
    if (!r) return r.error();
  }
  return Errno::success;
}

constexpr FuncDef kFuncs[] = {
    {"args_get", "ii", true, args_get},
    {"args_sizes_get", "ii", true, args_sizes_get},
    {"environ_get", "ii", true, environ_get},
    {"environ_sizes_get", "ii", true, environ_sizes_get},
    {"clock_res_get", "ii", true, clock_res_get},
    {"clock_time_get", "iIi", true, clock_time_get},
    {"random_get", "ii", true, random_get},
    {"proc_exit", "i", false, proc_exit},
    {"proc_raise", "i", true, proc_raise},
    {"sched_yield", "", true, sched_yield},
};

}  // namespace

std::span<const FuncDef> args_env_clock_funcs() { return kFuncs; }

}  // namespace wippy::hostfns::p1
