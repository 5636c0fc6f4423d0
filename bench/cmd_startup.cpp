// cmd_startup.cpp — `wippy-bench startup`: writes a hello-world-ish module
// as text (hello.wat) and as binary (hello.wasm, via wat_to_wasm) into a
// fresh temporary directory, then spawns `wippy-run run FILE --invoke main`
// --runs times (default 20) for each and reports the median and minimum
// wall time from spawn to exit. wippy-run is looked up next to the build
// tree (<dir of wippy-bench>/../cli/wippy-run) unless --wippy-run is given.
// Output of wippy-run goes to a file in the temporary directory; every run
// must exit with status 0 and the first must print the result, 1170, or the
// measurement is reported as failed.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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
  std::remove(wat.c_str());
  std::remove(wasm.c_str());
  std::remove(log.c_str());
  rmdir(dir.c_str());
  return ok ? 0 : 1;
}

}  // namespace wippy::bench
