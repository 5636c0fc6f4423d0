// cmd_startup.cpp — `wippy-bench startup`: writes a hello-world-ish module
// as text (hello.wat) and as binary (hello.wasm, via wat_to_wasm) into a
// fresh temporary directory, then spawns `wippy-run run FILE --invoke main`
// --runs times (default 20) for each and reports the median and minimum
// wall time from spawn to exit. wippy-run is looked up next to the build
// tree (<dir of wippy-bench>/../cli/wippy-run) unless --wippy-run is given.
// Output of wippy-run goes to a file in the temporary directory; every run
// must exit with status 0 and the first must print the result, 1170, or the
// measurement is reported as failed.
// Then the hello command component (examples/hello, built with
// -Dexamples=enabled; --dir names another directory holding
// hello_cmd.component.wasm and hello_cmd.core.wasm), from a warmed cache in
// the temporary directory, against /bin/true and, given --wasm3 PATH or
// $WASM3 (built as bench/peers.sh says), wasm3 running the same C program
// as a preview1 module: the three are run in turn, --runs rounds (default
// 20), and each reported as its median wall time, net of /bin/true's, and
// as a ratio to wasm3's. Every run must exit with status 0 and print a
// line starting "Hello,". A missing component is a note, not a failure.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.h"
#include "exe_dir.h"
#include "interp/text/wat.h"
#include "timing.h"
#include "wasm_kernel.h"

extern char** environ;

