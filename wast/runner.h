// runner.h — runs one parsed .wast script against a fresh Store:
// module definitions, register, actions and every assert_* form with the
// spec's semantics. Each failure is printed as "FILE:LINE: what failed";
// the counts are returned. Commands counted: every assert_*, every module
// definition and every bare action (they must succeed). Scripts with
// component commands are handed to the component runner (component_runner.h).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "interp/text/wast.h"

namespace wippy::wast {

struct WastCounts {
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t skipped = 0;  // commands needing features out of scope (component scripts)
};

struct WastOptions {
  bool verbose = false;  // print each command as it runs
  bool gc_stress = false;  // collect before every GC allocation (Store::gc_stress)
  // Called with the running counts after each command (e.g. to report
  // progress out of a child process).
  std::function<void(const WastCounts&)> on_progress;
};

class CoreRunner;

// One core script's state (store, named and registered modules) fed command
// by command; used by the component runner for the core commands of mixed
// scripts. Failures are printed as by run_wast_commands().
class CoreWastSession {
 public:
  CoreWastSession(const std::string& file, const WastOptions& opts);
  ~CoreWastSession();
  CoreWastSession(const CoreWastSession&) = delete;
  CoreWastSession& operator=(const CoreWastSession&) = delete;
  void run(const WastCommand& c);
  WastCounts counts() const;

 private:
  std::unique_ptr<CoreRunner> runner_;
};

// Feeds each command to `runner` (anything with run(command) and counts()),
// reporting the running counts through opts.on_progress after each; returns
// the final counts. Shared by the core and component script runners.
template <class Runner, class Commands>
WastCounts run_each_command(Runner& runner, const Commands& commands, const WastOptions& opts) {
  for (const auto& c : commands) {
    runner.run(c);
    if (opts.on_progress) opts.on_progress(runner.counts());
  }
  return runner.counts();
}

WastCounts run_wast_commands(const std::string& file, const std::vector<WastCommand>& commands,
                             const WastOptions& opts);

// Reads, parses and runs FILE; a file that cannot be read or parsed counts
// as one failure. A file that parse_wast() rejects but
// parse_component_wast() accepts runs as a component script.
WastCounts run_wast_file(const std::string& file, const WastOptions& opts);

}  // namespace wippy::wast
