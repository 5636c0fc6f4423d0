// guest_runs.h — what the many-guests commands (cmd_guests.cpp,
// cmd_http_guests.cpp) share: a WASI command guest run as a fiber of a
// loop, each in its own Store, and the check of what every run printed.
// load_guest(wasm): the component decoded and validated once
// (component/load.h), or null with the error printed. spawn_guest(loop,
// component, run, on_start): queues a fiber that calls on_start (when
// given), then run_wasi_command on that loaded component; the exit code or
// the error message lands in `run`. first_failure(runs, want): "" when every run
// exited 0 having printed exactly want(i), else what run i did instead.
#pragma once
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "component/load.h"
#include "dispatcher/loop.h"
#include "exe_dir.h"
#include "hostfns/wasi.h"

namespace wippy::bench {

struct GuestRun {
  hostfns::WasiCtx ctx;
  int code = -1;
  std::string error;
};

// The bytes of `dir`/NAME.component.wasm (dir empty: tests/SUBDIR of the build
// tree next to this binary), or nullopt after a message naming `command`.
inline std::optional<std::vector<uint8_t>> read_guest_wasm(const std::string& dir, const char* command,
                                                           const char* subdir, const char* name) {
  const std::string path =
      (dir.empty() ? exe_dir() + "/../tests/" + subdir : dir) + "/" + name + ".component.wasm";
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "wippy-bench %s: cannot read %s (build tests/%s, or pass --dir)\n", command, path.c_str(),
                 subdir);
    return std::nullopt;
  }
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

inline std::shared_ptr<const component::Component> load_guest(const std::vector<uint8_t>& wasm) {
  auto comp = component::load_component(wasm);
  if (comp) return *comp;
  std::printf("FAIL loading the guest: %s\n", comp.error().message.c_str());
  return nullptr;
}

inline void spawn_guest(disp::Loop& loop, std::shared_ptr<const component::Component> comp, GuestRun& run,
                        std::function<void()> on_start = {}) {
  loop.spawn([&run, comp = std::move(comp), on_start = std::move(on_start)] {
    if (on_start) on_start();
    Store store;
    auto r = hostfns::run_wasi_command(store, comp, run.ctx);
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
