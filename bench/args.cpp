// args.cpp — wippy-bench's command line on the one table-driven parser of
// the tree (cli/args.h): one option table per subcommand (see args.h).
#include "args.h"

#include <cstdlib>
#include <span>
#include <vector>

#include "cli/args.h"

namespace wippy::bench {

const char* const kUsage =
    "usage: wippy-bench kernels [--runs N] [--filter NAME] [--n N] [--dir DIR]\n"
    "       wippy-bench startup [--runs N] [--wippy-run PATH] [--wasm3 PATH] [--dir HELLO_DIR]\n"
    "       wippy-bench load    [--runs N] [--mb SIZE] [--file COMPONENT.wasm]\n"
    "       wippy-bench reset   [--runs N]\n"
    "       wippy-bench guests  [--runs N] [--guests N] [--sleep-ms MS] [--dir DIR]\n"
    "       wippy-bench http-guests [--runs N] [--guests N] [--sleep-ms MS] [--dir DIR]\n"
    "       wippy-bench http-client [--runs N] [--n GETS] [--mib MIB] [--dir DIR]\n"
    "       wippy-bench instantiate [--runs N] [--file COMPONENT.wasm] [--no-run] [--no-unshared]\n"
    "       wippy-bench tail-calls [--runs N] [--n N]\n"
    "       wippy-bench exceptions [--runs N] [--n N]\n"
    "       wippy-bench gc [--runs N] [--n N]\n"
    "       wippy-bench call FILE.yaml [MORE.yaml...] ENTRY [--calls N] [--concurrency C] [--threads T] [--no-huge-heap] [--] [ARG...]\n"
    "Options take `--name VALUE` or `--name=VALUE`.\n";

namespace {

using cli::OptionSpec;

constexpr OptionSpec kKernels[] = {{"--runs", true}, {"--filter", true}, {"--n", true}, {"--dir", true}};
constexpr OptionSpec kStartup[] = {{"--runs", true}, {"--wippy-run", true}, {"--wasm3", true}, {"--dir", true}};
constexpr OptionSpec kLoad[] = {{"--runs", true}, {"--mb", true}, {"--file", true}};
constexpr OptionSpec kReset[] = {{"--runs", true}};
constexpr OptionSpec kGuests[] = {{"--runs", true}, {"--guests", true}, {"--sleep-ms", true}, {"--dir", true}};
constexpr OptionSpec kHttpClient[] = {{"--runs", true}, {"--n", true}, {"--mib", true}, {"--dir", true}};
constexpr OptionSpec kInstantiate[] = {{"--runs", true}, {"--file", true}, {"--no-run", false}, {"--no-unshared", false}};
constexpr OptionSpec kCall[] = {{"--calls", true}, {"--concurrency", true}, {"--threads", true}, {"--no-huge-heap", false}};
constexpr OptionSpec kTailCalls[] = {{"--runs", true}, {"--n", true}};

struct Command {
  std::string_view name;
  std::span<const OptionSpec> options;
};

constexpr Command kCommands[] = {
    {"kernels", kKernels}, {"startup", kStartup},         {"load", kLoad},
    {"reset", kReset},     {"guests", kGuests},           {"http-guests", kGuests},
    {"http-client", kHttpClient}, {"instantiate", kInstantiate}, {"call", kCall},
    {"tail-calls", kTailCalls},
    {"exceptions", kTailCalls},
    {"gc", kTailCalls},
};

Error usage(std::string msg) { return make_error(ErrorKind::Other, std::move(msg)); }

// A count in [lo, hi] for option `name`.
Result<int> count(const cli::ParsedArgs& p, std::string_view name, int fallback, int lo, int hi) {
  auto text = p.last(name);
  if (!text) return fallback;
  auto n = cli::parse_count(*text, uint64_t(hi));
  if (!n || *n < uint64_t(lo))
    return usage(std::string(name) + ": expected a count from " + std::to_string(lo) + " to " + std::to_string(hi) +
                 ", got " + *text);
  return int(*n);
}

// --mb: a size above 0 and at most 4096 (decimal, fractions allowed).
Result<double> megabytes(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != 0 || !(v > 0) || v > 4096) return usage("--mb: expected a size above 0 and at most 4096, got " + text);
  return v;
}

bool is_registry_file(const std::string& w) { return w.ends_with(".yaml") || w.ends_with(".yml"); }

}  // namespace

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  if (argc < 2) return usage("missing command");
  a.command = argv[1];
  const Command* cmd = nullptr;
  for (const Command& c : kCommands)
    if (c.name == a.command) cmd = &c;
  if (cmd == nullptr) return usage("unknown command: " + a.command);
  std::vector<std::string> words(argv + 2, argv + argc);
  // call: FILE.yaml... ENTRY, then the guest's ARGs from the next positional on.
  bool entry_seen = false;
  cli::StopAt stop = [&](const std::string& w, size_t) {
    if (entry_seen) return true;
    if (!is_registry_file(w)) entry_seen = true;
    return false;
  };
  auto p = cli::parse_args(words, cmd->options, a.command == "call" ? stop : cli::StopAt{});
  if (!p) return p.error();
  if (a.command == "call") {
    size_t i = 0;
    for (; i < p->positionals.size() && is_registry_file(p->positionals[i]); ++i) a.files.emplace_back(p->positionals[i]);
    if (a.files.empty() || i >= p->positionals.size()) return usage("call wants FILE.yaml [MORE.yaml...] ENTRY");
    a.entry = p->positionals[i++];
    a.call_args.assign(p->positionals.begin() + long(i), p->positionals.end());
  } else if (!p->positionals.empty()) {
    return usage("unexpected argument for " + a.command + ": " + p->positionals.front());
  }
  auto runs = count(*p, "--runs", 0, 1, 1000000000);
  auto n = count(*p, "--n", 0, 1, 1000000000);
  auto guests = count(*p, "--guests", a.guests, 1, 100000);
  auto sleep_ms = count(*p, "--sleep-ms", a.sleep_ms, 0, 1000000000);
  auto mib = count(*p, "--mib", a.mib, 1, 65536);
  auto calls = count(*p, "--calls", a.calls, 1, 1000000000);
  auto concurrency = count(*p, "--concurrency", a.concurrency, 1, 1000000000);
  auto threads = count(*p, "--threads", a.threads, 0, 1024);
  for (const Result<int>* r : {&runs, &n, &guests, &sleep_ms, &mib, &calls, &concurrency, &threads})
    if (!*r) return r->error();
  a.runs = *runs;
  a.n = *n;
  a.guests = *guests;
  a.sleep_ms = *sleep_ms;
  a.mib = *mib;
  a.calls = *calls;
  a.concurrency = *concurrency;
  a.threads = *threads;
  if (auto mb = p->last("--mb")) {
    auto v = megabytes(*mb);
    if (!v) return v.error();
    a.mb = *v;
  }
  a.filter = p->last("--filter").value_or("");
  a.dir = p->last("--dir").value_or("");
  a.wippy_run = p->last("--wippy-run").value_or("");
  a.wasm3 = p->last("--wasm3").value_or("");
  a.file = p->last("--file").value_or("");
  a.no_run = p->has("--no-run");
  a.no_unshared = p->has("--no-unshared");
  a.no_huge_heap = p->has("--no-huge-heap");
  return a;
}

}  // namespace wippy::bench
