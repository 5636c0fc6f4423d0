// wast_command.cpp — the `wast` subcommand (see wast_command.h).
#include "cli/wast_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <vector>

#include "cli/args.h"
#include "cli/report.h"
#include "wast/isolate.h"
#include "wast/runner.h"

namespace wippy::cli {

namespace {

constexpr OptionSpec kWastOptions[] = {
    {"--verbose", false, "-v"},
    {"--no-fork", false},
    {"--gc-stress", false},
    {"--timeout", true},
    {"--help", false, "-h"},
};

// "N passed, M failed", with ", K skipped" only when K > 0.
std::string counts_text(uint64_t passed, uint64_t failed, uint64_t skipped) {
  std::string s = fmt::format("{} passed, {} failed", passed, failed);
  if (skipped) s += fmt::format(", {} skipped", skipped);
  return s;
}

}  // namespace

const char* const kWastHelp =
    "  wippy-run wast [--verbose] [--no-fork] [--timeout DURATION] [--gc-stress] FILE...\n"
    "      Run WebAssembly spec scripts (.wast), core or component. Prints one\n"
    "      line per failed command (FILE:LINE: ...) on stderr, then \"FILE: N\n"
    "      passed, M failed\" per file and \"N passed, M failed\" in total on\n"
    "      stdout. Component commands needing the async ABI or WebAssembly 3.0\n"
    "      core features are printed as \"FILE:LINE: skipped: REASON\" and\n"
    "      counted apart (the counts then end \", K skipped\"). Each file runs\n"
    "      in a child process (a crash or a hang past --timeout, default 300s,\n"
    "      a bare number being seconds, fails that file only); --no-fork runs\n"
    "      in-process; --verbose prints each command and spectest print calls;\n"
    "      --gc-stress collects before every GC allocation (tests the roots).\n"
    "      Exit status: 0 when nothing failed, 1 otherwise, 2 for bad usage.\n";

namespace {

// What the subcommand does with its parsed arguments: the exit status.
int wast_main(const ParsedArgs& p) {
  wast::WastOptions opts;
  opts.verbose = p.has("--verbose");
  opts.gc_stress = p.has("--gc-stress");
  const bool fork_each = !p.has("--no-fork");
  unsigned timeout_s = 300;
  if (auto t = p.last("--timeout")) {
    auto ns = parse_duration_ns(*t);
    if (!ns) return report_usage("wast: --timeout: " + ns.error().message, "wast");
    timeout_s = unsigned((*ns + 999'999'999) / 1'000'000'000);  // whole seconds, rounded up
  }
  if (p.positionals.empty()) return report_usage("wast: missing FILE", "wast");
  uint64_t passed = 0, failed = 0, skipped = 0;
  for (const auto& f : p.positionals) {
    wast::WastCounts c;
    if (fork_each) {
      c = wast::run_isolated(f, timeout_s, [&](const wast::ReportFn& report) {
        wast::WastOptions child = opts;
        child.on_progress = report;
        return wast::run_wast_file(f, child);
      });
    } else {
      c = wast::run_wast_file(f, opts);
    }
    std::fflush(stderr);
    fmt::print("{}: {}\n", f, counts_text(c.passed, c.failed, c.skipped));
    std::fflush(stdout);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
  }
  fmt::print("{}\n", counts_text(passed, failed, skipped));
  return failed ? 1 : 0;
}

}  // namespace

const CommandSpec kWastCommand{kWastOptions, &kWastHelp, "wast: ", "wast", wast_main};

}  // namespace wippy::cli
