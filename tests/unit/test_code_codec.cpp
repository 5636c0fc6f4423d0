// The code cache's compiled functions (interp/cache/code_codec.h): code
// compiled here, encoded and adopted into a fresh CompiledModule, is the
// same code relocated into one block and runs the same; the words the
// compiler names as handler and target words are all of its addresses;
// damaged entries are refused whole; and a component loaded from the cache
// gets the code of the functions compiled before the entry was saved.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "component/decode.h"
#include "interp/cache/code_codec.h"
#include "interp/exec/code.h"
#include "runtime/code_cache.h"
#include "runtime/component_cache.h"
#include "runtime/module_hash.h"
#include "tests/unit/fixtures.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/wat_module.h"

using namespace wippy;
namespace fs = std::filesystem;

namespace {

constexpr const char* kWat = R"((module
  (tag $e (param i32))
  (memory 1)
  (table 2 funcref)
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $thrower (local.get 0)))
      (i32.const -1)))
  (func (export "loop") (param i32) (result i32) (local i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (call_indirect (param i32) (result i32) (local.get 0) (i32.const 1))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $l)))
    (local.get 1))
  (func (export "switch") (param i32) (result i32)
    (block $c (block $b (block $a (br_table $a $b $c (local.get 0)))
      (return (i32.const 10))) (return (i32.const 20))) (i32.const 30))
  (func (export "mem") (param i32) (result i32)
    (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 0))
    (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 4))))
  (func (export "simd") (param i32) (result i32)
    (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
  (elem (i32.const 1) $sq))
)";

// Every defined function of `m`, compiled.
std::shared_ptr<CompiledModule> compile_all(std::shared_ptr<const Module> m) {
  auto cm = prepare_code(std::move(m));
  for (uint32_t i = 0; i < cm->module->funcs.size(); ++i) REQUIRE(cm->get(i).ok());
  return cm;
}

// The results of the kWat exports, run on `code`.
std::vector<uint32_t> run_all(std::shared_ptr<const Module> m, std::shared_ptr<CompiledModule> code) {
  Store s;
  auto inst = instantiate(s, m, {}, std::move(code));
  REQUIRE(inst.ok());
  std::vector<uint32_t> out;
  out.push_back(testing::call_i32(s, *inst, "catch", {val_i32(7)}));
  out.push_back(testing::call_i32(s, *inst, "loop", {val_i32(3)}));
  for (int k : {0, 1, 2, 5}) out.push_back(testing::call_i32(s, *inst, "switch", {val_i32(k)}));
  out.push_back(testing::call_i32(s, *inst, "mem", {val_i32(5)}));
  out.push_back(testing::call_i32(s, *inst, "simd", {val_i32(5)}));
  return out;
}

// Checks that the handler and target words `f` names are the only words
// holding a handler's address or an address inside its own code.
void check_addresses_named(const exec::CompiledFunc& f) {
  static const std::unordered_set<const void*> labels = [] {
    std::unordered_set<const void*> s;
    for (size_t i = 0; i < size_t(exec::H::Count_); ++i) s.insert(exec::handler_labels()[i]);
    return s;
  }();
  const auto* b = f.code.data();
  size_t si = 0, ti = 0;
  for (size_t i = 0; i < f.code.size(); ++i) {
    const auto& w = f.code[i];
    const bool start = si < f.starts.size() && f.starts[si] == i;
    const bool target = ti < f.targets.size() && f.targets[ti] == i;
    si += start, ti += target;
    CHECK(!(start && target));
    if (start) {
      CHECK(labels.count(w.h) == 1);
    } else if (target) {
      CHECK(w.target >= b);
      CHECK(w.target < b + f.code.size());
    } else {
      CHECK(labels.count(w.h) == 0);
      CHECK(!(w.target >= b && w.target <= b + f.code.size()));
    }
  }
  CHECK(si == f.starts.size());
  CHECK(ti == f.targets.size());
}

}  // namespace

