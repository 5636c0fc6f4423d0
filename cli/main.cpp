// main.cpp — wippy-run: command-line entry point.
//   wippy-run wast [--verbose] [--no-fork] [--timeout S] FILE...
//                                        run spec scripts (each in a child
//                                        process); prints failures, per-file
//                                        and total counts
//   wippy-run run FILE --invoke NAME [ARG...]
//                                        call an export of a core module
//   wippy-run run COMPONENT.wasm [--dir HOST::GUEST[:ro]]... [--env K=V]...
//                 [--cwd DIR] [--allow-net RULE]... [--deny-net]
//                 [--allow-http-host PATTERN]... [--http-ca-file PATH] [-- ARG...]
//                                        run a WASI 0.2 command component,
//                                        or a preview1 core module's _start
//                                        (exit status: the guest's)
//   wippy-run inspect FILE.wasm          list a component's imports and
//                                        exports as a WIT-like world (a core
//                                        module's with kinds and types)
//   wippy-run --version | -V             the version and how it was built
// Exit status: 0 on success, 1 on any failure, 2 on bad usage.
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cli/inspect_command.h"
#include "cli/isolate.h"
#include "cli/registry_command.h"
#include "cli/run_command.h"
#include "cli/wast_runner.h"
#include "wippy/version.h"

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  wippy-run wast [--verbose] [--no-fork] [--timeout SECONDS] FILE...\n"
    "      Run WebAssembly spec scripts (.wast), core or component. Prints one\n"
    "      line per failed command (FILE:LINE: ...), then \"FILE: N passed, M\n"
    "      failed\" per file and \"N passed, M failed\" in total. Component\n"
    "      commands needing the async ABI or WebAssembly 3.0 core features are\n"
    "      printed as \"FILE:LINE: skipped: REASON\" and counted apart (the\n"
    "      counts then end \", K skipped\"). Each file runs in a child\n"
    "      process (a crash or a hang past --timeout, default 300 s, fails\n"
    "      that file only); --no-fork runs in-process; --verbose prints each\n"
    "      command and spectest print calls.\n"
    "  wippy-run run FILE.wasm|FILE.wat --invoke NAME [ARG...]\n"
    "      Instantiate a core module that has no imports and call export NAME.\n"
    "      ARGs are parsed by parameter type: i32/i64 as decimal or 0x hex\n"
    "      (negative allowed), f32/f64 as decimal floats, inf or nan, refs as\n"
    "      null (externref also N). Each result is printed on its own line as\n"
    "      TYPE:VALUE, e.g. i32:42 or f64:1.5 (0x3ff8000000000000).\n"
    "  wippy-run run COMPONENT.wasm [--dir HOST::GUEST[:ro]]... [--env NAME=VALUE]...\n"
    "                [--cwd DIR] [--allow-net RULE]... [--deny-net]\n"
    "                [--allow-http-host PATTERN]... [--http-ca-file PATH]\n"
    "                [--http-connect-timeout-ms MS] [--http-first-byte-timeout-ms MS]\n"
    "                [--http-between-bytes-timeout-ms MS] [-- ARG...]\n"
    "      Run a WASI 0.2 command component (wasi:cli/run) with exactly these\n"
    "      grants: host directory HOST visible at GUEST (read-only with :ro;\n"
    "      --dir DIR uses the same path for both), the given environment only\n"
    "      (nothing is inherited), DIR as its initial working directory. The\n"
    "      guest's argv is COMPONENT.wasm as given, then the ARGs (guest\n"
    "      arguments start after -- or at the first non-option). Stdio is\n"
    "      inherited. The exit status is the guest's: 0, 1 when it exits with\n"
    "      an error or run returns err, N from exit-with-code(N); a trap or an\n"
    "      unsatisfied import prints one line on stderr and exits 1.\n"
    "      wasi:sockets reaches every address unless --allow-net RULE (repeatable;\n"
    "      tcp|udp:HOST:PORT, e.g. tcp:127.0.0.1:8000-9000, udp:[::1]:53,\n"
    "      tcp:10.0.0.0/8:*, tcp:*:443) narrows it or --deny-net refuses every\n"
    "      address, bind, listen and lookup (access-denied).\n"
    "      wasi:http reaches every authority the network rules allow unless\n"
    "      --allow-http-host PATTERN (repeatable; HOST, HOST:PORT, *.DOMAIN or\n"
    "      *.DOMAIN:PORT, e.g. api.example.com, *.example.org, 127.0.0.1:8080,\n"
    "      [::1]:8443) narrows it (HTTP-request-denied); --http-ca-file PATH adds\n"
    "      the PEM certificates in PATH to the trusted CAs of HTTPS requests.\n"
    "      Requests whose request-options leave a timeout unset get connect\n"
    "      30000 ms, first byte (the whole response head) 60000 ms and between\n"
    "      bytes 60000 ms, or the MS given (1 to 86400000).\n"
    "      --argv0 NAME gives the guest NAME as argv[0] instead of the file.\n"
    "  wippy-run run MODULE.wasm|MODULE.wat [--dir ...] [--env ...] [-- ARG...]\n"
    "      A core module importing wasi_snapshot_preview1 runs as a WASI\n"
    "      preview1 command (its _start) with the same grants; the exit status\n"
    "      is its proc_exit code (2, 42, ...).\n"
    "  wippy-run --version | -V\n"
    "      Print the version, then the compiler, CPU and build flavour.\n"
    "  wippy-run inspect FILE.wasm\n"
    "      Print a component's imports and exports as a WIT-like world, with\n"
    "      function signatures and named types; for a core module, its imports\n"
    "      and exports with kinds and function types.\n"
    "Exit status: 0 on success, 1 on any failure, 2 on bad usage (for a\n"
    "component: the guest's status, see above).\n";

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

