// Unit tests for ExecLimits::max_memory_bytes: the sum of a store's memory
// sizes stays within it; memory.grow returns -1 and instantiation fails
// (Uninstantiable) instead of exceeding it; a snapshot restore that shrinks
// memory gives the budget back.
#include <doctest/doctest.h>

#include "interp/snapshot.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

constexpr const char* kGrower = R"((module
  (memory (export "mem") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
))";

}  // namespace

TEST_CASE("memory limit: memory.grow fails beyond the store's limit") {
  Store s;
  s.limits.max_memory_bytes = 3 * kPageSize;
  Instance* inst = instantiate_ok(s, compile_wat_module(kGrower));
  CHECK(s.memory_bytes() == kPageSize);
  CHECK(call_i32(s, inst, "grow", {val_i32(3)}) == uint32_t(-1));
  CHECK(call_i32(s, inst, "size") == 1);
  CHECK(call_i32(s, inst, "grow", {val_i32(2)}) == 1);
  CHECK(call_i32(s, inst, "size") == 3);
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == uint32_t(-1));
  CHECK(call_i32(s, inst, "grow", {val_i32(0)}) == 3);
  CHECK(s.memory_bytes() == 3 * kPageSize);
  // Raising the limit lets it grow again.
  s.limits.max_memory_bytes = 4 * kPageSize;
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == 3);
}

TEST_CASE("memory limit: zero means unlimited") {
  Store s;
  CHECK(s.limits.max_memory_bytes == 0);
  Instance* inst = instantiate_ok(s, compile_wat_module(kGrower));
  CHECK(call_i32(s, inst, "grow", {val_i32(100)}) == 1);
  CHECK(s.memory_bytes() == 101ull * kPageSize);
}

TEST_CASE("memory limit: counts every memory of the store") {
  Store s;
  s.limits.max_memory_bytes = 4 * kPageSize;
  Instance* a = instantiate_ok(s, compile_wat_module(kGrower));
  Instance* b = instantiate_ok(s, compile_wat_module(kGrower));
  CHECK(call_i32(s, a, "grow", {val_i32(1)}) == 1);
  CHECK(call_i32(s, b, "grow", {val_i32(2)}) == uint32_t(-1));
  CHECK(call_i32(s, b, "grow", {val_i32(1)}) == 1);
  CHECK(call_i32(s, a, "grow", {val_i32(1)}) == uint32_t(-1));
  // Host-created memories count and are refused too.
  CHECK(s.create_memory(MemoryType{Limits{1, false, 0}}) == nullptr);
  MemoryInst* empty = s.create_memory(MemoryType{Limits{0, false, 0}});
  REQUIRE(empty != nullptr);
  CHECK(empty->grow(1) == uint32_t(-1));
}

TEST_CASE("memory limit: instantiation with a larger minimum fails") {
  Store s;
  s.limits.max_memory_bytes = 2 * kPageSize;
  auto big = instantiate(s, compile_wat_module("(module (memory 3))"), {});
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == ErrorKind::Uninstantiable);
  CHECK(big.error().message.find("memory limit") != std::string::npos);
  instantiate_ok(s, compile_wat_module("(module (memory 2))"));
  auto more = instantiate(s, compile_wat_module("(module (memory 1))"), {});
  CHECK_FALSE(more.ok());
  instantiate_ok(s, compile_wat_module("(module (memory 0))"));
}

TEST_CASE("memory limit: a snapshot restore gives grown memory back to the budget") {
  Store s;
  s.limits.max_memory_bytes = 2 * kPageSize;
  Instance* inst = instantiate_ok(s, compile_wat_module(kGrower));
  auto snap = StoreSnapshot::capture(s);
  REQUIRE(snap.ok());
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == 1);
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == uint32_t(-1));
  REQUIRE(snap->restore(s).ok());
  CHECK(s.memory_bytes() == kPageSize);
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == 1);
}