namespace wippy::bench {

namespace {

constexpr const char* kHelloWat = R"((module
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, world\n")
  ;; main: the sum of the bytes of the greeting (1170)
  (func (export "main") (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 13)))
        (local.set $sum (i32.add (local.get $sum)
                                 (i32.load8_u offset=16 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
)";

bool write_file(const std::string& path, const void* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

// Runs argv with stdout/stderr to `log`; returns the exit status (or -1 if
// it could not be spawned or did not exit normally) and the wall time.
int spawn_and_wait(const std::vector<std::string>& argv, const std::string& log, double& ms) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  double t0 = now_ms();
  pid_t pid;
  int rc = posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  ms = now_ms() - t0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string first_line(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) return "";
  std::string s(bytes->begin(), bytes->end());
  size_t nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// Returns false if the first run failed.
bool measure(const std::string& runner, const std::string& file, const std::string& log, int runs) {
  std::vector<std::string> argv = {runner, "run", file, "--invoke", "main"};
  std::vector<double> times;
  for (int r = 0; r < runs; r++) {
    double ms = 0;
    int status = spawn_and_wait(argv, log, ms);
    if (status != 0) {
      std::printf("  %-12s FAIL: exit status %d: %s\n", file.substr(file.rfind('/') + 1).c_str(), status,
                  first_line(log).c_str());
      return false;
    }
    if (r == 0 && first_line(log).find("1170") == std::string::npos) {
      std::printf("  %-12s FAIL: expected the result 1170, got: %s\n", file.substr(file.rfind('/') + 1).c_str(),
                  first_line(log).c_str());
      return false;
    }
    times.push_back(ms);
  }
  double lo = times[0];
  for (double t : times) lo = t < lo ? t : lo;
  std::printf("  %-12s median %7.2f ms   min %7.2f ms   (output: %s)\n",
              file.substr(file.rfind('/') + 1).c_str(), median(times), lo, first_line(log).c_str());
  return true;
}

struct Runner {
  std::string name;
  std::vector<std::string> argv;
  std::vector<double> times;
};

// The hello command against /bin/true and wasm3, in turn; false on a failed run.
bool measure_hello(const std::string& wippy_run, const std::string& wasm3, const std::string& hello_dir,
                   const std::string& tmp, int runs) {
  std::string component = hello_dir + "/hello_cmd.component.wasm", core = hello_dir + "/hello_cmd.core.wasm";
  if (!file_exists(component)) {
    std::printf("note: %s not found (build with -Dexamples=enabled, or give --dir); no hello command rows\n",
                component.c_str());
    return true;
  }
  std::string log = tmp + "/hello.txt", cache = tmp + "/cache";
  std::vector<Runner> runners = {{"/bin/true", {"/bin/true"}, {}},
                                 {"wippy-run", {wippy_run, "run", "--cache-dir", cache, component}, {}}};
  if (!wasm3.empty() && file_exists(core)) runners.push_back({"wasm3", {wasm3, core}, {}});
  double ms = 0;
  if (spawn_and_wait(runners[1].argv, log, ms) != 0) {  // fills the cache
    std::printf("  hello command FAIL: %s\n", first_line(log).c_str());
    return false;
  }
  for (int r = 0; r < runs; r++) {
    for (Runner& run : runners) {
      int status = spawn_and_wait(run.argv, log, ms);
      if (status != 0 || (run.name != "/bin/true" && first_line(log).rfind("Hello,", 0) != 0)) {
        std::printf("  hello command: %s FAIL: exit status %d: %s\n", run.name.c_str(), status, first_line(log).c_str());
        return false;
      }
      run.times.push_back(ms);
    }
  }
  std::printf("hello command component (%s) from the cache, %d rounds in turn, median wall:\n", component.c_str(),
              runs);
  double base = median(runners[0].times);
  double peer = runners.size() > 2 ? median(runners[2].times) - base : 0;
  for (Runner& run : runners) {
    double m = median(run.times);
    std::printf("  %-10s median %7.2f ms   net of /bin/true %7.2f ms", run.name.c_str(), m, m - base);
    if (peer > 0 && &run != &runners[0]) std::printf("   %5.2fx wasm3", (m - base) / peer);
    std::printf("\n");
  }
  if (runners.size() < 3) std::printf("  (no wasm3: give --wasm3 PATH or set WASM3)\n");
  return true;
}

}  // namespace

int cmd_startup(const Args& args) {
  int runs = args.runs > 0 ? args.runs : 20;
  std::string runner = args.wippy_run.empty() ? exe_dir() + "/../cli/wippy-run" : args.wippy_run;
  if (!file_exists(runner)) {
    std::printf("FAIL wippy-run not found at %s (use --wippy-run PATH)\n", runner.c_str());
    return 1;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/wippy-bench-XXXXXX";
  std::vector<char> dirbuf(tmpl.begin(), tmpl.end());
  dirbuf.push_back(0);
  if (!mkdtemp(dirbuf.data())) {
    std::printf("FAIL cannot create a temporary directory from %s\n", tmpl.c_str());
    return 1;
  }
  std::string dir = dirbuf.data();
  std::string wat = dir + "/hello.wat", wasm = dir + "/hello.wasm", log = dir + "/output.txt";

  bool ok = write_file(wat, kHelloWat, std::string(kHelloWat).size());
  auto binary = wat_to_wasm(kHelloWat);
  bool have_wasm = false;
  if (!binary) {
    std::printf("note: wat_to_wasm failed (%s); timing hello.wat only\n", binary.error().message.c_str());
  } else {
    have_wasm = ok = ok && write_file(wasm, binary->data(), binary->size());
  }
  std::printf("wippy-bench startup: %s run FILE --invoke main, median of %d runs\n", runner.c_str(), runs);
  if (ok) {
    ok = measure(runner, wat, log, runs);
    if (have_wasm) ok = measure(runner, wasm, log, runs) && ok;
  } else {
    std::printf("FAIL cannot write files in %s\n", dir.c_str());
  }
  const char* env_wasm3 = std::getenv("WASM3");
  std::string wasm3 = !args.wasm3.empty() ? args.wasm3 : env_wasm3 ? env_wasm3 : "";
  std::string hello_dir = args.dir.empty() ? exe_dir() + "/../examples/hello" : args.dir;
  ok = measure_hello(runner, wasm3, hello_dir, dir, runs) && ok;
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}

}  // namespace wippy::bench
