// Unit tests for multi-memory, memory64 and table64: accesses on memory k
// reach memory k only; 64-bit effective addresses never wrap around (near
// 2^32 for i32 memories, near 2^64 for i64 ones) and out-of-bounds accesses
// trap; memory.grow / table.grow answer -1 in the address type; table64
// indices at or above 2^32 are out of bounds; validation names the missing
// memory; memory 0 of 32 bits still compiles to its pinned-register handlers;
// the module codec keeps the i64 address type.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "interp/cache/module_codec.h"
#include "interp/exec/code.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

Result<std::vector<Value>> call(Store& s, Instance* inst, const char* name, std::vector<Value> args) {
  return call_export(s, inst, name, std::move(args));
}

uint64_t call_i64(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), name << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  return (*r)[0].i64;
}

void check_trap(Store& s, Instance* inst, const char* name, std::vector<Value> args, const char* msg) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK(r.error().message.find(msg) != std::string::npos);
}

// Whether the compiled code of defined function `def` uses handler `id`.
bool uses_handler(const Module& m, uint32_t def, exec::H id) {
  auto f = exec::compile_function(m, def, false);
  REQUIRE(f.ok());
  const void* want = exec::handler_labels()[size_t(id)];
  const auto& code = (*f)->code;
  return std::any_of(code.begin(), code.end(), [&](const exec::Word& w) { return w.h == want; });
}

constexpr const char* kTwo = R"((module
  (memory $a 1)
  (memory $b 2 4)
  (data (memory $b) (i32.const 8) "\2a")
  (func (export "st_b") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
  (func (export "ld_a") (param i32) (result i32) (i32.load $a (local.get 0)))
  (func (export "ld_b") (param i32) (result i32) (i32.load $b (local.get 0)))
  (func (export "ld_b_off") (param i32) (result i32) (i32.load $b offset=4294967295 (local.get 0)))
  (func (export "size_b") (result i32) (memory.size $b))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "copy_ba") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill_b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "ld_a_fast") (param i32) (result i32) (i32.load offset=4 (local.get 0))))
)";

}  // namespace

TEST_CASE("multi-memory: each memory instruction reaches only its memory") {
  auto m = compile_wat_module(kTwo);
  Store s;
  Instance* inst = instantiate_ok(s, m);
  CHECK(call_i32(s, inst, "ld_b", {val_i32(8)}) == 42);   // the data segment went to $b
  CHECK(call_i32(s, inst, "ld_a", {val_i32(8)}) == 0);
  REQUIRE(call(s, inst, "st_b", {val_i32(100), val_i32(0x12345678)}).ok());
  CHECK(call_i32(s, inst, "ld_b", {val_i32(100)}) == 0x12345678);
  CHECK(call_i32(s, inst, "ld_a", {val_i32(100)}) == 0);
  // $b is 2 pages: its last word is in bounds, one byte further is not
  CHECK(call_i32(s, inst, "ld_b", {val_i32(2 * 65536 - 4)}) == 0);
  check_trap(s, inst, "ld_b", {val_i32(2 * 65536 - 3)}, "out of bounds memory access");
  // offset 2^32-1 plus address 1: 2^32, beyond any i32 memory (no wrap to 0)
  check_trap(s, inst, "ld_b_off", {val_i32(1)}, "out of bounds memory access");
  check_trap(s, inst, "ld_b_off", {val_i32(0xFFFFFFFF)}, "out of bounds memory access");
  CHECK(call_i32(s, inst, "size_b") == 2);
  CHECK(call_i32(s, inst, "grow_b", {val_i32(2)}) == 2);
  CHECK(call_i32(s, inst, "grow_b", {val_i32(1)}) == 0xFFFFFFFFu);  // max 4
  CHECK(call_i32(s, inst, "size_b") == 4);
  // copy $b[100..104) -> $a[0..4), then fill in $b only
  REQUIRE(call(s, inst, "copy_ba", {val_i32(0), val_i32(100), val_i32(4)}).ok());
  CHECK(call_i32(s, inst, "ld_a", {val_i32(0)}) == 0x12345678);
  REQUIRE(call(s, inst, "fill_b", {val_i32(0), val_i32(0xAB), val_i32(4)}).ok());
  CHECK(call_i32(s, inst, "ld_b", {val_i32(0)}) == 0xABABABABu);
  CHECK(call_i32(s, inst, "ld_a", {val_i32(0)}) == 0x12345678);
  check_trap(s, inst, "copy_ba", {val_i32(65535), val_i32(0), val_i32(2)}, "out of bounds memory access");
  check_trap(s, inst, "fill_b", {val_i32(0xFFFFFFFF), val_i32(0), val_i32(2)}, "out of bounds memory access");
}

