// Unit tests for interp/memory_pool.h: a store with a MemoryPool gives its
// memories' reservations back when destroyed, and a later store reuses
// them: the same address, zero everywhere except its own data, pages past
// its size out of bounds (zero where left open); snapshot images are never pooled, a module's data
// image is, for that module only; the bounds hold.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "interp/memory_pool.h"
#include "interp/exec/code.h"
#include "interp/runtime/data_image.h"
#include "interp/runtime/memory_image.h"
#include "interp/runtime/memory_map.h"
#include "interp/snapshot.h"
#include "host_access.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

constexpr const char* kModule = R"((module
  (memory (export "mem") 1)
  (data (i32.const 100) "abc")
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
)";

// A pool holding the reservation of one store of `mod` that is gone.
std::shared_ptr<MemoryPool> pool_with_one_block(const std::shared_ptr<const Module>& mod) {
  auto pool = std::make_shared<MemoryPool>();
  {
    Store s;
    s.memory_pool = pool;
    instantiate_ok(s, mod);
  }
  REQUIRE(pool->blocks() == 1);
  return pool;
}

}  // namespace

TEST_CASE("memory pool: a reservation comes back zeroed, out of bounds past the size, at the same address") {
  auto pool = std::make_shared<MemoryPool>();
  auto mod = compile_wat_module(kModule);
  uint8_t* first_data = nullptr;
  {
    Store s;
    s.memory_pool = pool;
    Instance* inst = instantiate_ok(s, mod);
    first_data = inst->memories[0]->data;
    CHECK(call_i32(s, inst, "grow", {val_i32(2)}) == 1);
    REQUIRE(call_export(s, inst, "store", {val_i32(60000), val_i32(0xDEADBEEF)}).ok());
    REQUIRE(call_export(s, inst, "store", {val_i32(3 * 65536 - 4), val_i32(0x12345678)}).ok());
    REQUIRE(call_export(s, inst, "store", {val_i32(104), val_i32(0x55)}).ok());
    CHECK(pool->blocks() == 0);
  }
  CHECK(pool->blocks() == 1);
  CHECK(pool->resident_bytes() > 0);
  CHECK(pool->resident_bytes() <= 3 * 65536);

  Store s;
  s.memory_pool = pool;
  Instance* inst = instantiate_ok(s, mod);
  MemoryInst& m = *inst->memories[0];
  CHECK(m.data == first_data);  // reused
  CHECK(pool->blocks() == 0);
  CHECK(m.size == 65536);
  CHECK(call_i32(s, inst, "size") == 1);
  CHECK(call_i32(s, inst, "load", {val_i32(100)}) == 0x00636261);  // its own data: "abc" then 0
  CHECK(call_i32(s, inst, "load", {val_i32(104)}) == 0);           // the old store's write is gone
  CHECK(call_i32(s, inst, "load", {val_i32(60000)}) == 0);
  for (uint64_t i = 0; i < m.size; ++i)
    if (i < 100 || i >= 103) REQUIRE(m.data[i] == 0);
  // the grown pages are out of bounds for wasm again; the host finds them
  // zero, left open past the size with the grow's headroom
  // (MemoryInst::committed: the first store's page and kGrowHeadroom)
  CHECK_FALSE(call_export(s, inst, "load", {val_i32(65536)}).ok());
  CHECK(m.committed == 65536 + kGrowHeadroom);
  CHECK(closed_or_zero(m.data + 65536, kGrowHeadroom));
  CHECK_FALSE(readable(m.data + m.committed));
  CHECK(readable(m.data + 65535));
  // and open, zero, after growing
  CHECK(call_i32(s, inst, "grow", {val_i32(2)}) == 1);
  CHECK(call_i32(s, inst, "load", {val_i32(3 * 65536 - 4)}) == 0);
}

