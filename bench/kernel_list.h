// kernel_list.h — the benchmark kernels known to wippy-bench: for each, its
// name (also the .wasm file's stem), what it exercises, the default `n`
// passed to run(n), and the natively compiled entry point built from the
// same C source (bench/kernels/<name>.c).
#pragma once
#include <span>

namespace wippy::bench {

using NativeRun = int (*)(int);

struct KernelInfo {
  const char* name;
  const char* what;
  int default_n;
  NativeRun native;
  bool has_selftest;  // run(-1) returns 1 when the kernel checks itself out
};

std::span<const KernelInfo> all_kernels();

}  // namespace wippy::bench
