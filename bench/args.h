// args.h — command-line options of the wippy-bench subcommands.
// parse_args() checks the subcommand, then parses its words with the tree's
// one argument parser (cli/args.h) against that subcommand's option table:
// `--name VALUE` or `--name=VALUE`, anywhere among the positionals; unknown
// options, stray positionals and malformed numbers are errors (message in
// the Result; main prints it with kUsage and exits 2). `call` takes
// FILE.yaml... ENTRY and then the guest's ARGs (from the first positional
// after ENTRY, or after `--`).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace wippy::bench {

struct Args {
  std::string command;  // kernels | startup | load | reset | guests | http-guests | http-client | instantiate | tail-calls | exceptions | gc | call
  int runs = 0;         // 0: the command's default
  std::string filter;   // kernels: only names containing this
  int n = 0;            // kernels: override run(n) for every selected kernel; http-client: GETs
  std::string dir;      // kernels, guests: where the .wasm files are
  std::string wippy_run;  // startup: path of wippy-run
  std::string wasm3;      // startup: path of wasm3 (else $WASM3), for the hello command
  double mb = 10.0;     // load: size of the generated module
  int mib = 256;        // http-client: the download's size
  int guests = 200;     // guests, http-guests: how many run at once
  std::string file;     // instantiate: one component instead of the defaults; load: a component
  bool no_run = false;  // instantiate: instances only, no run rows (for profiling them)
  bool no_huge_heap = false;  // call: leave malloc's heap as it is (no put_heap_on_huge_pages)
  bool no_unshared = false;  // instantiate: no "linker unshared" row (a profile then sees shared instances only)
  int sleep_ms = 100;   // guests: how long each sleeps; http-guests: the server's delay
  // call: registry files, the entry, its ARGs, calls in all and in flight.
  std::vector<std::filesystem::path> files;
  std::string entry;
  std::vector<std::string> call_args;
  int calls = 1000;
  int concurrency = 1;
  int threads = 0;  // call: RuntimeOptions::workers (0: calls on this thread's loop)
};

Result<Args> parse_args(int argc, char** argv);

extern const char* const kUsage;

}  // namespace wippy::bench