TEST_CASE("multi-memory: memory 0 of 32 bits keeps its pinned-register handlers") {
  auto m = compile_wat_module(kTwo);
  auto index_of = [&](std::string_view name) {
    for (const Export& e : m->exports)
      if (e.name == name) return e.index;
    FAIL("no export");
    return 0u;
  };
  CHECK(uses_handler(*m, index_of("ld_a_fast"), exec::H::I32Load_r));
  CHECK(!uses_handler(*m, index_of("ld_a_fast"), exec::H::MemSel));
  CHECK(uses_handler(*m, index_of("ld_a"), exec::H::I32Load_r));
  CHECK(!uses_handler(*m, index_of("ld_a"), exec::H::MemSel));
  CHECK(uses_handler(*m, index_of("size_b"), exec::H::MemorySizeX));
  CHECK(uses_handler(*m, index_of("ld_b"), exec::H::MemSel));
  CHECK(uses_handler(*m, index_of("ld_b"), exec::H::MemRestore));
}

TEST_CASE("memory64: i64 addresses and offsets never wrap around") {
  auto m = compile_wat_module(R"((module
    (memory i64 1 3)
    (data (i64.const 16) "\01\02\03\04")
    (func (export "ld") (param i64) (result i32) (i32.load (local.get 0)))
    (func (export "ld_off") (param i64) (result i32) (i32.load offset=18446744073709551615 (local.get 0)))
    (func (export "ld_off32") (param i64) (result i32) (i32.load8_u offset=4294967296 (local.get 0)))
    (func (export "st") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
    (func (export "size") (result i64) (memory.size))
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
    (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2))))
  )");
  Store s;
  Instance* inst = instantiate_ok(s, m);
  CHECK(call_i32(s, inst, "ld", {val_i64(16)}) == 0x04030201u);
  CHECK(call_i32(s, inst, "ld", {val_i64(65532)}) == 0);
  check_trap(s, inst, "ld", {val_i64(65533)}, "out of bounds memory access");
  // 2^32 + 16 must not alias address 16
  check_trap(s, inst, "ld", {val_i64((uint64_t(1) << 32) + 16)}, "out of bounds memory access");
  check_trap(s, inst, "ld", {val_i64(~uint64_t(0))}, "out of bounds memory access");
  check_trap(s, inst, "ld", {val_i64(~uint64_t(0) - 2)}, "out of bounds memory access");
  // address + offset overflows 2^64: a trap, not address (addr - 1)
  check_trap(s, inst, "ld_off", {val_i64(17)}, "out of bounds memory access");
  check_trap(s, inst, "ld_off", {val_i64(0)}, "out of bounds memory access");
  check_trap(s, inst, "ld_off32", {val_i64(16)}, "out of bounds memory access");
  check_trap(s, inst, "st", {val_i64((uint64_t(1) << 32)), val_i32(1)}, "out of bounds memory access");
  CHECK(call_i32(s, inst, "ld", {val_i64(0)}) == 0);  // nothing was written
  CHECK(call_i64(s, inst, "size") == 1);
  CHECK(call_i64(s, inst, "grow", {val_i64(1)}) == 1);
  CHECK(call_i64(s, inst, "grow", {val_i64(uint64_t(1) << 32)}) == ~uint64_t(0));  // -1 as i64
  CHECK(call_i64(s, inst, "grow", {val_i64(~uint64_t(0))}) == ~uint64_t(0));
  CHECK(call_i64(s, inst, "size") == 2);
  check_trap(s, inst, "fill", {val_i64(~uint64_t(0)), val_i32(0), val_i64(2)}, "out of bounds memory access");
  check_trap(s, inst, "fill", {val_i64(1), val_i32(0), val_i64(~uint64_t(0))}, "out of bounds memory access");
  REQUIRE(call(s, inst, "fill", {val_i64(2 * 65536), val_i32(0), val_i64(0)}).ok());  // at the end, n = 0
}

