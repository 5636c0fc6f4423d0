// main.cpp — wippy-run: command-line entry point. Picks the subcommand and
// hands it the words after it; each subcommand parses them with its own
// option table (cli/args.h) and prints its own --help:
//   wippy-run wast ...        spec scripts (cli/wast_command.h)
//   wippy-run run ...         a core export, a WASI command component or a
//                             preview1 command (cli/run_command.h)
//   wippy-run inspect FILE    imports and exports (cli/inspect_command.h)
//   wippy-run [OPTIONS] FILE.yaml ...   the registry mode
//                             (cli/registry_command.h)
//   wippy-run --version | -V  the version and how it was built
//   wippy-run --help | -h | help [COMMAND]
// Errors: one "wippy-run: error: ..." line each (cli/report.h).
// Exit status: the guest's for a command, 1 for a trap or any other
// error, 2 for bad usage.
#include <fmt/format.h>

#include <span>
#include <string>
#include <vector>

#include "base/huge_heap.h"
#include "cli/inspect_command.h"
#include "cli/registry_command.h"
#include "cli/report.h"
#include "cli/run_command.h"
#include "cli/wast_command.h"
#include "interp/quote.h"
#include "wippy/version.h"

namespace {

using namespace wippy::cli;

constexpr const char* kExitStatus =
    "Exit status: the guest's for a command (0, or the code it exits with);\n"
    "0 for success otherwise; 1 for a trap, a deadline or any other error\n"
    "(one \"wippy-run: error: ...\" line on stderr each, starting FILE:LINE:\n"
    "or FILE: when there is a place to name); 2 for bad usage.\n";

// "wippy-run 0.1.0" and a line on how this binary (and the libwippy linked
// into it) was compiled.
int version() {
#if defined(__clang__)
  const char* compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const char* compiler = "gcc " __VERSION__;
#else
  const char* compiler = "unknown compiler";
#endif
#if defined(__x86_64__)
  const char* cpu = "x86_64";
#elif defined(__aarch64__)
  const char* cpu = "aarch64";
#else
  const char* cpu = "unknown CPU";
#endif
#if defined(__OPTIMIZE__)
  std::string flavour = "optimized";
#else
  std::string flavour = "unoptimized";
#endif
#if defined(NDEBUG)
  flavour += ", assertions off";
#else
  flavour += ", assertions on";
#endif
#if defined(__SANITIZE_ADDRESS__)
  flavour += ", AddressSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  flavour += ", AddressSanitizer";
#endif
#endif
  fmt::print("wippy-run {}\n", WIPPY_VERSION_STRING);
  fmt::print("built with {} for {}, {}, C++{}\n", compiler, cpu, flavour, (__cplusplus / 100) % 100);
  return 0;
}

// Runs a subcommand on its arguments, doing what every subcommand does the
// same way: a parse error is reported as a usage error (status 2) and
// --help prints the help (status 0); otherwise spec.body's status, with
// the heap on huge pages (base/huge_heap.h).
int run_command(std::span<const std::string> args, const CommandSpec& spec) {
  auto p = parse_args(args, spec.options, spec.stop ? StopAt(spec.stop) : StopAt());
  if (!p) return report_usage(std::string(spec.error_prefix) + p.error().message, spec.usage_command);
  if (p->has("--help")) {
    fmt::print("usage:\n{}", *spec.help);
    return 0;
  }
  // Every subcommand loads modules into a fresh heap, then exits: first
  // touches of the heap fault once per 2 MiB, not per 4 KiB.
  wippy::put_heap_on_huge_pages();
  return spec.body(*p);
}

int help(std::string_view command) {
  if (command == "wast") fmt::print("usage:\n{}", kWastHelp);
  else if (command == "run") fmt::print("usage:\n{}", kRunHelp);
  else if (command == "inspect") fmt::print("usage:\n{}", kInspectHelp);
  else if (command == "registry") fmt::print("usage:\n{}", kRegistryHelp);
  else if (command.empty()) {
    fmt::print("usage:\n{}{}{}{}", kWastHelp, kRunHelp, kInspectHelp, kRegistryHelp);
    fmt::print("  wippy-run --version | -V\n"
               "      Print the version, then the compiler, CPU and build flavour.\n"
               "  wippy-run --help | -h | help [wast|run|inspect|registry]\n"
               "      This text, or one command's; COMMAND --help does the same.\n");
    fmt::print("{}", kExitStatus);
  } else {
    return report_usage("help: unknown command " + wippy::quote_input(command), "");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) return report_usage("missing command", "");
  const std::string& cmd = all[0];
  std::span<const std::string> rest = std::span(all).subspan(1);
  if (cmd == "--version" || cmd == "-V") {
    if (!rest.empty()) return report_usage(cmd + " takes no arguments", "");
    return version();
  }
  // wippy-run [OPTIONS] FILE.yaml ... : the registry mode.
  if (wippy::cli::is_registry_invocation(all)) return run_command(all, wippy::cli::kRegistryCommand);
  if (cmd == "wast") return run_command(rest, wippy::cli::kWastCommand);
  if (cmd == "run") return run_command(rest, wippy::cli::kRunCommand);
  if (cmd == "inspect") return run_command(rest, wippy::cli::kInspectCommand);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    if (rest.size() > 1) return report_usage("help takes at most one command", "");
    return help(rest.empty() ? std::string_view() : std::string_view(rest[0]));
  }
  if (cmd.starts_with("-")) return report_usage("unknown option " + wippy::quote_input(cmd), "");
  return report_usage("unknown command " + wippy::quote_input(cmd), "");
}