TEST_CASE("memory pool: memories with a snapshot image, other sizes and the bounds") {
  auto mod = compile_wat_module(kModule);
  SUBCASE("a memory with an image mapped is unmapped, not pooled") {
    auto pool = std::make_shared<MemoryPool>();
    {
      Store s;
      s.memory_pool = pool;
      // Data past kCopiedImageMaxBytes: the snapshot's image is mapped.
      Instance* in = instantiate_ok(s, compile_wat_module(R"((module (memory (export "mem") 1)
        (data (i32.const 40000) "far")))"));
      auto snap = StoreSnapshot::capture(s);
      REQUIRE(snap.ok());
      REQUIRE(snap->images()[0] != nullptr);
      CHECK_FALSE(in->memories[0]->image_copied);
      REQUIRE(s.memory_pool);
    }
    CHECK(pool->blocks() == 0);
  }
  SUBCASE("a memory with a small image copied is anonymous memory: pooled, zeroed") {
    auto pool = std::make_shared<MemoryPool>();
    uint8_t* data = nullptr;
    {
      Store s;
      s.memory_pool = pool;
      Instance* in = instantiate_ok(s, mod);
      auto snap = StoreSnapshot::capture(s);
      REQUIRE(snap.ok());
      REQUIRE(snap->images()[0] != nullptr);
      CHECK(in->memories[0]->image_copied);
      data = in->memories[0]->data;
    }
    CHECK(pool->blocks() == 1);
    Store s;
    s.memory_pool = pool;
    Instance* in = instantiate_ok(s, compile_wat_module(R"((module (memory (export "mem") 1)
      (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))))"));
    CHECK(in->memories[0]->data == data);
    CHECK(call_i32(s, in, "load", {val_i32(100)}) == 0);  // the last store's "abc" is gone
  }
  SUBCASE("a reservation of another size is not taken") {
    auto pool = pool_with_one_block(mod);
    REQUIRE(pool->blocks() == 1);
    Store s;
    s.memory_pool = pool;
    Instance* inst = instantiate_ok(s, compile_wat_module("(module (memory (export \"m\") 1 2))"));
    CHECK(inst->memories[0]->reserved == 2 * 65536);
    CHECK(pool->blocks() == 1);
  }
  SUBCASE("at most max_blocks are kept") {
    auto pool = std::make_shared<MemoryPool>(1);
    {
      Store a, b;
      a.memory_pool = pool;
      b.memory_pool = pool;
      instantiate_ok(a, mod);
      instantiate_ok(b, mod);
    }
    CHECK(pool->blocks() == 1);
  }
  SUBCASE("the store's memory limit still applies to a reused reservation") {
    auto pool = pool_with_one_block(mod);
    Store s;
    s.memory_pool = pool;
    s.limits.max_memory_bytes = 65536 / 2;
    auto r = instantiate(s, mod, {});
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("memory pool: a memory with more resident pages than the pool may hold is unmapped") {
  auto pool = std::make_shared<MemoryPool>(256, 128 * 1024);
  auto mod = compile_wat_module(kModule);
  {
    Store s;
    s.memory_pool = pool;
    Instance* inst = instantiate_ok(s, mod);
    CHECK(call_i32(s, inst, "grow", {val_i32(3)}) == 1);
    for (uint32_t a = 0; a < 4 * 65536; a += 4096)
      REQUIRE(call_export(s, inst, "store", {val_i32(a), val_i32(1)}).ok());
  }
  CHECK(pool->blocks() == 0);
  CHECK(pool->resident_bytes() == 0);
}

// A module whose data is an image (interp/runtime/data_image.h): its
// memory goes back to the pool with the image mapped, and the module's next
// instance takes it as it is; the image's bytes are the module's again and
// every other byte is zero, wherever the last store wrote.
TEST_CASE("memory pool: a memory holding its module's data image is kept with it for the next instance") {
  auto mod = compile_wat_module(std::string(R"((module
    (memory (export "mem") 4)
    (data (i32.const 0) ")") + std::string(70000, 'a') + R"(")
    (data (i32.const 200000) "c")
    (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))");
  auto code = prepare_code(mod);
  auto pool = std::make_shared<MemoryPool>();
  auto instance = [&](Store& s) {
    s.memory_pool = pool;
    auto r = instantiate(s, mod, {}, code);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return *r;
  };
  {
    Store s1;  // copies the segments; its memory is pooled without an image
    instance(s1);
  }
  REQUIRE(pool->blocks() == 1);
  uint8_t* imaged = nullptr;
  {
    Store s2;  // builds the image and maps it over the pooled block
    Instance* in = instance(s2);
    REQUIRE(code->images != nullptr);
    MemoryInst& m = *in->memories[0];
    CHECK(m.image == code->images->memories[0]);
    CHECK(pool->blocks() == 0);
    imaged = m.data;
    REQUIRE(call_export(s2, in, "store", {val_i32(5), val_i32('Z')}).ok());         // in the image
    REQUIRE(call_export(s2, in, "store", {val_i32(250000), val_i32('Y')}).ok());    // past it
    CHECK(call_i32(s2, in, "grow", {val_i32(1)}) == 4);
    REQUIRE(call_export(s2, in, "store", {val_i32(4 * 65536 + 10), val_i32('X')}).ok());
  }
  REQUIRE(pool->blocks() == 1);
  CHECK(pool->resident_bytes() == 0);  // nothing of its own is held

  SUBCASE("another module's memory of the same reservation does not get it") {
    Store s;
    s.memory_pool = pool;
    Instance* in = instantiate_ok(s, compile_wat_module(kModule));
    CHECK(in->memories[0]->data != imaged);
    CHECK(in->memories[0]->image == nullptr);
    CHECK(call_i32(s, in, "load", {val_i32(4)}) == 0);
    CHECK(pool->blocks() == 1);
  }
  SUBCASE("the module's next instance takes it, reset to the image") {
    Store s3;
    Instance* in = instance(s3);
    MemoryInst& m = *in->memories[0];
    CHECK(m.data == imaged);
    CHECK(m.image == code->images->memories[0]);
    CHECK(pool->blocks() == 0);
    CHECK(m.size == 4 * 65536);
    CHECK(call_i32(s3, in, "load", {val_i32(5)}) == 'a');
    CHECK(call_i32(s3, in, "load", {val_i32(69999)}) == 'a');
    CHECK(call_i32(s3, in, "load", {val_i32(70000)}) == 0);
    CHECK(call_i32(s3, in, "load", {val_i32(200000)}) == 'c');
    CHECK(call_i32(s3, in, "load", {val_i32(250000)}) == 0);
    uint64_t nonzero = 0;  // past the 'a's: only the 'c'
    for (uint64_t i = 70000; i < m.size; ++i) nonzero += m.data[i] != 0;
    CHECK(nonzero == 1);
    // the grown page is out of bounds again, zero, and zero when grown anew
    CHECK_FALSE(call_export(s3, in, "load", {val_i32(4 * 65536)}).ok());
    CHECK(closed_or_zero(m.data + 4 * 65536, m.committed - 4 * 65536));
    CHECK_FALSE(readable(m.data + m.committed));
    CHECK(call_i32(s3, in, "grow", {val_i32(1)}) == 4);
    CHECK(call_i32(s3, in, "load", {val_i32(4 * 65536 + 10)}) == 0);
  }
  SUBCASE("once the module's image is gone, the block is unmapped at the next take") {
    code.reset();  // the only holder of the images
    CHECK(pool->blocks() == 1);
    Store s;
    s.memory_pool = pool;
    instantiate_ok(s, compile_wat_module("(module (memory 1 2))"));
    CHECK(pool->blocks() == 0);
  }
}