TEST_CASE("table64: i64 indices, sizes and -1 from table.grow; indices at 2^32 are out of bounds") {
  auto m = compile_wat_module(R"((module
    (table $t i64 2 funcref)
    (func $f (result i32) (i32.const 7))
    (elem (table $t) (i64.const 0) func $f)
    (func (export "size") (result i64) (table.size $t))
    (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "isnull") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
    (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0))))
  )");
  Store s;
  Instance* inst = instantiate_ok(s, m);
  CHECK(call_i64(s, inst, "size") == 2);
  CHECK(call_i32(s, inst, "call", {val_i64(0)}) == 7);
  CHECK(call_i32(s, inst, "isnull", {val_i64(0)}) == 0);
  CHECK(call_i32(s, inst, "isnull", {val_i64(1)}) == 1);
  check_trap(s, inst, "isnull", {val_i64(uint64_t(1) << 32)}, "out of bounds table access");
  check_trap(s, inst, "call", {val_i64(uint64_t(1) << 32)}, "undefined element");
  check_trap(s, inst, "call", {val_i64(~uint64_t(0))}, "undefined element");
  CHECK(call_i64(s, inst, "grow", {val_i64(uint64_t(1) << 32)}) == ~uint64_t(0));
  CHECK(call_i64(s, inst, "grow", {val_i64(3)}) == 2);
  CHECK(call_i64(s, inst, "size") == 5);
}

TEST_CASE("multi-memory and memory64 validation: missing memories and address types by name") {
  CHECK(invalid_message(R"((module (memory 1) (func (drop (i32.load 1 (i32.const 0))))))")
            .find("unknown memory 1") != std::string::npos);
  CHECK(invalid_message(R"((module (memory 1) (func (drop (memory.size 2)))))").find("unknown memory 2") !=
        std::string::npos);
  CHECK(invalid_message(R"((module (memory 1) (memory 1) (func (memory.copy 0 3 (i32.const 0) (i32.const 0) (i32.const 0)))))")
            .find("unknown memory 3") != std::string::npos);
  // an i64 memory takes i64 addresses; an i32 one i32 addresses
  CHECK(invalid_message(R"((module (memory i64 1) (func (drop (i32.load (i32.const 0))))))").find("type mismatch") !=
        std::string::npos);
  CHECK(invalid_message(R"((module (memory 1) (memory i64 1) (func (drop (i32.load 1 (i32.const 0))))))")
            .find("type mismatch") != std::string::npos);
  // memory.copy between i32 and i64 memories: the length is i32
  CHECK(invalid_message(R"((module (memory 1) (memory i64 1)
      (func (memory.copy 1 0 (i64.const 0) (i32.const 0) (i64.const 0)))))")
            .find("type mismatch") != std::string::npos);
  compile_wat_module(R"((module (memory 1) (memory i64 1)
      (func (memory.copy 1 0 (i64.const 0) (i32.const 0) (i32.const 0)))))");
  CHECK(invalid_message(R"((module (memory i64 0x1000000000001)))").find("2^48") != std::string::npos);
  compile_wat_module(R"((module (memory i64 0 0x1000000000000)))");
}

TEST_CASE("module codec: memory64 and table64 address types survive the round trip") {
  auto m = compile_wat_module(R"((module (import "m" "mem" (memory i64 1))
      (memory 1) (memory i64 2 0x1000000000000) (table i64 1 funcref)))");
  std::vector<uint8_t> enc = encode_module(*m);
  auto back = decode_cached_module(enc, m->bytes);
  REQUIRE(back.ok());
  REQUIRE(back->memories.size() == 2);
  CHECK(!back->memories[0].limits.is64);
  CHECK(back->memories[1].limits.is64);
  CHECK(back->memories[1].limits.max == (uint64_t(1) << 48));
  CHECK(back->tables[0].limits.is64);
  CHECK(back->imported_memories[0].limits.is64);
  CHECK(back->imports[0].memory.limits.is64);
  CHECK(encode_module(*back) == enc);
}
