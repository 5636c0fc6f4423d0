// wast_runner.h — runs one parsed .wast script against a fresh Store:
// module definitions, register, actions and every assert_* form with the
// spec's semantics. Each failure is printed as "FILE:LINE: what failed";
// the counts are returned. Commands counted: every assert_*, every module
// definition and every bare action (they must succeed).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "interp/text/wast.h"

namespace wippy::cli {

struct WastCounts {
  uint32_t passed = 0;
  uint32_t failed = 0;
};

struct WastOptions {
  bool verbose = false;  // print each command as it runs
  // Called with the running counts after each command (e.g. to report
  // progress out of a child process).
  std::function<void(const WastCounts&)> on_progress;
};

WastCounts run_wast_commands(const std::string& file, const std::vector<WastCommand>& commands,
                             const WastOptions& opts);

// Reads, parses and runs FILE; a file that cannot be read or parsed counts
// as one failure.
WastCounts run_wast_file(const std::string& file, const WastOptions& opts);

}  // namespace wippy::cli
