// main.cpp — wippy-bench entry point: parses the command line and runs one
// subcommand (see commands.h and README.md).
#include <cstdio>

#include "args.h"
#include "commands.h"

int main(int argc, char** argv) {
  using namespace wippy::bench;
  auto args = parse_args(argc, argv);
  if (!args) {
    std::fprintf(stderr, "wippy-bench: %s\n%s", args.error().message.c_str(), kUsage);
    return 2;
  }
  if (args->command == "call") return cmd_call(*args);
  if (args->command == "kernels") return cmd_kernels(*args);
  if (args->command == "startup") return cmd_startup(*args);
  if (args->command == "reset") return cmd_reset(*args);
  if (args->command == "guests") return cmd_guests(*args);
  if (args->command == "http-guests") return cmd_http_guests(*args);
  if (args->command == "http-client") return cmd_http_client(*args);
  if (args->command == "instantiate") return cmd_instantiate(*args);
  if (args->command == "tail-calls") return cmd_tail_calls(*args);
  if (args->command == "exceptions") return cmd_exceptions(*args);
  if (args->command == "gc") return cmd_gc(*args);
  return cmd_load(*args);
}
