// cmd_http_guests.cpp — `wippy-bench http-guests`: many wasi:http guests
// awaiting delayed responses at once on one dispatcher thread (issue 11
// part 7; tests/unit/test_http_guests.cpp asserts that they overlap, this
// reports how long it takes).
// Runs tests/http/http_get.component.wasm (from --dir, default
// <build>/tests/http next to wippy-bench) against a loopback DelayServer
// (tests/unit/delay_server.h) that answers each GET after --sleep-ms
// (default 100; 200 for the figure):
//   1. one guest alone against a server without delay, --runs times
//      (default 5): the reference "one guest" time (load, link,
//      instantiate, connect, GET);
//   2. --guests guests (default 200) at once, each in its own Store on its
//      own fiber, all of one component loaded once (component/load.h) in
//      the timing, --runs times. Every guest must print the body and exit
//      0, or the command reports FAIL and exits 1.
// Reported (medians): both wall times, the concurrent one's ratio to
// (guests x one guest + delay) and to the delay alone, and the most
// requests the server held at once.
#include <algorithm>
#include <cstdio>
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
#include "net/tls_config.h"
#include "tests/unit/delay_server.h"  // shared with the unit tests
#include "tests/unit/loop_or_exit.h"
#include "timing.h"

namespace wippy::bench {

namespace {

struct Outcome {
  bool ok = true;
  double wall_ms = 0;
  int most_held = 0;
  std::string failure;
};

Outcome run_gets(const std::vector<uint8_t>& wasm, int guests, int delay_ms) {
  testing::DelayServer server(1, delay_ms);
  Outcome out;
  if (server.port() == 0) return {false, 0, 0, "the loopback server did not start"};
  const std::string authority = "127.0.0.1:" + std::to_string(server.port());
  std::vector<std::unique_ptr<GuestRun>> runs;
  auto loop_owner = wippy::testing::loop_or_exit();
  disp::Loop& loop = *loop_owner;
  const double t0 = now_ms();
  auto comp = load_guest(wasm);  // once for every guest, timed with them
  if (!comp) return {false, 0, 0, "the component did not load"};
  // One CA store for every guest, as a wippy::Runtime shares it with its instances.
  auto trust = std::make_shared<net::TlsTrustCache>();
  for (int i = 0; i < guests; ++i) {
    runs.push_back(std::make_unique<GuestRun>());
    runs.back()->ctx.tls_trust = trust;
    runs.back()->ctx.args = {"http_get", authority, "/g" + std::to_string(i)};
    spawn_guest(loop, comp, *runs.back());
  }
  loop.run();
  out.wall_ms = now_ms() - t0;
  out.most_held = server.most();
  out.failure = first_failure(runs, [](int) { return std::string("status 200 body 8\ndelayed\n"); });
  out.ok = out.failure.empty();
  return out;
}

}  // namespace

int cmd_http_guests(const Args& args) {
  const int runs = args.runs ? args.runs : 5;
  const auto read = read_guest_wasm(args.dir, "http-guests", "http", "http_get");
  if (!read) return 1;
  const std::vector<uint8_t>& wasm = *read;

  std::vector<double> one, many;
  int most_held = 0;
  for (int r = 0; r < runs; ++r) {
    Outcome o = run_gets(wasm, 1, 0);
    if (!o.ok) {
      std::printf("http-guests: FAIL %s\n", o.failure.c_str());
      return 1;
    }
    one.push_back(o.wall_ms);
  }
  for (int r = 0; r < runs; ++r) {
    Outcome o = run_gets(wasm, args.guests, args.sleep_ms);
    if (!o.ok) {
      std::printf("http-guests: FAIL %s\n", o.failure.c_str());
      return 1;
    }
    many.push_back(o.wall_ms);
    most_held = std::max(most_held, o.most_held);
  }
  const double one_ms = median(one), wall = median(many);
  std::printf("http_get guests on one dispatcher thread (medians of %d runs)\n", runs);
  std::printf("  one guest alone, no delay            %9.2f ms\n", one_ms);
  std::printf("  %d guests, server delay %d ms      %9.2f ms\n", args.guests, args.sleep_ms, wall);
  std::printf("  ratio to %d x one guest + delay    %6.2f\n", args.guests,
              wall / (args.guests * one_ms + args.sleep_ms));
  std::printf("  ratio to one delay                   %6.2f\n", args.sleep_ms > 0 ? wall / args.sleep_ms : 0.0);
  std::printf("  most requests held at once           %6d of %d\n", most_held, args.guests);
  return 0;
}

}  // namespace wippy::bench