TEST_CASE("code codec: compiled functions come back relocated into one block, and run the same") {
  auto m = testing::compile_wat_module(kWat);
  auto cm = compile_all(m);
  const std::vector<uint8_t> enc = encode_code(*cm);
  auto back = prepare_code(m);
  REQUIRE(adopt_cached_code(*back, enc));
  REQUIRE(compiled_count(*back) == m->funcs.size());
  REQUIRE(back->blocks.size() == 1);
  const uint8_t* lo = back->blocks[0].data();
  const uint8_t* hi = lo + back->blocks[0].size();
  for (uint32_t i = 0; i < m->funcs.size(); ++i) {
    const exec::CompiledFunc& a = **cm->get(i);
    const exec::CompiledFunc& b = **back->get(i);  // the adopted code: nothing compiles
    CHECK(reinterpret_cast<const uint8_t*>(b.code.data()) >= lo);
    CHECK(reinterpret_cast<const uint8_t*>(b.code.data() + b.code.size()) <= hi);
    CHECK(reinterpret_cast<uintptr_t>(b.code.data()) % exec::kCacheLine == 0);
    CHECK(a.nparams == b.nparams);
    CHECK(a.nlocals == b.nlocals);
    CHECK(a.nresults == b.nresults);
    CHECK(a.frame_size == b.frame_size);
    CHECK(a.starts == b.starts);
    CHECK(a.targets == b.targets);
    CHECK(a.handlers.size() == b.handlers.size());
    REQUIRE(a.code.size() == b.code.size());
    size_t ti = 0;
    for (size_t k = 0; k < a.code.size(); ++k) {
      if (ti < a.targets.size() && a.targets[ti] == k) {
        ++ti;
        CHECK(a.code[k].target - a.code.data() == b.code[k].target - b.code.data());
      } else {
        CHECK(a.code[k].u64 == b.code[k].u64);
      }
    }
    check_addresses_named(b);
  }
  CHECK(encode_code(*back) == enc);
  const std::vector<uint32_t> want = {7, 14, 10, 20, 30, 30, 10, 8};
  CHECK(run_all(m, cm) == want);
  CHECK(run_all(m, back) == want);
  CHECK(compiled_count(*back) == m->funcs.size());  // still: the calls compiled nothing
}

TEST_CASE("code codec: the compiler names every address in the code of real C programs") {
  for (const char* name : {"hello.component.wasm", "wasi_probe.component.wasm"}) {
    CAPTURE(name);
    auto bytes = testing::load_fixture(name);
    REQUIRE(!bytes.empty());
    auto comp = component::decode_component(std::span<const uint8_t>(bytes));
    REQUIRE(comp.ok());
    size_t funcs = 0;
    for (const auto& m : comp->core_modules) {
      auto cm = compile_all(m);
      for (uint32_t i = 0; i < m->funcs.size(); ++i) check_addresses_named(**cm->get(i));
      funcs += m->funcs.size();
    }
    CHECK(funcs > 50);
  }
}

