// cmd_load.cpp — `wippy-bench load`: generates a module of about --mb MB
// (default 10) in memory (module_gen.h) and measures, as the median of
// --runs repetitions (default 3): decode_module, validate_module, and
// compiling every defined function to threaded code without running it
// (prepare_code + CompiledModule::get for each function, the interpreter's
// lazy compile path done eagerly). Throughput is module bytes / time.
#include <cstdio>
#include <memory>
#include <vector>

#include "commands.h"
#include "interp/decode/decode.h"
#include "interp/exec/code.h"
#include "interp/validate/validate.h"
#include "module_gen.h"
#include "timing.h"

namespace wippy::bench {

namespace {

struct LoadTimes {
  double decode = 0, validate = 0, compile = 0;
};

Result<LoadTimes> load_once(const std::vector<uint8_t>& bytes) {
  LoadTimes t;
  double t0 = now_ms();
  auto decoded = decode_module(bytes);
  double t1 = now_ms();
  if (!decoded) return make_error(decoded.error().kind, "decode: " + decoded.error().message);
  auto module = std::make_shared<const Module>(std::move(*decoded));
  double t2 = now_ms();
  auto valid = validate_module(*module);
  double t3 = now_ms();
  if (!valid) return make_error(valid.error().kind, "validate: " + valid.error().message);
  std::shared_ptr<CompiledModule> code = prepare_code(module);
  for (uint32_t i = 0; i < module->funcs.size(); i++) {
    auto f = code->get(i);
    if (!f) return make_error(f.error().kind, "compile function " + std::to_string(i) + ": " + f.error().message);
  }
  double t4 = now_ms();
  t.decode = t1 - t0;
  t.validate = t3 - t2;
  t.compile = t4 - t3;
  return t;
}

}  // namespace

int cmd_load(const Args& args) {
  int runs = args.runs > 0 ? args.runs : 3;
  double t0 = now_ms();
  GeneratedModule gen = generate_module(size_t(args.mb * 1e6));
  double gen_ms = now_ms() - t0;
  double mb = double(gen.bytes.size()) / 1e6;
  std::printf("wippy-bench load: generated %.2f MB, %u functions in %.0f ms; median of %d runs\n", mb,
              gen.num_funcs, gen_ms, runs);

  std::vector<double> dec, val, comp, dv, all;
  for (int r = 0; r < runs; r++) {
    auto t = load_once(gen.bytes);
    if (!t) {
      std::printf("FAIL %s\n", t.error().message.c_str());
      return 1;
    }
    dec.push_back(t->decode);
    val.push_back(t->validate);
    comp.push_back(t->compile);
    dv.push_back(t->decode + t->validate);
    all.push_back(t->decode + t->validate + t->compile);
  }
  auto line = [&](const char* what, const std::vector<double>& ms) {
    double m = median(ms);
    std::printf("  %-34s %9.1f ms %9.1f MB/s\n", what, m, m > 0 ? mb / (m / 1000.0) : 0.0);
  };
  line("decode", dec);
  line("validate", val);
  line("compile all functions", comp);
  line("decode + validate", dv);
  line("decode + validate + compile all", all);
  return 0;
}

}  // namespace wippy::bench
