// The persistent code cache: the Module codec round trip and its refusal of
// short input, the on-disk store (corrupt, truncated and swapped entries
// rejected and rewritten, a directory that cannot be written, LRU eviction,
// two processes filling one directory), and a component loaded through it
// (miss, then hit without decoding or validating again).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "component/decode.h"
#include "interp/cache/module_codec.h"
#include "runtime/code_cache.h"
#include "runtime/component_cache.h"
#include "runtime/module_hash.h"
#include "tests/unit/fixtures.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/wat_module.h"

using namespace wippy;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = wippy::testing::make_temp_dir("wippy-cache-");
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, ec);
    fs::remove_all(path, ec);
  }
};

std::vector<uint8_t> bytes_of(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<uint8_t> file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}
void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
}

constexpr const char* kWat = R"((module
  (type $t (func (param i32) (result i32)))
  (import "env" "g" (global i32))
  (memory 1 4)
  (table 4 funcref)
  (global $m (mut i64) (i64.const 7))
  (func $twice (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "run") (result i32) (local i64 i32)
    (call_indirect (type $t) (i32.load8_u (i32.const 1)) (i32.const 0)))
  (elem (i32.const 0) $twice)
  (elem declare func $twice)
  (data (i32.const 0) "\00\15")
  (data "passive")
  (export "mem" (memory 0)))
)";

constexpr const char* kRunWat = R"((module
  (memory 1)
  (table 2 funcref)
  (func $a (result i32) (i32.const 40))
  (func (export "run") (result i32) (i32.add (call_indirect (result i32) (i32.const 1)) (i32.load8_u (i32.const 3))))
  (elem (i32.const 1) $a)
  (data (i32.const 3) "\02"))
)";

}  // namespace

TEST_CASE("module codec: a round trip gives the same module, and it runs the same") {
  auto m = testing::compile_wat_module(kWat);
  std::vector<uint8_t> enc = encode_module(*m);
  auto back = decode_cached_module(enc, m->bytes);
  REQUIRE_MESSAGE(back.ok(), (back.ok() ? "" : back.error().message));
  CHECK(encode_module(*back) == enc);
  CHECK(back->bytes.data() == m->bytes.data());  // shared, not copied
  CHECK(back->imports.size() == 1);
  CHECK(back->elems.size() == 2);
  CHECK(back->datas.size() == 2);
  CHECK(back->codes.size() == 2);
  CHECK(back->codes[1].num_locals == 2);

  auto run = testing::compile_wat_module(kRunWat);
  auto copy = decode_cached_module(encode_module(*run), SharedBytes::copy_of(run->bytes));
  REQUIRE(copy.ok());
  Store s1, s2;
  auto r1 = testing::call_export(s1, testing::instantiate_ok(s1, run), "run");
  auto r2 = testing::call_export(s2, testing::instantiate_ok(s2, std::make_shared<const Module>(std::move(*copy))), "run");
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  CHECK(r1->at(0).i32 == 42);
  CHECK(r2->at(0).i32 == 42);
}

TEST_CASE("module codec: every truncation, an extra byte, another binary and an offset outside it are refused") {
  auto m = testing::compile_wat_module(kWat);
  std::vector<uint8_t> enc = encode_module(*m);
  for (size_t n = 0; n < enc.size(); ++n) {
    auto r = decode_cached_module(std::span(enc.data(), n), m->bytes);
    REQUIRE_MESSAGE(!r.ok(), n);
    CHECK(r.error().kind == ErrorKind::Malformed);
  }
  auto longer = enc;
  longer.push_back(0);
  CHECK(!decode_cached_module(longer, m->bytes).ok());

  // The entry was written for a binary of another size.
  auto other = decode_cached_module(enc, m->bytes.slice(0, m->bytes.size() - 1));
  REQUIRE(!other.ok());
  CHECK(other.error().message == "cached module: written for a binary of another size");

  Module bad = *m;
  bad.codes[0].code_end = uint32_t(bad.bytes.size() + 1);
  auto r = decode_cached_module(encode_module(bad), m->bytes);
  REQUIRE(!r.ok());
  CHECK(r.error().message == "cached module: an offset lies outside the binary");

  // A huge count cannot make the decoder allocate beyond its input.
  auto huge = enc;
  size_t at = 8;  // the type count follows the binary's size
  huge[at] = huge[at + 1] = huge[at + 2] = huge[at + 3] = 0xff;
  CHECK(!decode_cached_module(huge, m->bytes).ok());
}