TEST_CASE("code codec: a damaged entry is refused whole and installs nothing") {
  auto m = testing::compile_wat_module(kWat);
  auto cm = compile_all(m);
  const std::vector<uint8_t> enc = encode_code(*cm);
  auto refused = [&](const std::vector<uint8_t>& bytes) {
    auto fresh = prepare_code(m);
    bool ok = adopt_cached_code(*fresh, bytes);
    return !ok && compiled_count(*fresh) == 0;
  };
  // Every truncation, and an extra byte.
  for (size_t n = 0; n < enc.size(); n += 1 + n / 64) {
    CAPTURE(n);
    CHECK(refused(std::vector<uint8_t>(enc.begin(), enc.begin() + long(n))));
  }
  auto longer = enc;
  longer.push_back(0);
  CHECK(refused(longer));

  // The first function's layout: count, index, 4 frame fields, then its starts and targets.
  const exec::CompiledFunc& f0 = **cm->get(0);
  const size_t starts_at = 4 + 4 + 16 + 4, targets_at = starts_at + 4 * f0.starts.size() + 4;
  const size_t words_at = targets_at + 4 * f0.targets.size() + 4;
  auto put32 = [](std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k));
  };
  SUBCASE("a function index past the module's") {
    auto b = enc;
    put32(b, 4, uint32_t(m->funcs.size()));
    CHECK(refused(b));
  }
  SUBCASE("a handler id past the last handler") {
    auto b = enc;
    put32(b, words_at, uint32_t(exec::H::Count_));
    CHECK(refused(b));
  }
  SUBCASE("an instruction start that is not ascending") {
    REQUIRE(f0.starts.size() >= 2);
    auto b = enc;
    put32(b, starts_at + 4, 0);
    CHECK(refused(b));
  }
  SUBCASE("a frame too small for its parameters") {
    auto b = enc;
    put32(b, 4 + 16, 0);  // frame_size
    CHECK(refused(b));
  }
  SUBCASE("a jump into an operand") {
    // A function with a jump: its first target word pointed at word 1 (an operand).
    uint32_t fi = 0;
    while (fi < m->funcs.size() && (**cm->get(fi)).targets.empty()) ++fi;
    REQUIRE(fi < m->funcs.size());
    // Re-encode with that function first: only its words move.
    auto one = prepare_code(m);
    {
      std::lock_guard lock(one->mu);
      auto copy = std::make_unique<exec::CompiledFunc>();
      const exec::CompiledFunc& src = **cm->get(fi);
      copy->own.assign(src.code.begin(), src.code.end());
      for (uint32_t t : src.targets) copy->own[t].target = copy->own.data() + (src.code[t].target - src.code.data());
      copy->code = copy->own;
      copy->starts = src.starts, copy->targets = src.targets;
      copy->nparams = src.nparams, copy->nlocals = src.nlocals, copy->nresults = src.nresults;
      copy->frame_size = src.frame_size;
      one->install_locked(fi, std::move(copy));
    }
    auto b = encode_code(*one);
    REQUIRE(adopt_cached_code(*prepare_code(m), b));  // as written: fine
    const exec::CompiledFunc& f = **one->get(fi);
    const size_t w0 = 4 + 4 + 16 + 4 + 4 * f.starts.size() + 4 + 4 * f.targets.size() + 4;
    put32(b, w0 + 8 * f.targets[0], 1);
    put32(b, w0 + 8 * f.targets[0] + 4, 0);
    CHECK(refused(b));
  }
}

