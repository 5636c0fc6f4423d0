// cmd_reset.cpp — `wippy-bench reset`: the cost of bringing a used instance
// back to its post-instantiation state, for warm pools (interp/snapshot.h).
// The module has a 16 MiB memory (256 pages) whose first 2 MiB its start
// function fills with a pattern (so the snapshot image is not empty), and a
// `dirty` export that writes one word into each of 41 OS pages spread evenly
// over the memory (1% of its 4096 4-KiB pages), half-way into each page.
// Reported as medians over --runs repetitions (default 200), in ns:
//   restore        StoreSnapshot::restore after a `dirty` call (only the
//                  restore is timed);
//   memcpy reset   copying a saved 16 MiB image back over the memory (the
//                  naive reset, for comparison);
//   instantiate    a fresh Store + instantiate (code prepared once, shared),
//                  and the Store's destruction;
//   and whole cycles: dirty + restore, dirty + memcpy, fresh instantiate +
//   dirty + destroy (the restore path pays its page faults inside `dirty`);
//   then restore alone with 0.1% (4) and 10% (410) of the pages dirtied, to
//   show the cost follows the dirtied pages, not the memory size.
// Every restore is checked: the dirtied words must read their image values
// again, or the command reports FAIL and exits 1.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "interp/compile_module.h"
#include "interp/snapshot.h"
#include "interp/text/wat.h"
#include "timing.h"

namespace wippy::bench {

namespace {

constexpr uint32_t kMemPages = 256;               // 16 MiB
constexpr uint32_t kOsPage = 4096;

// `pages` OS pages, `stride` bytes apart, starting at 0.
struct Spread {
  uint32_t pages, stride;
};
constexpr Spread kOnePercent{41, 100 * kOsPage};  // ceil(1% of 4096); 41 * stride < 16 MiB
constexpr Spread kOtherSpreads[] = {{4, 1024 * kOsPage}, {410, 9 * kOsPage}};  // 0.1%, 10%
constexpr uint32_t kInOffset = kOsPage / 2;

constexpr const char* kWat = R"((module
  (memory (export "mem") 256 256)
  (func $init (memory.fill (i32.const 0) (i32.const 0x5A) (i32.const 0x200000)))
  (start $init)
  ;; writes `value` at i * stride + 2048 for i in [0, n)
  (func (export "dirty") (param $n i32) (param $stride i32) (param $value i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store offset=2048 (i32.mul (local.get $i) (local.get $stride)) (local.get $value))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
))";

double now_ns() { return now_ms() * 1e6; }

struct Fixture {
  std::shared_ptr<const Module> module;
  std::shared_ptr<CompiledModule> code;
};

Result<Fixture> load_module() {
  auto bin = wat_to_wasm(kWat);
  if (!bin) return bin.error();
  auto mod = compile_module(*bin);
  if (!mod) return mod.error();
  Fixture f;
  f.module = std::move(*mod);
  f.code = prepare_code(f.module);
  return f;
}

Result<void> dirty(Store& store, FuncInst* fn, Spread sp, uint32_t value) {
  Value args[3] = {val_i32(sp.pages), val_i32(sp.stride), val_i32(value)};
  auto r = invoke(store, fn, args);
  if (!r) return r.error();
  return {};
}

// The word dirty() writes into page i, as the image has it.
uint32_t image_word(Spread sp, uint32_t i) {
  uint64_t off = uint64_t(i) * sp.stride + kInOffset;
  return off < 0x200000 ? 0x5A5A5A5Au : 0u;
}

bool words_match(const MemoryInst& m, Spread sp, bool expect_image, uint32_t value) {
  for (uint32_t i = 0; i < sp.pages; ++i) {
    uint32_t w;
    std::memcpy(&w, m.data + uint64_t(i) * sp.stride + kInOffset, 4);
    if (w != (expect_image ? image_word(sp, i) : value)) return false;
  }
  return m.size == uint64_t(kMemPages) * kPageSize;
}

// Times `runs` restores, each after a dirty() call over `sp` (iteration -1
// is a warm-up); false if a call, a restore or a check failed.
bool time_restores(Store& store, FuncInst* dirty_fn, const MemoryInst& mem, const StoreSnapshot& snap, Spread sp,
                   int runs, std::vector<double>& restore_ns, std::vector<double>& cycle_ns) {
  for (int r = -1; r < runs; ++r) {
    uint32_t value = 0xC0DE0000u + uint32_t(r);
    double t0 = now_ns();
    bool ok = dirty(store, dirty_fn, sp, value).ok();
    double t1 = now_ns();
    ok = ok && words_match(mem, sp, false, value);
    double t2 = now_ns();
    ok = ok && snap.restore(store).ok();
    double t3 = now_ns();
    if (!ok || !words_match(mem, sp, true, 0)) return false;
    if (r < 0) continue;
    restore_ns.push_back(t3 - t2);
    cycle_ns.push_back((t1 - t0) + (t3 - t2));
  }
  return true;
}

void report(const char* what, const std::vector<double>& ns) {
  std::printf("  %-34s median %12.0f ns\n", what, median(ns));
}

}  // namespace

