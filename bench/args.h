// args.h — command-line options shared by the wippy-bench subcommands.
// parse_args() reads `--name VALUE` pairs after the subcommand; unknown
// options and malformed numbers are errors (message in the Result).
#pragma once
#include <string>

#include "interp/result.h"

namespace wippy::bench {

struct Args {
  std::string command;  // kernels | startup | load | reset | guests | http-guests | http-client | instantiate | tail-calls
  int runs = 0;         // 0: the command's default
  std::string filter;   // kernels: only names containing this
  int n = 0;            // kernels: override run(n) for every selected kernel; http-client: GETs
  std::string dir;      // kernels, guests: where the .wasm files are
  std::string wippy_run;  // startup: path of wippy-run
  double mb = 10.0;     // load: size of the generated module
  int mib = 256;        // http-client: the download's size
  int guests = 200;     // guests, http-guests: how many run at once
  std::string file;     // instantiate: one component instead of the defaults; load: a component
  int sleep_ms = 100;   // guests: how long each sleeps; http-guests: the server's delay
};

Result<Args> parse_args(int argc, char** argv);

extern const char* const kUsage;

}  // namespace wippy::bench
