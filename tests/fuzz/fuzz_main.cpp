// fuzz_main.cpp — wippy-fuzz: a deterministic in-process mutation fuzzer for
// every input the runtime parses (see targets.h, seeds.h, mutate.h).
//
//   wippy-fuzz [--seed N] [--iters N] [--seconds S] [--targets LIST]
//              [--core-suite DIR] [--component-suite DIR] [--files DIR]...
//              [--crash-dir DIR] [--timeout S] [--quiet] [--deep] [--fiber]
//   wippy-fuzz --replay TARGET FILE        run one input (e.g. a saved crash)
//   wippy-fuzz --minimize TARGET FILE OUT  shrink a crashing input (forks)
//   wippy-fuzz --emit-deep SHAPE DEPTH OUT write a fixed deep input (deep.h):
//              SHAPE types (component binary), func (component binary with
//              an exported function over the types) or json
//   --save N also writes iteration N's input to CRASH_DIR before running it
//   (e.g. to extract an input that leaks or misbehaves without crashing).
//
// Iteration i mutates a seed chosen by Rng(seed, i) for target
// LIST[i % |LIST|], so any iteration replays from (seed, i). Before each
// input runs it is published to the crash handler: a fatal signal, a
// sanitizer report (build with -Db_sanitize=address,undefined) or the
// per-input watchdog (--timeout S: S seconds of CPU time, SIGPROF, so a
// machine busy with other work does not pass for a hang; plus a wall-clock
// backstop of 10 S, SIGALRM, for an input blocked without using CPU) writes it to
// CRASH_DIR/crash-TARGET-SEED-ITER and names it on stderr. Exit status 0
// means every input came back with an outcome.
//
// --deep replaces mutation of seeds by deep_input() (deep.h): inputs that
// nest on purpose, for the targets core, component, wat, cwat, json and
// yaml (the default list in this mode); it implies --fiber. --fiber runs
// each input on a fiber with the runtime's 64 KiB stack, so recursion that
// fits the main thread's 8 MiB but not a fiber ends the run ("fiber stack
// overflow", exit 86) instead of passing unnoticed. In --deep mode wat and
// yaml still run on the main thread: Runtime::load parses WAT sources and
// registry files on the caller's thread, and the WAT parser's nesting limit
// (5000 levels) and yaml-cpp's are sized for a thread stack, not a fiber.
//
// The crash handler needs process-wide state (the input being run): that
// lives here, in the tool, never in the libraries.
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "component/text/component_wat.h"
#include "dispatcher/loop.h"
#include "tests/fuzz/deep.h"
#include "tests/fuzz/mutate.h"
#include "tests/fuzz/seeds.h"
#include "tests/fuzz/targets.h"
#include "tests/unit/loop_or_exit.h"

extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));
// Undefined behaviour must stop the run, not scroll past.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

namespace {

using namespace wippy::fuzz;
namespace fs = std::filesystem;

// ---- crash capture (async-signal-safe: open/write/close only) ----
struct Current {
  const char* data = nullptr;
  size_t size = 0;
  char path[4096] = {};
};
Current g_current;

void dump_current() {
  if (!g_current.data || !g_current.path[0]) return;
  int fd = ::open(g_current.path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    size_t done = 0;
    while (done < g_current.size) {
      ssize_t n = ::write(fd, g_current.data + done, g_current.size - done);
      if (n <= 0) break;
      done += size_t(n);
    }
    ::close(fd);
  }
  const char msg[] = "\nwippy-fuzz: input saved to ";
  (void)!::write(2, msg, sizeof msg - 1);
  (void)!::write(2, g_current.path, strlen(g_current.path));
  (void)!::write(2, "\n", 1);
  g_current.data = nullptr;
}

}  // namespace

// UBSan calls this on each report (before halting): save the input too.
extern "C" void __ubsan_on_report() { dump_current(); }

namespace {

void on_fatal(int sig) {
  const bool timer = sig == SIGALRM || sig == SIGPROF;
  if (sig == SIGPROF) {
    const char msg[] = "\nwippy-fuzz: input timed out (CPU time)\n";
    (void)!::write(2, msg, sizeof msg - 1);
  } else if (sig == SIGALRM) {
    const char msg[] = "\nwippy-fuzz: input timed out (wall clock)\n";
    (void)!::write(2, msg, sizeof msg - 1);
  }
  dump_current();
  signal(timer ? SIGABRT : sig, SIG_DFL);
  raise(timer ? SIGABRT : sig);
}

void install_handlers() {
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM, SIGPROF}) signal(s, on_fatal);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(dump_current);
}

// ---- targets by name ----
using Runner = std::function<std::string(const std::string&)>;

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

struct Target {
  std::string name;
  bool binary;
  Runner run;
};