int cmd_reset(const Args& args) {
  int runs = args.runs > 0 ? args.runs : 200;
  auto fx = load_module();
  if (!fx) {
    std::printf("FAIL module: %s\n", fx.error().message.c_str());
    return 1;
  }
  Store store;
  auto inst = instantiate(store, fx->module, {}, fx->code);
  if (!inst) {
    std::printf("FAIL instantiate: %s\n", inst.error().message.c_str());
    return 1;
  }
  FuncInst* dirty_fn = (*inst)->export_func("dirty");
  MemoryInst* mem = (*inst)->export_memory("mem");
  auto snap = StoreSnapshot::capture(store);
  if (!snap) {
    std::printf("FAIL capture: %s\n", snap.error().message.c_str());
    return 1;
  }
  std::vector<uint8_t> saved(mem->data, mem->data + mem->size);
  std::printf("wippy-bench reset: 16 MiB memory, %u of %u OS pages dirtied (1%%), image %llu KiB, median of %d\n",
              kOnePercent.pages, kMemPages * kPageSize / kOsPage, (unsigned long long)(snap->image_bytes() / 1024), runs);

  std::vector<double> restore_ns, memcpy_ns, inst_ns, drop_ns, cycle_restore, cycle_memcpy, cycle_fresh;
  // Each way in its own loop (the memcpy writes every page, which the next
  // restore would then have to drop).
  bool ok = time_restores(store, dirty_fn, *mem, *snap, kOnePercent, runs, restore_ns, cycle_restore);
  for (int r = -1; r < runs && ok; ++r) {
    uint32_t value = 0xC0DE0000u + uint32_t(r);
    double t0 = now_ns();
    ok = dirty(store, dirty_fn, kOnePercent, value).ok();
    double t1 = now_ns();
    std::memcpy(mem->data, saved.data(), saved.size());
    double t2 = now_ns();
    ok = ok && words_match(*mem, kOnePercent, true, 0);
    if (r < 0) continue;
    memcpy_ns.push_back(t2 - t1);
    cycle_memcpy.push_back(t2 - t0);
  }
  // The memcpy loop left every page written: restore once so the store is
  // clean again (and check it is).
  ok = ok && snap->restore(store).ok() && words_match(*mem, kOnePercent, true, 0);
  for (int r = -1; r < runs && ok; ++r) {
    uint32_t value = 0xC0DE0000u + uint32_t(r);
    double t0 = now_ns();
    auto fresh = std::make_unique<Store>();
    auto fi = instantiate(*fresh, fx->module, {}, fx->code);
    double t1 = now_ns();
    ok = fi.ok() && dirty(*fresh, (*fi)->export_func("dirty"), kOnePercent, value).ok();
    ok = ok && words_match(*(*fi)->export_memory("mem"), kOnePercent, false, value);
    double t2 = now_ns();
    fresh.reset();
    double t3 = now_ns();
    if (r < 0) continue;
    inst_ns.push_back(t1 - t0);
    drop_ns.push_back(t3 - t2);
    cycle_fresh.push_back(t3 - t0);
  }
  if (!ok) {
    std::printf("FAIL a reset did not bring the memory back to its image\n");
    return 1;
  }
  report("restore (snapshot, madvise)", restore_ns);
  report("memcpy reset of 16 MiB", memcpy_ns);
  report("fresh Store + instantiate", inst_ns);
  report("Store destruction", drop_ns);
  std::printf("  cycles (one `dirty` call plus the reset):\n");
  report("dirty + restore", cycle_restore);
  report("dirty + memcpy", cycle_memcpy);
  report("instantiate + dirty + destroy", cycle_fresh);
  std::printf("  restore with other dirty fractions:\n");
  for (Spread sp : kOtherSpreads) {
    std::vector<double> ns, cycle;
    if (!time_restores(store, dirty_fn, *mem, *snap, sp, runs, ns, cycle)) {
      std::printf("FAIL a restore did not bring the memory back to its image\n");
      return 1;
    }
    std::string what = "restore, " + std::to_string(sp.pages) + " pages dirty";
    report(what.c_str(), ns);
  }
  return 0;
}

}  // namespace wippy::bench
