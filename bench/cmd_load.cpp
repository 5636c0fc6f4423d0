// cmd_load.cpp — `wippy-bench load`: generates a module of about --mb MB
// (default 10) in memory (module_gen.h) and measures, as the median of
// --runs repetitions (default 3): decode_module (as compile_module calls
// it: bodies left to validation), validate_module, and
// compiling every defined function to threaded code without running it
// (prepare_code + CompiledModule::get for each function, the interpreter's
// lazy compile path done eagerly). Throughput is module bytes / time.
// With --file COMPONENT it also loads that component (decoded and
// validated, as a registry entry is) cold, without the code cache, and
// warm, from a cache filled in a scratch directory first, and reports the
// ratio cold / warm of the medians; sha256 of the file is shown apart (a
// registry entry pays it either way).
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "commands.h"
#include "interp/decode/decode.h"
#include "interp/exec/code.h"
#include "interp/validate/validate.h"
#include "module_gen.h"
#include "runtime/component_cache.h"
#include "runtime/module_hash.h"
#include "timing.h"

namespace wippy::bench {

namespace {

struct LoadTimes {
  double decode = 0, validate = 0, compile = 0;
};

Result<LoadTimes> load_once(const std::vector<uint8_t>& bytes) {
  LoadTimes t;
  double t0 = now_ms();
  // As compile_module decodes: validation reads the bodies, not the decoder.
  auto decoded = decode_module(bytes, DecodeOptions{.scan_bodies = false});
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

int component_cold_warm(const std::string& file, int runs) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.empty()) {
    std::printf("FAIL cannot read %s\n", file.c_str());
    return 1;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "wippy-bench-cache-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::printf("FAIL cannot make a scratch directory\n");
    return 1;
  }
  CodeCache cache(tmpl);
  std::vector<double> hash, cold, miss, warm;
  std::string digest;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    digest = sha256_hex(bytes);
    double t1 = now_ms();
    auto c = load_component_cached(bytes, digest, nullptr);
    double t2 = now_ms();
    if (!c) {
      std::printf("FAIL %s\n", c.error().message.c_str());
      return 1;
    }
    hash.push_back(t1 - t0);
    cold.push_back(t2 - t1);
  }
  // `runs` timed loads through the cache into `times`, each of which must
  // end as `want` (else prints `FAIL <failure>` and returns false); with
  // `empty_first` the cache is emptied before each one.
  auto time_cached_loads = [&](std::vector<double>& times, CacheOutcome want, bool empty_first,
                               const char* failure) {
    for (int r = 0; r < runs; r++) {
      if (empty_first)
        for (const auto& e : std::filesystem::directory_iterator(tmpl)) std::filesystem::remove(e.path());
      CacheOutcome o{};
      double t0 = now_ms();
      auto m = load_component_cached(bytes, digest, &cache, &o);
      times.push_back(now_ms() - t0);
      if (!m || o != want) {
        std::printf("FAIL %s\n", failure);
        return false;
      }
    }
    return true;
  };
  if (!time_cached_loads(miss, CacheOutcome::Miss, true, "the first cached load was not a miss") ||
      !time_cached_loads(warm, CacheOutcome::Hit, false, "the cached load was not a hit"))
    return 1;
  std::filesystem::remove_all(tmpl);
  std::printf("component %s: %.2f MB; median of %d runs\n", file.c_str(), double(bytes.size()) / 1e6, runs);
  std::printf("  %-34s %9.1f ms\n", "sha256 of the file", median(hash));
  std::printf("  %-34s %9.1f ms\n", "cold: decode + validate, no cache", median(cold));
  std::printf("  %-34s %9.1f ms\n", "miss: cold + write the entry", median(miss));
  std::printf("  %-34s %9.1f ms\n", "warm: from the cache", median(warm));
  std::printf("  %-34s %9.2fx\n", "cold / warm", median(warm) > 0 ? median(cold) / median(warm) : 0.0);
  return 0;
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
  if (!args.file.empty()) return component_cold_warm(args.file, runs);
  return 0;
}

}  // namespace wippy::bench
