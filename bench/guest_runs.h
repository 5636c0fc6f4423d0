// guest_runs.h — what the many-guests commands (cmd_guests.cpp,
// cmd_http_guests.cpp) share: a WASI command guest run as a fiber of a
// loop, each in its own Store, and the check of what every run printed.
// spawn_guest(loop, wasm, run, on_start): queues a fiber that calls
// on_start (when given), then run_wasi_command; the exit code or the error
// message lands in `run`. first_failure(runs, want): "" when every run
// exited 0 having printed exactly want(i), else what run i did instead.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dispatcher/loop.h"
#include "hostfns/wasi.h"

namespace wippy::bench {

struct GuestRun {
  hostfns::WasiCtx ctx;
  int code = -1;
  std::string error;
};

inline void spawn_guest(disp::Loop& loop, const std::vector<uint8_t>& wasm, GuestRun& run,
                        std::function<void()> on_start = {}) {
  loop.spawn([&run, &wasm, on_start = std::move(on_start)] {
    if (on_start) on_start();
    Store store;
    auto r = hostfns::run_wasi_command(store, wasm, run.ctx);
    if (r.ok()) run.code = *r;
    else run.error = r.error().message;
  });
}

inline std::string first_failure(const std::vector<std::unique_ptr<GuestRun>>& runs,
                                 const std::function<std::string(int)>& want) {
  for (size_t i = 0; i < runs.size(); ++i) {
    const GuestRun& run = *runs[i];
    if (run.error.empty() && run.code == 0 && run.ctx.out.buffer == want(int(i))) continue;
    return "guest " + std::to_string(i) + ": " +
           (run.error.empty() ? "exit " + std::to_string(run.code) + ", output " + run.ctx.out.buffer : run.error);
  }
  return "";
}

}  // namespace wippy::bench