TEST_CASE("code cache: put then get; corrupt, truncated and swapped entries are misses and are rewritten") {
  TempDir t;
  CodeCache cache(t.path / "c");
  CHECK(!cache.get("k1").has_value());
  auto p1 = bytes_of("first payload, long enough to span several checksum words ...");
  auto p2 = bytes_of("second payload");
  REQUIRE(cache.put("k1", p1));
  REQUIRE(cache.put("k2", p2));
  CHECK(cache.get("k1") == p1);
  CHECK(cache.get("k2") == p2);
  const fs::path e1 = cache.entry_path("k1"), e2 = cache.entry_path("k2");
  const auto good = file_bytes(e1);

  SUBCASE("a flipped byte in the payload") {
    auto b = good;
    b[b.size() - 5] ^= 0x01;
    write_bytes(e1, b);
  }
  SUBCASE("a flipped byte in the header") {
    auto b = good;
    b[2] ^= 0x20;
    write_bytes(e1, b);
  }
  SUBCASE("truncated in the payload") {
    auto b = good;
    b.resize(b.size() - 1);
    write_bytes(e1, b);
  }
  SUBCASE("truncated in the header") {
    auto b = good;
    b.resize(10);
    write_bytes(e1, b);
  }
  SUBCASE("empty") { write_bytes(e1, {}); }
  SUBCASE("another key's entry under this name") { fs::copy_file(e2, e1, fs::copy_options::overwrite_existing); }
  SUBCASE("a directory instead of a file") {
    fs::remove(e1);
    fs::create_directory(e1);
  }

  CHECK(!cache.get("k1").has_value());
  CHECK(cache.get("k2") == p2);
  if (fs::is_directory(e1)) fs::remove(e1);
  REQUIRE(cache.put("k1", p1));  // rewritten
  CHECK(cache.get("k1") == p1);
}

TEST_CASE("code cache: a directory that cannot be written means no cache, not an error") {
  TempDir t;
  write_bytes(t.path / "file", bytes_of("x"));
  CodeCache under_file(t.path / "file" / "c");
  CHECK(!under_file.put("k", bytes_of("v")));
  CHECK(!under_file.get("k").has_value());
  CodeCache none{fs::path()};
  CHECK(!none.put("k", bytes_of("v")));
  CHECK(!none.get("k").has_value());

  fs::create_directory(t.path / "ro");
  fs::permissions(t.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  CodeCache ro(t.path / "ro");
  bool root = ::geteuid() == 0;  // root writes anyway; then it must still work
  CHECK(ro.put("k", bytes_of("v")) == root);
  CHECK(ro.get("k").has_value() == root);
  fs::permissions(t.path / "ro", fs::perms::owner_all);
}

TEST_CASE("code cache: least recently used entries are evicted beyond the size bound") {
  TempDir t;
  std::vector<uint8_t> payload(1000, 0x5a);
  CodeCache cache(t.path, 2600);  // two entries fit, three do not
  REQUIRE(cache.put("a", payload));
  REQUIRE(cache.put("b", payload));
  auto now = fs::file_time_type::clock::now();
  fs::last_write_time(cache.entry_path("a"), now - std::chrono::hours(2));
  fs::last_write_time(cache.entry_path("b"), now - std::chrono::hours(1));
  REQUIRE(cache.get("a").has_value());  // a is now the most recent
  REQUIRE(cache.put("c", payload));
  CHECK(cache.get("a").has_value());
  CHECK(!cache.get("b").has_value());
  CHECK(cache.get("c").has_value());
  CHECK(!cache.put("big", std::vector<uint8_t>(3000)));  // larger than the whole bound
}

TEST_CASE("code cache: two processes filling one directory at once") {
  TempDir t;
  const fs::path dir = t.path / "shared";
  auto payload_for = [](int key) {
    std::vector<uint8_t> p(20000 + size_t(key) * 7);
    for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t(i * 31 + size_t(key));
    return p;
  };
  std::vector<pid_t> kids;
  for (int k = 0; k < 2; ++k) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      CodeCache c(dir);
      bool ok = true;
      for (int round = 0; round < 20; ++round)
        for (int key = 0; key < 10; ++key) {
          ok = c.put("key" + std::to_string(key), payload_for(key)) && ok;
          auto got = c.get("key" + std::to_string((key + 5) % 10));
          if (got && *got != payload_for((key + 5) % 10)) ok = false;  // never a torn entry
        }
      ::_exit(ok ? 0 : 1);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CodeCache c(dir);
  for (int key = 0; key < 10; ++key) CHECK(c.get("key" + std::to_string(key)) == payload_for(key));
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    CHECK(e.path().extension() == ".wcc");  // no temporary file left behind
  }
  CHECK(files == 10);
}

