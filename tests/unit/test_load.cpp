// Unit tests for loading once and instantiating many times
// (component/load.h, and the per-module memory images of
// interp/runtime/data_image.h): a component loaded once runs as many
// commands, each in its own Store, validated once and sharing each core
// module's compiled code; a component that does not decode or validate is
// refused by load_component; large constant data segments map one image
// copy-on-write into each instance (contents, later segments winning,
// private writes, grow, passive segments), while segments that could fail
// or depend on imports, and small ones, are copied as before.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "component/load.h"
#include "component/text/component_wat.h"
#include "fixtures.h"
#include "hostfns/wasi.h"
#include "interp/exec/code.h"
#include "wat_module.h"

using namespace wippy;

TEST_CASE("load: a component loaded once runs as many commands, validated once, code shared") {
  const std::vector<uint8_t> bytes = testing::load_fixture("hello_write.component.wasm");
  REQUIRE(!bytes.empty());
  auto loaded = component::load_component(bytes);
  REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
  const std::shared_ptr<const component::Component> comp = *loaded;
  CHECK(comp->memo->validated);
  CHECK(comp->memo->code.empty());  // nothing instantiated yet

  size_t code_objects = 0;
  std::vector<CompiledModule*> first_code;
  for (int i = 0; i < 3; ++i) {
    hostfns::WasiCtx ctx;
    Store store;
    auto r = hostfns::run_wasi_command(store, comp, ctx);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(*r == 0);
    CHECK(ctx.out.buffer == "hello from a component\n");
    std::lock_guard lock(comp->memo->mu);
    if (i == 0) {
      code_objects = comp->memo->code.size();
      for (auto& [m, c] : comp->memo->code) first_code.push_back(c.get());
    } else {
      // Later runs reuse the code objects of the first: no new ones.
      CHECK(comp->memo->code.size() == code_objects);
      std::vector<CompiledModule*> now;
      for (auto& [m, c] : comp->memo->code) now.push_back(c.get());
      CHECK(now == first_code);
    }
  }
  CHECK(code_objects >= 1);
}

TEST_CASE("load: bytes that do not decode or validate are refused at load") {
  const std::vector<uint8_t> garbage = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x7f};
  auto bad = component::load_component(garbage);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::Malformed);

  // Decodes, but exports a core function index that does not exist.
  auto bin = component::component_wat_to_binary(R"((component
    (core module $m (func (export "f")))
    (core instance $i (instantiate $m))
    (func (export "g") (canon lift (core func 7)))
  ))");
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto invalid = component::load_component(*bin);
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().kind == ErrorKind::Invalid);
}

// ---- data images (interp/runtime/data_image.h) -----------------------------