std::vector<Target> all_targets(const fs::path& scratch) {
  return {
      {"core", true, [](const std::string& s) { return run_core(as_bytes(s)); }},
      {"component", true, [](const std::string& s) { return run_component(as_bytes(s)); }},
      {"wat", false, [](const std::string& s) { return run_wat(s); }},
      {"wast", false, [](const std::string& s) { return run_wast(s); }},
      {"cwat", false, [](const std::string& s) { return run_component_wat(s); }},
      {"cwast", false, [](const std::string& s) { return run_component_wast(s); }},
      {"yaml", false, [scratch](const std::string& s) { return run_yaml(s, scratch); }},
      {"json", false, [](const std::string& s) { return run_json(s); }},
      {"http-response", false, [](const std::string& s) { return run_http_response(s); }},
      {"http-chunked", false, [](const std::string& s) { return run_http_chunked(s); }},
  };
}

// Seeds of a target as strings (binaries byte for byte).
std::vector<std::string> seeds_for(const Seeds& s, const std::string& name) {
  auto bins = [](const std::vector<std::vector<uint8_t>>& v) {
    std::vector<std::string> out;
    for (const auto& b : v) out.emplace_back(b.begin(), b.end());
    return out;
  };
  if (name == "core") return bins(s.core);
  if (name == "component") return bins(s.component);
  if (name == "wat") return s.wat;
  if (name == "wast") return s.wast;
  if (name == "cwat") return s.cwat;
  if (name == "cwast") return s.cwast;
  if (name == "http-response") return s.http_response;
  if (name == "http-chunked") return s.http_chunked;
  if (name == "json") return {"[1,2,{\"a\":null,\"b\":[true,false]}]", "{\"k\":\"v\\u00e9\",\"n\":-1.5e3}", "18446744073709551615"};
  return s.yaml;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path make_scratch() {
  std::string tmpl = (fs::temp_directory_path() / "wippy-fuzz-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    perror("mkdtemp");
    std::exit(2);
  }
  return tmpl;
}

const Target* find_target(const std::vector<Target>& ts, const std::string& name) {
  for (const Target& t : ts)
    if (t.name == name) return &t;
  fprintf(stderr, "wippy-fuzz: unknown target %s\n", name.c_str());
  std::exit(2);
}

// Arms the per-input watchdog (0 disarms it): `seconds` of this process's
// CPU time, and ten times that of wall-clock time as a backstop.
void arm_watchdog(unsigned seconds) {
  itimerval cpu{};
  cpu.it_value.tv_sec = time_t(seconds);
  setitimer(ITIMER_PROF, &cpu, nullptr);
  alarm(seconds * 10);
}

// True when running `input` in a child process dies (signal or non-zero exit).
bool crashes_in_child(const Target& t, const std::string& input, unsigned timeout) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    signal(SIGALRM, SIG_DFL);
    signal(SIGPROF, SIG_DFL);
    arm_watchdog(timeout);
    (void)t.run(input);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int minimize(const Target& t, std::string input, const fs::path& out, unsigned timeout) {
  if (!crashes_in_child(t, input, timeout)) {
    fprintf(stderr, "wippy-fuzz: the input does not crash\n");
    return 1;
  }
  for (size_t chunk = input.size() / 2; chunk >= 1; chunk /= 2) {
    for (size_t pos = 0; pos < input.size();) {
      std::string cand = input.substr(0, pos) + input.substr(std::min(input.size(), pos + chunk));
      if (crashes_in_child(t, cand, timeout))
        input = std::move(cand);
      else
        pos += chunk;
    }
  }
  std::ofstream(out, std::ios::binary) << input;
  fprintf(stderr, "wippy-fuzz: minimised to %zu bytes in %s\n", input.size(), out.c_str());
  return 0;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  uint64_t iters = 1000;
  double seconds = 0;
  unsigned timeout = 20;
  bool quiet = false;
  bool deep = false, on_fiber = false;
  uint64_t save_iter = UINT64_MAX;
  std::string target_list = "core,component,wat,wast,cwat,cwast,yaml";
  fs::path crash_dir = ".";
  Seeds seeds;
  fs::path scratch = make_scratch();
  std::vector<Target> targets = all_targets(scratch);
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  };

  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fprintf(stderr, "wippy-fuzz: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seed") seed = std::strtoull(next().c_str(), nullptr, 0);
    else if (a == "--iters") iters = std::strtoull(next().c_str(), nullptr, 0);
    else if (a == "--seconds") seconds = std::strtod(next().c_str(), nullptr);
    else if (a == "--timeout") timeout = unsigned(std::strtoul(next().c_str(), nullptr, 0));
    else if (a == "--targets") target_list = next();
    else if (a == "--crash-dir") crash_dir = next();
    else if (a == "--core-suite") add_core_suite(seeds, next());
    else if (a == "--component-suite") add_component_suite(seeds, next());
    else if (a == "--files") add_files(seeds, next());
    else if (a == "--quiet") quiet = true;
    else if (a == "--deep") deep = on_fiber = true;
    else if (a == "--fiber") on_fiber = true;
    else if (a == "--save") save_iter = std::strtoull(next().c_str(), nullptr, 0);
    else if (a == "--replay" && i + 2 < argc) {
      const Target* t = find_target(targets, argv[i + 1]);
      std::string input = slurp(argv[i + 2]);
      install_handlers();
      printf("%s\n", t->run(input).c_str());
      cleanup();
      return 0;
    } else if (a == "--emit-deep" && i + 3 < argc) {
      std::string shape = argv[i + 1];
      uint32_t depth = uint32_t(std::strtoul(argv[i + 2], nullptr, 0));
      std::string out;
      if (shape == "types") {
        out = deep_option_types(depth);
      } else if (shape == "func") {
        auto bin = wippy::component::component_wat_to_binary(deep_option_func_text(depth));
        if (!bin) {
          fprintf(stderr, "wippy-fuzz: %s\n", bin.error().message.c_str());
          return 1;
        }
        out.assign(bin->begin(), bin->end());
      } else if (shape == "json") {
        out = deep_json_array(depth);
      } else {
        fprintf(stderr, "wippy-fuzz: unknown shape %s\n", shape.c_str());
        return 2;
      }
      std::ofstream(argv[i + 3], std::ios::binary) << out;
      cleanup();
      return 0;
    } else if (a == "--minimize" && i + 3 < argc) {
      const Target* t = find_target(targets, argv[i + 1]);
      int rc = minimize(*t, slurp(argv[i + 2]), argv[i + 3], timeout);
      cleanup();
      return rc;
    } else {
      fprintf(stderr, "wippy-fuzz: unknown argument %s (see the header of tests/fuzz/fuzz_main.cpp)\n",
              a.c_str());
      return 2;
    }
  }
  add_builtin_yaml(seeds);
  add_builtin_http(seeds);
  if (deep && target_list == "core,component,wat,wast,cwat,cwast,yaml") target_list = "core,component,wat,cwat,json,yaml";

  struct Active {
    const Target* target;
    std::vector<std::string> seeds;
    std::map<std::string, uint64_t> outcomes;
  };
  std::vector<Active> active;
  for (const std::string& name : split(target_list, ',')) {
    Active a{find_target(targets, name), seeds_for(seeds, name), {}};
    if (deep) a.seeds = {""};  // inputs are generated
    if (a.seeds.empty()) {
      fprintf(stderr, "wippy-fuzz: no seeds for target %s, skipped\n", name.c_str());
      continue;
    }
    if (!quiet) fprintf(stderr, "wippy-fuzz: %s: %zu seeds\n", name.c_str(), a.seeds.size());
    active.push_back(std::move(a));
  }
  if (active.empty()) {
    fprintf(stderr, "wippy-fuzz: nothing to do\n");
    cleanup();
    return 2;
  }

  install_handlers();
  auto loop_owner = wippy::testing::loop_or_exit();  // 64 KiB fiber stacks (LoopOptions' default)
  wippy::disp::Loop& loop = *loop_owner;
  auto run_input = [&](const Target& t, const std::string& input) {
    bool thread_only = deep && (t.name == "wat" || t.name == "yaml");
    if (!on_fiber || thread_only) return t.run(input);
    std::string outcome;
    loop.spawn([&] { outcome = t.run(input); });
    loop.run();
    return outcome;
  };
  auto t0 = std::chrono::steady_clock::now();
  uint64_t done = 0;
  for (uint64_t i = 0; i < iters; ++i) {
    if (seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > seconds)
      break;
    Active& a = active[i % active.size()];
    Rng rng(seed * 0x100000001B3ull ^ (i + 1) * 0x9E3779B97F4A7C15ull);
    std::string input = a.seeds[rng.below(a.seeds.size())];
    const std::string& donor = a.seeds[rng.below(a.seeds.size())];
    if (deep) {
      input = deep_input(a.target->name, rng);
    } else if (a.target->binary) {
      std::vector<uint8_t> b(input.begin(), input.end());
      mutate_binary(b, std::vector<uint8_t>(donor.begin(), donor.end()), rng);
      input.assign(b.begin(), b.end());
    } else if (a.target->name.rfind("http-", 0) == 0) {
      mutate_http(input, donor, rng);
    } else {
      mutate_text(input, donor, rng);
    }
    snprintf(g_current.path, sizeof g_current.path, "%s/crash-%s-%llu-%llu", crash_dir.c_str(),
             a.target->name.c_str(), (unsigned long long)seed, (unsigned long long)i);
    g_current.data = input.data();
    g_current.size = input.size();
    if (i == save_iter) {
      dump_current();
      g_current.data = input.data();
    }
    arm_watchdog(timeout);
    std::string outcome = run_input(*a.target, input);
    arm_watchdog(0);
    g_current.data = nullptr;
    ++a.outcomes[outcome];
    ++done;
    if (!quiet && done % 1000 == 0) fprintf(stderr, "wippy-fuzz: %llu inputs\n", (unsigned long long)done);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("wippy-fuzz: seed %llu, %llu inputs in %.1f s, no crashes\n", (unsigned long long)seed,
         (unsigned long long)done, secs);
  for (const Active& a : active) {
    printf("  %-9s", a.target->name.c_str());
    for (const auto& [k, n] : a.outcomes) printf(" %s=%llu", k.c_str(), (unsigned long long)n);
    printf("\n");
  }
  cleanup();
  return 0;
}
