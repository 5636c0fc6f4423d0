// wat_instance.cpp — see wat_instance.h.
#include "wat_instance.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "interp/compile_module.h"
#include "interp/text/wat.h"
#include "timing.h"

namespace wippy::bench {

Result<Instance*> instantiate_wat(Store& store, std::string_view wat) {
  auto bin = wat_to_wasm(wat);
  if (!bin) return bin.error();
  auto mod = compile_module(*bin);
  if (!mod) return mod.error();
  return instantiate(store, *mod, {});
}

Instance* instantiate_wat_or_report(Store& store, std::string_view wat) {
  auto inst = instantiate_wat(store, wat);
  if (!inst) {
    std::printf("FAIL load: %s\n", inst.error().message.c_str());
    return nullptr;
  }
  return *inst;
}

double median_call_ms(Store& store, FuncInst* f, const char* name, Value arg, uint64_t n, uint32_t want, int runs) {
  std::vector<double> ms;
  for (int i = 0; i <= runs; ++i) {
    const double t0 = now_ms();
    auto r = invoke(store, f, std::vector<Value>{arg});
    const double t = now_ms() - t0;
    if (!r || r->size() != 1 || (*r)[0].i32 != want) {
      std::printf("FAIL %s(%llu): %s\n", name, static_cast<unsigned long long>(n),
                  r ? "wrong result" : r.error().message.c_str());
      return -1;
    }
    if (i > 0) ms.push_back(t);
  }
  return median(ms);
}

double median_call_ms(Store& store, FuncInst* f, const char* name, uint32_t n, int runs) {
  return median_call_ms(store, f, name, val_i32(n), n, n, runs);
}

TimingArgs timing_args(const Args& args, uint64_t default_n) {
  return {args.runs > 0 ? args.runs : 3, args.n > 0 ? uint64_t(args.n) : default_n};
}

void print_timing_header(const char* command, const TimingArgs& t, const char* what) {
  std::printf("%s: n=%llu %s, median of %d runs\n", command, static_cast<unsigned long long>(t.n), what, t.runs);
}

Instance* start_timing(Store& store, std::string_view wat, const char* command, const TimingArgs& t,
                       const char* what) {
  Instance* inst = instantiate_wat_or_report(store, wat);
  if (inst) print_timing_header(command, t, what);
  return inst;
}

}  // namespace wippy::bench
