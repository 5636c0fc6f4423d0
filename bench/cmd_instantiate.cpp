// cmd_instantiate.cpp — `wippy-bench instantiate`: what loading a component
// costs against what one more instance of an already-loaded one costs.
// For each file (--file PATH, else the hello command component
// <build>/tests/guests/hello.component.wasm and the componentize-js
// component <build>/tests/http/fetch.component.wasm, those present):
//   decode     component::decode_component of the bytes in memory;
//   validate   component::validate_component;
//   instantiate  a fresh Store and WasiCtx and WasiHost::instantiate of the
//              loaded component through its WasiHost (the WASI linker,
//              built once as a Program's is): the median of --runs
//              (default 50) repetitions after the first;
//   first      the first instantiation (compiles nothing: code is lazy);
//   ctx        of a further instance, the part spent making its WasiCtx
//              and Store (median), before instantiate;
//   pooled     a further instance whose Store takes its memories from a
//              MemoryPool the earlier pooled instances gave theirs back
//              to (interp/memory_pool.h; median, measured alternately);
//   unshared   a further instance with a WasiHost built for it alone
//              (median, measured alternately with the shared one): what an
//              instance cost before linkers were shared;
//   first run  a fresh instance running wasi:cli/run#run once (arguments
//              `guest {"http":1}`: the fetch guest then runs no case; hello
//              ignores them), compiling what it calls;
//   warm run   the same again (median of --runs): code already compiled.
// --no-run leaves out the two run rows (and their runs), so that a profile
// of the command sees instantiation only; --no-unshared leaves out the
// unshared row, so that it sees shared-linker instances only.
// Reported (medians, ms and us) with the ratio of one instance to the whole
// load (decode + validate + first instance): how much a loaded component
// saves each further guest. Nothing is asserted.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "component/decode.h"
#include "component/linker.h"
#include "component/validate.h"
#include "exe_dir.h"
#include "hostfns/wasi.h"
#include "interp/memory_pool.h"
#include "timing.h"