int usage() {
  fmt::print(stderr, "{}", kUsage);
  return 2;
}

// "N passed, M failed", with ", K skipped" only when K > 0.
std::string counts_text(uint64_t passed, uint64_t failed, uint64_t skipped) {
  std::string s = fmt::format("{} passed, {} failed", passed, failed);
  if (skipped) s += fmt::format(", {} skipped", skipped);
  return s;
}

int wast_main(const std::vector<std::string>& args) {
  wippy::cli::WastOptions opts;
  std::vector<std::string> files;
  bool fork_each = true;
  unsigned timeout = 300;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--verbose" || a == "-v") {
      opts.verbose = true;
    } else if (a == "--no-fork") {
      fork_each = false;
    } else if (a == "--timeout" && i + 1 < args.size()) {
      char* end = nullptr;
      unsigned long t = std::strtoul(args[++i].c_str(), &end, 10);
      if (!end || *end || args[i].empty()) return usage();
      timeout = unsigned(t);
    } else if (a.size() > 1 && a[0] == '-') {
      return usage();
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usage();
  uint64_t passed = 0, failed = 0, skipped = 0;
  for (const auto& f : files) {
    wippy::cli::WastCounts c;
    if (fork_each) {
      c = wippy::cli::run_isolated(f, timeout, [&](const wippy::cli::ReportFn& report) {
        wippy::cli::WastOptions child = opts;
        child.on_progress = report;
        return wippy::cli::run_wast_file(f, child);
      });
    } else {
      c = wippy::cli::run_wast_file(f, opts);
    }
    fmt::print("{}: {}\n", f, counts_text(c.passed, c.failed, c.skipped));
    std::fflush(stdout);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
  }
  fmt::print("{}\n", counts_text(passed, failed, skipped));
  return failed ? 1 : 0;
}

int run_main(const std::vector<std::string>& args) {
  if (args.empty()) return usage();
  if (args.size() >= 2 && args[1] == "--invoke") {
    if (args.size() < 3) return usage();
    std::vector<std::string> rest(args.begin() + 3, args.end());
    return wippy::cli::run_command(args[0], args[2], rest);
  }
  auto opts = wippy::cli::parse_component_run(args);
  if (!opts) return usage();
  return wippy::cli::run_component(*opts);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  if (argc == 2 && (cmd == "--version" || cmd == "-V")) return version();
  std::vector<std::string> args(argv + 2, argv + argc);
  // wippy-run [OPTIONS] FILE.yaml ... : the registry mode (cli/registry_command.h).
  if (std::vector<std::string> all(argv + 1, argv + argc); wippy::cli::is_registry_invocation(all))
    return wippy::cli::registry_command(all);
  if (cmd == "wast") return wast_main(args);
  if (cmd == "run") return run_main(args);
  if (cmd == "inspect") {
    if (args.size() != 1) return usage();
    return wippy::cli::inspect_command(args[0]);
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    fmt::print("{}", kUsage);
    return 0;
  }
  return usage();
}