TEST_CASE("component cache: a miss writes the entry, a hit reuses every core module and skips validation") {
  auto bytes = testing::load_fixture("hello.component.wasm");
  REQUIRE(!bytes.empty());
  TempDir t;
  CodeCache cache(t.path);
  const std::string digest = sha256_hex(bytes);

  CacheOutcome o{};
  auto off = load_component_cached(bytes, digest, nullptr, &o);
  REQUIRE(off.ok());
  CHECK(o == CacheOutcome::Off);

  auto miss = load_component_cached(bytes, digest, &cache, &o);
  REQUIRE(miss.ok());
  CHECK(o == CacheOutcome::Miss);
  CHECK((*miss)->memo->validated);
  auto hit = load_component_cached(bytes, digest, &cache, &o);
  REQUIRE(hit.ok());
  CHECK(o == CacheOutcome::Hit);
  CHECK((*hit)->memo->validated);
  REQUIRE((*hit)->core_modules.size() == (*miss)->core_modules.size());
  REQUIRE(!(*hit)->core_modules.empty());
  for (size_t i = 0; i < (*hit)->core_modules.size(); ++i)
    CHECK(encode_module(*(*hit)->core_modules[i]) == encode_module(*(*miss)->core_modules[i]));
  CHECK((*hit)->exports.size() == (*off)->exports.size());
  CHECK((*hit)->imports.size() == (*off)->imports.size());

  // A corrupt entry is a miss, and is rewritten.
  fs::path entry;
  for (const auto& e : fs::directory_iterator(t.path)) entry = e.path();
  auto b = file_bytes(entry);
  b[b.size() / 2] ^= 0xff;
  write_bytes(entry, b);
  REQUIRE(load_component_cached(bytes, digest, &cache, &o).ok());
  CHECK(o == CacheOutcome::Miss);
  REQUIRE(load_component_cached(bytes, digest, &cache, &o).ok());
  CHECK(o == CacheOutcome::Hit);

  // Another component's entry copied over this one's file is refused (its
  // key differs): every module is decoded and the component validated.
  auto other = testing::load_fixture("wasi_probe.component.wasm");
  REQUIRE(!other.empty());
  REQUIRE(load_component_cached(other, "other", &cache, &o).ok());
  fs::path other_entry;
  for (const auto& e : fs::directory_iterator(t.path))
    if (e.path() != entry) other_entry = e.path();
  fs::copy_file(other_entry, entry, fs::copy_options::overwrite_existing);
  REQUIRE(load_component_cached(bytes, digest, &cache, &o).ok());
  CHECK(o == CacheOutcome::Miss);

  // An invalid component is refused whether or not the cache is on.
  auto broken = testing::load_fixture("missing_memory.wasm");
  REQUIRE(!broken.empty());
  auto e1 = load_component_cached(broken, sha256_hex(broken), &cache, &o);
  auto e2 = load_component_cached(broken, sha256_hex(broken), &cache, &o);
  REQUIRE(!e1.ok());
  REQUIRE(!e2.ok());
  CHECK(e1.error().message == e2.error().message);
}