namespace wippy::bench {

namespace {

// One fresh instance: Store, WasiCtx, instantiate through the component's
// WasiHost (its linker built once, as a Program's is). Returns ms, or < 0
// with the error printed; *ctx_ms: the part before instantiate.
double one_instance(const std::shared_ptr<const component::Component>& comp, const hostfns::WasiHost& host,
                    double* ctx_ms, const std::shared_ptr<MemoryPool>& pool = nullptr) {
  const double t0 = now_ms();
  hostfns::WasiCtx ctx;
  Store store;
  store.memory_pool = pool;
  *ctx_ms = now_ms() - t0;
  auto inst = host.instantiate(store, ctx, comp);
  if (!inst) {
    std::printf("FAIL instantiate: %s\n", inst.error().message.c_str());
    return -1;
  }
  return now_ms() - t0;
}

// One fresh instance with a WasiHost of its own (a linker per instance, as
// before linkers were shared): ms, or < 0.
double one_unshared_instance(const std::shared_ptr<const component::Component>& comp) {
  const double t0 = now_ms();
  hostfns::WasiHost host(hostfns::WasiPackages::for_imports(*comp));
  const double host_ms = now_ms() - t0;
  double ctx_ms = 0;
  const double inst_ms = one_instance(comp, host, &ctx_ms);  // its teardown is not counted
  return inst_ms < 0 ? -1 : host_ms + inst_ms;
}

// One fresh instance running the command. Returns ms, or < 0 with the
// error printed.
double one_run(const std::shared_ptr<const component::Component>& comp, const hostfns::WasiHost& host) {
  const double t0 = now_ms();
  hostfns::WasiCtx ctx;
  ctx.args = {"guest", "{\"http\":1}"};
  Store store;
  auto r = hostfns::run_wasi_command(store, comp, ctx, host);
  if (!r || *r != 0) {
    std::printf("FAIL run: %s\n", r ? ("exit " + std::to_string(*r)).c_str() : r.error().message.c_str());
    return -1;
  }
  return now_ms() - t0;
}

int bench_file(const std::string& path, int runs, bool no_run, bool no_unshared) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::printf("FAIL cannot read %s\n", path.c_str());
    return 1;
  }
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
  const double t0 = now_ms();
  auto decoded = component::decode_component(bytes);
  const double t1 = now_ms();
  if (!decoded) {
    std::printf("FAIL decode %s: %s\n", path.c_str(), decoded.error().message.c_str());
    return 1;
  }
  if (auto v = component::validate_component(*decoded); !v) {
    std::printf("FAIL validate %s: %s\n", path.c_str(), v.error().message.c_str());
    return 1;
  }
  const double t2 = now_ms();
  auto comp = std::make_shared<const component::Component>(std::move(*decoded));
  comp->memo->validated = true;
  const hostfns::WasiHost host(hostfns::WasiPackages::for_imports(*comp));
  double first = 0, first_run = 0;
  std::vector<double> each, pooled, warm, ctx_parts, hosts;
  double ctx_ms = 0;
  const auto pool = std::make_shared<MemoryPool>();
  first = one_instance(comp, host, &ctx_ms);
  for (int r = 0; r < runs && first >= 0; ++r) {
    each.push_back(one_instance(comp, host, &ctx_ms));
    if (each.back() < 0) return 1;
    pooled.push_back(one_instance(comp, host, &ctx_ms, pool));
    if (pooled.back() < 0) return 1;
    ctx_parts.push_back(ctx_ms);
    if (!no_unshared) {
      hosts.push_back(one_unshared_instance(comp));
      if (hosts.back() < 0) return 1;
    }
  }
  if (first < 0) return 1;
  if (!no_run) {
    first_run = one_run(comp, host);
    for (int r = 0; r < runs && first_run >= 0; ++r) {
      warm.push_back(one_run(comp, host));
      if (warm.back() < 0) return 1;
    }
    if (first_run < 0) return 1;
  }
  const double inst = median(each), load = (t1 - t0) + (t2 - t1) + first;
  std::printf("%s (%.2f MB, %zu core modules)\n", path.c_str(), double(bytes.size()) / 1e6,
              comp->core_modules.size());
  std::printf("  decode                      %10.2f ms %8.1f MB/s\n", t1 - t0,
              double(bytes.size()) / 1e3 / (t1 - t0));
  std::printf("  validate                    %10.2f ms %8.1f MB/s\n", t2 - t1,
              double(bytes.size()) / 1e3 / (t2 - t1));
  std::printf("  first instance              %10.2f ms\n", first);
  std::printf("  further instance (median)   %10.1f us\n", inst * 1000.0);
  std::printf("    of which WasiCtx + Store  %10.1f us\n", median(ctx_parts) * 1000.0);
  std::printf("  further instance, pooled    %10.1f us\n", median(pooled) * 1000.0);
  if (!no_unshared) std::printf("  instance, linker unshared   %10.1f us\n", median(hosts) * 1000.0);
  std::printf("  ratio instance / whole load %10.4f\n", load > 0 ? inst / load : 0.0);
  if (no_run) return 0;
  std::printf("  first run (instance + run)  %10.2f ms\n", first_run);
  std::printf("  warm run (median)           %10.2f ms\n", median(warm));
  std::printf("  cold load + first run       %10.2f ms\n", load - first + first_run);
  return 0;
}

}  // namespace

int cmd_instantiate(const Args& args) {
  const int runs = args.runs ? args.runs : 50;
  std::vector<std::string> files;
  if (!args.file.empty()) {
    files.push_back(args.file);
  } else {
    for (const char* rel : {"/../tests/guests/hello.component.wasm", "/../tests/http/fetch.component.wasm"})
      if (file_exists(exe_dir() + rel)) files.push_back(exe_dir() + rel);
  }
  if (files.empty()) {
    std::fprintf(stderr, "wippy-bench instantiate: no component found (build the tests, or pass --file)\n");
    return 1;
  }
  int status = 0;
  for (const std::string& f : files) status |= bench_file(f, runs, args.no_run, args.no_unshared);
  return status;
}

}  // namespace wippy::bench