TEST_CASE("component cache: a hit installs the code saved after a run; the entry is rewritten only for more") {
  auto bytes = testing::load_fixture("hello.component.wasm");
  REQUIRE(!bytes.empty());
  const fs::path dir = testing::make_temp_dir("wippy-code-");
  CodeCache cache(dir);
  const std::string digest = sha256_hex(bytes);
  auto count_code = [](const component::Component& c) {
    size_t n = 0;
    for (const auto& m : c.core_modules) n += compiled_count(*c.memo->code_for(m));
    return n;
  };
  auto entry_time = [&] {
    for (const auto& e : fs::directory_iterator(dir)) return fs::last_write_time(e.path());
    return fs::file_time_type{};
  };

  CacheOutcome o{};
  auto miss = load_component_cached(bytes, digest, &cache, &o);
  REQUIRE(miss.ok());
  CHECK(o == CacheOutcome::Miss);
  CHECK(count_code(**miss) == 0);
  // Nothing compiled yet: saving writes nothing new.
  const auto t0 = entry_time();
  save_component_code(**miss, digest, &cache);
  CHECK(entry_time() == t0);

  // Compile the first module's functions, as a run would, and save.
  const auto& first = (*miss)->core_modules.front();
  auto cm = (*miss)->memo->code_for(first);
  for (uint32_t i = 0; i < first->funcs.size(); ++i) REQUIRE(cm->get(i).ok());
  const size_t compiled = first->funcs.size();
  REQUIRE(compiled > 0);
  save_component_code(**miss, digest, &cache);

  auto hit = load_component_cached(bytes, digest, &cache, &o);
  REQUIRE(hit.ok());
  CHECK(o == CacheOutcome::Hit);
  CHECK(count_code(**hit) == compiled);
  auto hcm = (*hit)->memo->code_for((*hit)->core_modules.front());
  CHECK(hcm->blocks.size() == 1);
  // Nothing more compiled: saving again leaves the entry alone.
  const auto t1 = entry_time();
  save_component_code(**hit, digest, &cache);
  CHECK(entry_time() == t1);

  // A corrupt code part: a miss (the whole entry is checksummed), rewritten.
  fs::path entry;
  for (const auto& e : fs::directory_iterator(dir)) entry = e.path();
  {
    std::vector<uint8_t> b;
    {
      std::ifstream in(entry, std::ios::binary);
      b.assign(std::istreambuf_iterator<char>(in), {});
    }
    b[b.size() - 9] ^= 0x40;
    std::ofstream(entry, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
  }
  auto again = load_component_cached(bytes, digest, &cache, &o);
  REQUIRE(again.ok());
  CHECK(o == CacheOutcome::Miss);
  CHECK(count_code(**again) == 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_CASE("code codec: GC stack maps come back with the code, and collections during a call find the roots") {
  constexpr const char* kGc = R"((module
    (type $node (struct (field $v i32) (field $next (ref null $node))))
    (func $churn (param $n i32)
      (loop $l
        (drop (struct.new $node (local.get $n) (ref.null $node)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (func $list (param $n i32) (result (ref null $node))
      (local $h (ref null $node))
      (loop $l
        (local.set $h (struct.new $node (local.get $n) (local.get $h)))
        (call $churn (i32.const 50))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $h))
    (func (export "sum") (param $n i32) (result i32)
      (local $h (ref null $node)) (local $s i32)
      (local.set $h (call $list (local.get $n)))
      (block $done (loop $l
        (br_if $done (ref.is_null (local.get $h)))
        (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $h))))
        (local.set $h (struct.get $node $next (local.get $h)))
        (br $l)))
      (local.get $s)))
  )";
  auto m = testing::compile_wat_module(kGc);
  auto cm = compile_all(m);
  REQUIRE(cm->gc_maps);
  auto back = prepare_code(m);
  REQUIRE(adopt_cached_code(*back, encode_code(*cm)));
  size_t with_maps = 0;
  for (uint32_t i = 0; i < m->funcs.size(); ++i) {
    const exec::CompiledFunc& a = **cm->get(i);
    const exec::CompiledFunc& b = **back->get(i);
    REQUIRE((a.gc_map != nullptr) == (b.gc_map != nullptr));
    if (!a.gc_map) continue;
    ++with_maps;
    CHECK(a.gc_map->locals == b.gc_map->locals);
    CHECK(a.gc_map->keys == b.gc_map->keys);
    CHECK(a.gc_map->starts == b.gc_map->starts);
    CHECK(a.gc_map->slots == b.gc_map->slots);
  }
  CHECK(with_maps == m->funcs.size());
  CHECK(back->gc_funcs.size() == m->funcs.size());  // registered for the collector's frame walk
  // Collecting before every allocation: the roots must come from the
  // adopted maps, or the list is freed under the call.
  Store s;
  s.gc_stress = true;
  auto inst = instantiate(s, m, {}, back);
  REQUIRE(inst.ok());
  CHECK(testing::call_i32(s, *inst, "sum", {val_i32(40)}) == 820);
  CHECK(compiled_count(*back) == m->funcs.size());
}
