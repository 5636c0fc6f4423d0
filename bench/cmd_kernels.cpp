// cmd_kernels.cpp — `wippy-bench kernels`: for every kernel (or those whose
// name contains --filter), run the natively compiled C and the same C
// compiled to wasm in the interpreter with the same n; the wasm checksum
// must equal the native one on every run. Reports the median of --runs
// timed calls (default 5, after one untimed warm-up call that also compiles
// lazily) for each side, their ratio, and the geometric mean of the ratios.
// Only the call to run(n) is timed: not loading, not instantiation.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "exe_dir.h"
#include "kernel_list.h"
#include "timing.h"
#include "wasm_kernel.h"

namespace wippy::bench {

namespace {

struct Outcome {
  bool ok = false;
  double interp_ms = 0, native_ms = 0;
};

Outcome bench_one(const KernelInfo& k, int n, int runs, const std::string& dir) {
  Outcome out;
  std::printf("%-12s %6d ", k.name, n);
  std::fflush(stdout);

  if (k.has_selftest && k.native(-1) != 1) {
    std::printf(" FAIL native self-test\n");
    return out;
  }
  int32_t expect = k.native(n);  // warm-up and reference checksum
  std::vector<double> native_ms;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    int32_t got = k.native(n);
    native_ms.push_back(now_ms() - t0);
    if (got != expect) {
      std::printf(" FAIL native checksum not stable (%d then %d)\n", expect, got);
      return out;
    }
  }

  std::string path = dir + "/" + k.name + ".wasm";
  auto wk = WasmKernel::load(path);
  if (!wk) {
    std::printf(" FAIL %s\n", wk.error().message.c_str());
    return out;
  }
  if (k.has_selftest) {
    auto st = (*wk)->run(-1);
    if (!st || *st != 1) {
      std::printf(" FAIL wasm self-test %s\n", st ? "returned 0" : st.error().message.c_str());
      return out;
    }
  }
  std::vector<double> interp_ms;
  for (int r = -1; r < runs; r++) {  // r == -1: warm-up
    double t0 = now_ms();
    auto got = (*wk)->run(n);
    double dt = now_ms() - t0;
    if (!got) {
      std::printf(" FAIL %s\n", got.error().message.c_str());
      return out;
    }
    if (*got != expect) {
      std::printf(" FAIL checksum %d, native %d\n", *got, expect);
      return out;
    }
    if (r >= 0) interp_ms.push_back(dt);
  }

  out.ok = true;
  out.interp_ms = median(interp_ms);
  out.native_ms = median(native_ms);
  double ratio = out.interp_ms / (out.native_ms > 1e-6 ? out.native_ms : 1e-6);
  std::printf("%11.1f %11.2f %8.1fx  ok %08x\n", out.interp_ms, out.native_ms, ratio, uint32_t(expect));
  return out;
}

}  // namespace

int cmd_kernels(const Args& args) {
  int runs = args.runs > 0 ? args.runs : 5;
  std::string dir = args.dir.empty() ? exe_dir() + "/kernels" : args.dir;
  std::printf("wippy-bench kernels: median of %d runs; wasm from %s\n", runs, dir.c_str());
  std::printf("%-12s %6s %11s %11s %9s  %s\n", "kernel", "n", "interp ms", "native ms", "ratio", "checksum");

  std::vector<double> ratios;
  int selected = 0, failed = 0;
  for (const KernelInfo& k : all_kernels()) {
    if (!args.filter.empty() && std::string(k.name).find(args.filter) == std::string::npos) continue;
    selected++;
    Outcome o = bench_one(k, args.n > 0 ? args.n : k.default_n, runs, dir);
    if (!o.ok) {
      failed++;
      continue;
    }
    ratios.push_back(o.interp_ms / (o.native_ms > 1e-6 ? o.native_ms : 1e-6));
  }
  if (selected == 0) {
    std::fprintf(stderr, "wippy-bench: no kernel matches \"%s\"\n", args.filter.c_str());
    return 2;
  }
  if (!ratios.empty())
    std::printf("geometric mean ratio (interp / native): %.1fx over %zu kernel(s)\n",
                geometric_mean(ratios), ratios.size());
  if (failed) std::printf("%d kernel(s) FAILED\n", failed);
  return failed ? 1 : 0;
}

}  // namespace wippy::bench