TEST_CASE("module codec: typed reference types (a type index above the byte codes) survive the round trip") {
  auto m = testing::compile_wat_module(R"((module
    (type $t (func (param i32) (result i32)))
    (type $u (func (param (ref $t)) (result (ref null $t))))
    (global $g (mut (ref null $t)) (ref.null $t))
    (table 2 (ref null $t))
    (func $f (type $u) (local $l (ref null $t)) (local.get 0))))");
  auto back = decode_cached_module(encode_module(*m), m->bytes);
  REQUIRE_MESSAGE(back.ok(), (back.ok() ? "" : back.error().message));
  REQUIRE(back->types.size() == m->types.size());
  CHECK(back->types[1] == m->types[1]);
  CHECK(ref_type_index(back->types[1].params[0]) == 0);
  CHECK(back->globals[0].type.type == m->globals[0].type.type);
  CHECK(back->tables[0].elem == m->tables[0].elem);
  REQUIRE(back->codes[0].locals.size() == 1);
  CHECK(back->codes[0].locals[0].type == m->codes[0].locals[0].type);
}

TEST_CASE("tables with an initializer expression: filled on instantiation, kept by the codec, required when non-null") {
  auto m = testing::compile_wat_module(R"((module
    (type $t (func))
    (func $f)
    (table $plain 3 funcref)
    (table $init 3 funcref (ref.func $f))
    (table $nonnull 2 (ref $t) (ref.func $f))
    (func (export "null-at") (param i32) (result i32) (ref.is_null (table.get $init (local.get 0))))
    (func (export "plain-null") (result i32) (ref.is_null (table.get $plain (i32.const 2))))
    (func (export "grown") (result i32)
      (drop (table.grow $nonnull (ref.func $f) (i32.const 1)))
      (ref.is_null (table.get $nonnull (i32.const 2))))))");
  REQUIRE(m->table_inits.size() == 3);
  CHECK(m->table_inits[0].begin == m->table_inits[0].end);
  CHECK(m->table_inits[1].begin != m->table_inits[1].end);
  auto back = decode_cached_module(encode_module(*m), m->bytes);
  REQUIRE_MESSAGE(back.ok(), (back.ok() ? "" : back.error().message));
  REQUIRE(back->table_inits.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(back->table_inits[i].begin == m->table_inits[i].begin);
    CHECK(back->table_inits[i].end == m->table_inits[i].end);
  }
  for (std::shared_ptr<const Module> mod : {m, std::make_shared<const Module>(std::move(*back))}) {
    Store store;
    Instance* inst = testing::instantiate_ok(store, mod);
    for (uint32_t i = 0; i < 3; ++i) CHECK(testing::call_i32(store, inst, "null-at", {val_i32(i)}) == 0);
    CHECK(testing::call_i32(store, inst, "plain-null") == 1);
    CHECK(testing::call_i32(store, inst, "grown") == 0);
  }
  // A non-nullable table needs an initializer, and it must match the type.
  CHECK(testing::invalid_because("(module (type $t (func)) (table 1 (ref $t)))", "type mismatch"));
  CHECK(testing::invalid_because("(module (table 1 funcref (ref.null extern)))", "type mismatch"));
  // The binary form is 0x40 0x00 tabletype expr; another byte after 0x40 is malformed.
  auto bin = wat_to_wasm("(module (table 1 funcref (ref.null func)))");
  REQUIRE(bin.ok());
  const uint8_t form[] = {0x40, 0x00};
  auto at = std::search(bin->begin(), bin->end(), std::begin(form), std::end(form));
  REQUIRE(at != bin->end());
  *(at + 1) = 0x01;
  auto broken = decode_module(*bin);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().kind == ErrorKind::Malformed);
}
