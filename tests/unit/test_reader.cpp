// Unit tests for interp/reader: LEB128, UTF-8 names (base/utf8.h), instruction reading.
#include <doctest/doctest.h>

#include <vector>

#include "base/utf8.h"
#include "interp/reader.h"

using namespace wippy;

static Reader rd(const std::vector<uint8_t>& v) { return Reader(std::span<const uint8_t>(v)); }

TEST_CASE("unsigned LEB128 u32") {
  std::vector<uint8_t> a{0xE5, 0x8E, 0x26};
  auto r = rd(a);
  CHECK(r.u32() == 624485u);
  CHECK(r.ok());
  std::vector<uint8_t> max{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  auto r2 = rd(max);
  CHECK(r2.u32() == 0xFFFFFFFFu);
  CHECK(r2.ok());
  std::vector<uint8_t> big{0xFF, 0xFF, 0xFF, 0xFF, 0x1F};  // unused bits set
  auto r3 = rd(big);
  r3.u32();
  CHECK_FALSE(r3.ok());
  CHECK(r3.error().find("integer too large") != std::string::npos);
  std::vector<uint8_t> longer{0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  auto r4 = rd(longer);
  r4.u32();
  CHECK(r4.error().find("integer representation too long") != std::string::npos);
  std::vector<uint8_t> trunc{0x80, 0x80};
  auto r5 = rd(trunc);
  r5.u32();
  CHECK_FALSE(r5.ok());
  CHECK(r5.error().find("offset 2") != std::string::npos);
}

TEST_CASE("signed LEB128") {
  std::vector<uint8_t> m1{0x7F};
  CHECK(rd(m1).s32() == -1);
  std::vector<uint8_t> min32{0x80, 0x80, 0x80, 0x80, 0x78};
  auto r = rd(min32);
  CHECK(r.s32() == INT32_MIN);
  CHECK(r.ok());
  std::vector<uint8_t> bad{0x80, 0x80, 0x80, 0x80, 0x70};  // sign bits not extended
  auto r2 = rd(bad);
  r2.s32();
  CHECK_FALSE(r2.ok());
  std::vector<uint8_t> min64{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F};
  auto r3 = rd(min64);
  CHECK(r3.s64() == INT64_MIN);
  CHECK(r3.ok());
  std::vector<uint8_t> bad64{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x41};
  auto r4 = rd(bad64);
  r4.s64();
  CHECK_FALSE(r4.ok());
}

TEST_CASE("UTF-8 validation") {
  std::vector<uint8_t> ok{'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80};
  CHECK(valid_utf8(ok));
  std::vector<uint8_t> overlong{0xC0, 0x80};
  CHECK_FALSE(valid_utf8(overlong));
  std::vector<uint8_t> surrogate{0xED, 0xA0, 0x80};
  CHECK_FALSE(valid_utf8(surrogate));
  std::vector<uint8_t> truncated{0xE2, 0x82};
  CHECK_FALSE(valid_utf8(truncated));
}

TEST_CASE("instruction reader") {
  // i32.const -1 ; br_table 0 1 2 ; 0xFC 10 memory.copy ; unknown 0xFF
  std::vector<uint8_t> code{0x41, 0x7F, 0x0E, 0x02, 0x00, 0x01, 0x02, 0xFC, 0x0A, 0x00, 0x00, 0xFF};
  Reader r = rd(code);
  Instr in;
  REQUIRE(read_instr(r, in));
  CHECK(in.op == Op::I32Const);
  CHECK(int32_t(in.imm64) == -1);
  REQUIRE(read_instr(r, in));
  CHECK(in.op == Op::BrTable);
  CHECK(in.targets == std::vector<uint32_t>{0, 1, 2});
  REQUIRE(read_instr(r, in));
  CHECK(in.op == Op::MemoryCopy);
  CHECK_FALSE(read_instr(r, in));
  CHECK(r.error().find("illegal opcode ff") != std::string::npos);
  CHECK(op_from_text("i64.trunc_sat_f64_u") == Op::I64TruncSatF64U);
  CHECK(op_info(Op::I64Load32U).align == 2);
}
