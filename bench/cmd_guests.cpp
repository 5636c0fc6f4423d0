// cmd_guests.cpp — `wippy-bench guests`: many WASI guests sleeping and using
// files at once on one dispatcher thread (the figure that used to be a time
// bound in tests/unit/test_wasi_fs.cpp).
// Runs tests/guests/fs_sleep_read.component.wasm (from --dir, default
// <build>/tests/guests next to wippy-bench) with a read-only and a
// read-write preopen in a fresh temporary directory:
//   1. one guest alone with sleep 0, --runs times (default 5): the median is
//      the reference "one guest" time (load, link, instantiate, run);
//   2. --guests guests (default 200) at once, each sleeping --sleep-ms
//      (default 100) ms, each in its own Store on its own fiber, all of
//      one component loaded once (component/load.h) in the timing, --runs
//      times. Every guest must print its expected line and exit 0, or the
//      command reports FAIL and exits 1.
// Reported (medians): the wall time of the concurrent run, its ratio to
// (guests x one guest + sleep) — about 1 when guests cost no more together
// than apart and the sleeps overlap fully — and its ratio to the sleeps end
// to end (guests x sleep); the process's peak RSS growth per guest.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "dispatcher/loop.h"
#include "exe_dir.h"
#include "guest_runs.h"
#include "hostfns/wasi.h"
#include "tests/unit/loop_or_exit.h"
#include "tests/unit/resident.h"  // shared with the unit tests
#include "timing.h"

namespace wippy::bench {

namespace {

namespace fs = std::filesystem;
using wippy::testing::resident_bytes;

struct Outcome {
  bool ok = true;
  double wall_ms = 0;
  size_t peak_rss = 0;  // sampled while every guest is parked in its sleep
  std::string failure;
};

// Runs `guests` guests at once; each prints "gN a=... own=yes" and exits 0.
Outcome run_guests(const std::vector<uint8_t>& wasm, const fs::path& dir, int guests, int sleep_ms) {
  std::vector<std::unique_ptr<GuestRun>> runs;
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  Outcome out;
  int parked = 0;
  const double t0 = now_ms();
  auto comp = load_guest(wasm);  // once for every guest, timed with them
  if (!comp) return {false, 0, 0, "the component did not load"};
  for (int i = 0; i < guests; ++i) {
    runs.push_back(std::make_unique<GuestRun>());
    GuestRun& run = *runs.back();
    run.ctx.args = {"fs_sleep_read", "g" + std::to_string(i), std::to_string(sleep_ms)};
    run.ctx.preopens = {{(dir / "ro").string(), "/in", true}, {(dir / "rw").string(), "/out", false}};
    spawn_guest(loop, comp, run, [&parked] { ++parked; });
  }
  // Queued behind every guest's first run: all of them are parked by now.
  loop.spawn([&] { out.peak_rss = resident_bytes(); });
  loop.run();
  out.wall_ms = now_ms() - t0;
  out.failure = first_failure(runs, [](int i) { return "g" + std::to_string(i) + " a=1000 b=70000 own=yes\n"; });
  out.ok = out.failure.empty();
  return out;
}

}  // namespace

int cmd_guests(const Args& args) {
  const int runs = args.runs ? args.runs : 5;
  const int guests = args.guests;
  const int sleep_ms = args.sleep_ms;
  const auto read = read_guest_wasm(args.dir, "guests", "guests", "fs_sleep_read");
  if (!read) return 1;
  const std::vector<uint8_t>& wasm = *read;

  char tmpl[] = "/tmp/wippy-bench-guests-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("wippy-bench guests: mkdtemp");
    return 1;
  }
  const fs::path scratch = tmpl;
  fs::create_directories(scratch / "ro");
  fs::create_directories(scratch / "rw");
  std::ofstream(scratch / "ro" / "a.txt") << std::string(1000, 'a');
  std::ofstream(scratch / "ro" / "b.txt") << std::string(70000, 'b');

  std::vector<double> one, many;
  size_t rss_before = resident_bytes(), rss_peak = 0;
  bool ok = true;
  std::string failure;
  for (int r = 0; r < runs && ok; ++r) {
    Outcome o = run_guests(wasm, scratch, 1, 0);
    ok = o.ok;
    failure = o.failure;
    one.push_back(o.wall_ms);
  }
  for (int r = 0; r < runs && ok; ++r) {
    Outcome o = run_guests(wasm, scratch, guests, sleep_ms);
    ok = o.ok;
    failure = o.failure;
    many.push_back(o.wall_ms);
    rss_peak = std::max(rss_peak, o.peak_rss);
  }
  fs::remove_all(scratch);
  if (!ok) {
    std::printf("guests: FAIL %s\n", failure.c_str());
    return 1;
  }
  const double one_ms = median(one), wall = median(many);
  const double reference = guests * one_ms + sleep_ms;
  std::printf("fs_sleep_read guests on one dispatcher thread (medians of %d runs)\n", runs);
  std::printf("  one guest alone, sleep 0      %9.2f ms\n", one_ms);
  std::printf("  %d guests, sleep %d ms      %9.2f ms\n", guests, sleep_ms, wall);
  std::printf("  ratio to %d x one guest + sleep   %6.2f\n", guests, wall / reference);
  std::printf("  ratio to %d x sleep (end to end)  %6.3f\n", guests, wall / (double(guests) * sleep_ms));
  if (rss_before != 0 && rss_peak > rss_before)
    std::printf("  resident per parked guest     %9.1f KiB\n",
                double(rss_peak - rss_before) / guests / 1024.0);
  return 0;
}

}  // namespace wippy::bench