namespace {

// A module with one memory of `pages` pages and the given data fields, plus
// exports to read a byte, write a byte, grow, and memory.init the first
// passive segment (index `passive`) at an address.
std::shared_ptr<const Module> data_module(const std::string& datas, int pages = 4, int passive = 0) {
  return testing::compile_wat_module(std::string("(module (global $g (import \"env\" \"g\") i32)") +
                                     "(memory (export \"mem\") " + std::to_string(pages) + ")" + datas +
                                     R"((func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
                                         (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
                                         (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
                                         (func (export "init") (param i32 i32)
                                           (memory.init )" +
                                     std::to_string(passive) + R"( (local.get 0) (i32.const 0) (local.get 1)))))");
}

std::string filled(size_t n, char c) { return std::string(n, c); }

// Instantiates `m` with code object `code`, the imported global = g.
Result<Instance*> instance_of(Store& store, std::shared_ptr<const Module> m, std::shared_ptr<CompiledModule> code,
                              uint32_t g = 0) {
  GlobalInst* gi = store.create_global(GlobalType{ValType::I32, false}, val_i32(g));
  Extern e{ExternKind::Global, gi};
  return instantiate(store, std::move(m), std::span<const Extern>(&e, 1), std::move(code));
}

uint32_t byte_at(Store& store, Instance* inst, uint32_t addr) {
  auto r = testing::call_export(store, inst, "load", {val_i32(addr)});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return (*r)[0].i32;
}

// The second instance of `mod` (in `second`; the first in `first`, both
// with the imported global = g), checked to have been given no data image.
Instance* second_copied(const std::shared_ptr<const Module>& mod, Store& first, Store& second, uint32_t g = 0) {
  auto code = prepare_code(mod);
  REQUIRE(instance_of(first, mod, code, g).ok());
  auto i = instance_of(second, mod, code, g);
  REQUIRE_MESSAGE(i.ok(), (i.ok() ? "" : i.error().message));
  CHECK(code->images_built);
  CHECK(code->images == nullptr);
  return *i;
}

}  // namespace

TEST_CASE("load: large constant data segments are one image per module, copy-on-write per instance") {
  // 70,000 'a' at 0, then 'b' over [100, 110) (a later segment wins), 'c' at
  // 200,000 (a second page run), and a passive segment "xyz".
  auto mod = data_module("(data (i32.const 0) \"" + filled(70000, 'a') + "\")" +
                             "(data (i32.const 100) \"" + filled(10, 'b') + "\")" +
                             "(data (i32.const 200000) \"c\")" + "(data \"xyz\")",
                         4, 3);
  auto code = prepare_code(mod);
  Store s1, s2;
  auto i1 = instance_of(s1, mod, code);  // the first instance copies
  REQUIRE_MESSAGE(i1.ok(), (i1.ok() ? "" : i1.error().message));
  CHECK_FALSE(code->images_built);
  auto i2 = instance_of(s2, mod, code);  // the second maps the new image
  REQUIRE_MESSAGE(i2.ok(), (i2.ok() ? "" : i2.error().message));
  REQUIRE(code->images_built);
  REQUIRE(code->images != nullptr);
  for (Store* s : {&s1, &s2}) {
    Instance* in = s == &s1 ? *i1 : *i2;
    CHECK(byte_at(*s, in, 0) == 'a');
    CHECK(byte_at(*s, in, 99) == 'a');
    CHECK(byte_at(*s, in, 100) == 'b');
    CHECK(byte_at(*s, in, 109) == 'b');
    CHECK(byte_at(*s, in, 110) == 'a');
    CHECK(byte_at(*s, in, 69999) == 'a');
    CHECK(byte_at(*s, in, 70000) == 0);
    CHECK(byte_at(*s, in, 200000) == 'c');
    CHECK(byte_at(*s, in, 4 * 65536 - 1) == 0);
  }
  // A write in one instance is its own.
  REQUIRE(testing::call_export(s1, *i1, "store", {val_i32(5), val_i32('Z')}).ok());
  CHECK(byte_at(s1, *i1, 5) == 'Z');
  CHECK(byte_at(s2, *i2, 5) == 'a');
  Store s3;
  auto i3 = instance_of(s3, mod, code);
  REQUIRE(i3.ok());
  CHECK(byte_at(s3, *i3, 5) == 'a');
  // Growing gives zero pages; the passive segment is still there.
  auto g = testing::call_export(s2, *i2, "grow", {val_i32(1)});
  REQUIRE(g.ok());
  CHECK((*g)[0].i32 == 4);
  CHECK(byte_at(s2, *i2, 4 * 65536 + 10) == 0);
  REQUIRE(testing::call_export(s2, *i2, "init", {val_i32(4 * 65536), val_i32(3)}).ok());
  CHECK(byte_at(s2, *i2, 4 * 65536 + 2) == 'z');
}

// With an image, the active segments after the last passive one are not
// kept at all: they read as dropped (memory.init of one traps unless its
// length is 0), in the instance that copies and in the one that maps.
TEST_CASE("load: active segments after the last passive one read as dropped") {
  auto mod = data_module("(data \"xyz\")(data (i32.const 0) \"" + filled(70000, 'a') + "\")(data (i32.const 80000) \"c\")",
                         4, 2);
  auto code = prepare_code(mod);
  Store s1, s2;
  auto i1 = instance_of(s1, mod, code);
  REQUIRE_MESSAGE(i1.ok(), (i1.ok() ? "" : i1.error().message));
  auto i2 = instance_of(s2, mod, code);
  REQUIRE_MESSAGE(i2.ok(), (i2.ok() ? "" : i2.error().message));
  REQUIRE(code->images != nullptr);
  CHECK((*i2)->data_segments.size() == 1);  // the passive one only
  for (Store* s : {&s1, &s2}) {
    Instance* in = s == &s1 ? *i1 : *i2;
    CHECK(in->data_segment(0).size() == 3);
    CHECK(in->data_segment(1).empty());
    CHECK(in->data_segment(2).empty());
    CHECK(byte_at(*s, in, 69999) == 'a');
    CHECK(byte_at(*s, in, 80000) == 'c');
    CHECK(testing::call_export(*s, in, "init", {val_i32(100), val_i32(0)}).ok());
    auto trapped = testing::call_export(*s, in, "init", {val_i32(100), val_i32(1)});
    REQUIRE_FALSE(trapped.ok());
    CHECK(trapped.error().kind == ErrorKind::Trap);
  }
}

TEST_CASE("load: data segments that could fail or depend on imports are copied as the spec says") {
  SUBCASE("an offset from an imported global") {
    auto mod = data_module("(data (global.get $g) \"" + filled(70000, 'q') + "\")");
    Store first, s;
    Instance* i = second_copied(mod, first, s, 1000);
    CHECK(byte_at(s, i, 999) == 0);
    CHECK(byte_at(s, i, 1000) == 'q');
    CHECK(byte_at(s, i, 70999) == 'q');
  }
  SUBCASE("a segment out of bounds fails instantiation: copied, never imaged") {
    auto mod = data_module("(data (i32.const 0) \"" + filled(70000, 'r') + "\")" +
                           "(data (i32.const 262140) \"12345\")");
    auto code = prepare_code(mod);
    for (int n = 0; n < 2; ++n) {
      Store s;
      auto i = instance_of(s, mod, code);
      REQUIRE_FALSE(i.ok());
      CHECK(i.error().message.find("out of bounds memory access") != std::string::npos);
    }
    CHECK(code->images_built);
    CHECK(code->images == nullptr);
  }
  SUBCASE("a little data far into a big memory is copied: its image would be mostly zero") {
    // 70,000 bytes at 60,000,000 in a 1,024-page (64 MiB) memory: an image
    // would be 60 MB long.
    auto mod = data_module("(data (i32.const 60000000) \"" + filled(70000, 's') + "\")", 1024);
    Store s1, s2;
    Instance* i = second_copied(mod, s1, s2);
    CHECK(byte_at(s2, i, 59999999) == 0);
    CHECK(byte_at(s2, i, 60000000) == 's');
    CHECK(byte_at(s2, i, 60069999) == 's');
  }
  SUBCASE("small data is copied") {
    auto mod = data_module("(data (i32.const 8) \"hello\")");
    Store s1, s2;
    CHECK(byte_at(s2, second_copied(mod, s1, s2), 8) == 'h');
  }
}
