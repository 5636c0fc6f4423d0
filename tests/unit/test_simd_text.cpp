// Unit tests for SIMD in the WAT text format (interp/text): every 0xFD row of
// the opcode table, written with its immediates, encodes to the expected
// bytes; the bytes, printed back to text by the small instruction printer
// below, parse to the same binary; v128.const in every lane shape (signed
// and unsigned integers, hex floats, inf, NaN payloads) gives the exact lane
// bits; out-of-range literals and lane counts are malformed text.
#include <doctest/doctest.h>

#include <span>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "interp/decode/decode.h"
#include "interp/opcodes.h"
#include "interp/reader.h"
#include "interp/text/binary_writer.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"

using namespace wippy;

namespace {

using wippy::Bytes;
using wippy::put_u32;

// A module whose one function's body is `body`; the code section comes last,
// so the binary ends with the body's instruction bytes and 0x0b.
std::string module_text(const std::string& body) { return "(module (memory 1) (func " + body + "))"; }

Bytes encode(const std::string& body) {
  auto bin = wat_to_wasm(module_text(body));
  REQUIRE_MESSAGE(bin.ok(), body << ": " << (bin.ok() ? "" : bin.error().message));
  return *bin;
}

// The lane count a lane immediate indexes, from the mnemonic's shape
// (i8x16.extract_lane_s) or its access width (v128.load16_lane).
unsigned lane_count(std::string_view text) {
  for (auto [prefix, n] : {std::pair{"i8x16", 16u}, {"i16x8", 8u}, {"i32x4", 4u}, {"f32x4", 4u}, {"i64x2", 2u},
                           {"f64x2", 2u}, {"v128.load8_", 16u}, {"v128.store8_", 16u}, {"v128.load16_", 8u},
                           {"v128.store16_", 8u}, {"v128.load32_", 4u}, {"v128.store32_", 4u},
                           {"v128.load64_", 2u}, {"v128.store64_", 2u}})
    if (text.starts_with(prefix)) return n;
  return 0;
}

// The text of one instruction with sample immediates, and its expected bytes.
struct Form {
  std::string text;
  Bytes bytes;
};

Form sample_form(const OpInfo& info, uint32_t offset) {
  Form f{info.text, {0xFD}};
  put_u32(f.bytes, info.code);
  auto memarg = [&] {
    if (offset) f.text += fmt::format(" offset={}", offset);
    f.text += fmt::format(" align={}", 1u << info.align);
    put_u32(f.bytes, info.align);
    put_u32(f.bytes, offset);
  };
  switch (info.imm) {
    case ImmKind::None: break;
    case ImmKind::MemArg: memarg(); break;
    case ImmKind::MemArgLane: {
      memarg();
      unsigned last = lane_count(info.text) - 1;
      f.text += fmt::format(" {}", last);
      f.bytes.push_back(uint8_t(last));
      break;
    }
    case ImmKind::Lane: {
      unsigned last = lane_count(info.text) - 1;
      f.text += fmt::format(" {}", last);
      f.bytes.push_back(uint8_t(last));
      break;
    }
    case ImmKind::V128:
      f.text += " i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 255";
      for (int i = 0; i < 15; ++i) f.bytes.push_back(uint8_t(i));
      f.bytes.push_back(0xff);
      break;
    case ImmKind::Shuffle:
      for (int i = 0; i < 16; ++i) {
        f.text += fmt::format(" {}", 31 - 2 * i);
        f.bytes.push_back(uint8_t(31 - 2 * i));
      }
      break;
    default: FAIL("unexpected immediate kind for ", info.text);
  }
  return f;
}

// Prints the one instruction that `bin` ends with (before the function's
// 0x0b) back to text: a v128 constant as i32x4 hex words, a shuffle as its
// 16 lane indices, a memarg in full.
std::string print_last(const Bytes& bin, size_t instr_size) {
  REQUIRE(bin.size() > instr_size);
  Reader r(std::span<const uint8_t>(bin).subspan(bin.size() - 1 - instr_size, instr_size));
  REQUIRE(r.u8() == 0xFD);
  auto op = op_from_prefixed(0xFD, r.u32());
  REQUIRE(op);
  const OpInfo& info = op_info(*op);
  std::string s = info.text;
  auto memarg = [&] {
    uint32_t align = r.u32();
    uint32_t offset = r.u32();
    s += fmt::format(" offset={} align={}", offset, uint64_t(1) << align);
  };
  switch (info.imm) {
    case ImmKind::None: break;
    case ImmKind::MemArg: memarg(); break;
    case ImmKind::MemArgLane:
      memarg();
      s += fmt::format(" {}", r.u8());
      break;
    case ImmKind::Lane: s += fmt::format(" {}", r.u8()); break;
    case ImmKind::V128:
      s += " i32x4";
      for (int i = 0; i < 4; ++i) s += fmt::format(" 0x{:08x}", r.f32_bits());
      break;
    case ImmKind::Shuffle:
      for (int i = 0; i < 16; ++i) s += fmt::format(" {}", r.u8());
      break;
    default: FAIL("unexpected immediate kind for ", info.text);
  }
  CHECK(r.ok());
  CHECK(r.at_end());
  return s;
}

bool ends_with(const Bytes& bin, const Bytes& tail) {
  return bin.size() > tail.size() && bin.back() == 0x0b &&
         std::equal(tail.begin(), tail.end(), bin.end() - 1 - long(tail.size()));
}

// The 16 bytes of `(v128.const IMM)`.
Bytes v128_const(const std::string& imm) {
  Bytes bin = encode("(drop (v128.const " + imm + "))");
  // v128.const: FD 0C, 16 bytes, then drop (0x1a) and end.
  REQUIRE(bin.size() > 20);
  REQUIRE(bin[bin.size() - 20] == 0xFD);
  REQUIRE(bin[bin.size() - 19] == 0x0C);
  return Bytes(bin.end() - 18, bin.end() - 2);
}

Bytes le_words(std::initializer_list<uint64_t> words, unsigned width) {
  Bytes b;
  for (uint64_t w : words)
    for (unsigned i = 0; i < width; ++i) b.push_back(uint8_t(w >> (8 * i)));
  return b;
}

}  // namespace

TEST_CASE("simd text: every 0xFD instruction form encodes and round-trips through the printer") {
  int forms = 0;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix != 0xFD) continue;
    for (uint32_t offset : {0u, 70000u}) {
      if (offset && info.imm != ImmKind::MemArg && info.imm != ImmKind::MemArgLane) continue;
      Form f = sample_form(info, offset);
      CAPTURE(f.text);
      Bytes bin = encode(f.text);
      CHECK(ends_with(bin, f.bytes));
      std::string printed = print_last(bin, f.bytes.size());
      CAPTURE(printed);
      CHECK(encode(printed) == bin);
      ++forms;
    }
  }
  // 236 SIMD + 20 relaxed, and a second form with an offset for the 22
  // memory-access rows (12 loads/stores, 2 load-zero, 8 lane loads/stores).
  CHECK(forms == 256 + 22);
}

TEST_CASE("simd text: memarg defaults to natural alignment; an explicit one is kept") {
  Bytes def = encode("(drop (v128.load (i32.const 0)))");
  Bytes nat = encode("(drop (v128.load align=16 (i32.const 0)))");
  CHECK(def == nat);
  Bytes low = encode("(drop (v128.load32_splat offset=3 align=1 (i32.const 0)))");
  CHECK(ends_with(low, {0xFD, 0x09, 0x00, 0x03, 0x1a}));
  // the alignment must be a power of two
  CHECK_FALSE(wat_to_wasm(module_text("(drop (v128.load align=3 (i32.const 0)))")).ok());
}

TEST_CASE("simd text: v128.const in every lane shape gives the exact lane bits") {
  CHECK(v128_const("i8x16 0 1 -1 255 -128 127 0x80 0xff 0 0 0 0 0 0 0 0x7f") ==
        Bytes{0, 1, 0xff, 0xff, 0x80, 0x7f, 0x80, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x7f});
  CHECK(v128_const("i16x8 0 -1 65535 -32768 0x7fff 1_000 0 0x1") ==
        le_words({0, 0xffff, 0xffff, 0x8000, 0x7fff, 1000, 0, 1}, 2));
  CHECK(v128_const("i32x4 -1 4294967295 -2147483648 0x12345678") ==
        le_words({0xffffffff, 0xffffffff, 0x80000000, 0x12345678}, 4));
  CHECK(v128_const("i64x2 -9223372036854775808 0xffffffffffffffff") ==
        le_words({0x8000000000000000ull, ~0ull}, 8));
  CHECK(v128_const("f32x4 1.5 -0 0x1p-149 0x1.fffffep127") == le_words({0x3fc00000, 0x80000000, 1, 0x7f7fffff}, 4));
  CHECK(v128_const("f32x4 inf -inf nan -nan") == le_words({0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000}, 4));
  CHECK(v128_const("f32x4 nan:0x1 -nan:0x7fffff nan:0x200000 +inf") ==
        le_words({0x7f800001, 0xffffffff, 0x7fa00000, 0x7f800000}, 4));
  CHECK(v128_const("f64x2 0x1p-1074 -0x1.fffffffffffffp1023") ==
        le_words({1, 0xffefffffffffffffull}, 8));
  CHECK(v128_const("f64x2 nan:0x4000000000000 -inf") == le_words({0x7ff4000000000000ull, 0xfff0000000000000ull}, 8));
  CHECK(v128_const("f64x2 -nan 1e308") == le_words({0xfff8000000000000ull, 0x7fe1ccf385ebc8a0ull}, 8));
  // float lanes round to nearest, ties to even
  CHECK(v128_const("f32x4 0x1.000001p0 0x1.000003p0 0 0") == le_words({0x3f800000, 0x3f800002, 0, 0}, 4));
}

TEST_CASE("simd text: malformed v128 constants and lane immediates") {
  for (const char* bad : {
           "(v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)",  // lane out of range
           "(v128.const i8x16 -129 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)",
           "(v128.const i16x8 65536 0 0 0 0 0 0 0)",
           "(v128.const i32x4 0x100000000 0 0 0)",
           "(v128.const i32x4 1 2 3)",                                  // too few lanes
           "(v128.const i64x2 1 2 3)",                                  // too many
           "(v128.const i32x5 1 2 3 4 5)",                              // unknown shape
           "(v128.const 1 2 3 4)",                                      // no shape
           "(v128.const f32x4 nan:0x0 0 0 0)",                          // NaN payload 0
           "(v128.const f32x4 nan:0x800000 0 0 0)",                     // payload too wide
           "(v128.const f64x2 1e309 0)",                                // overflows to inf
           "(v128.const f32x4 1.0 2 x 4)",
           "(i8x16.extract_lane_s 256 (v128.const i64x2 0 0))",        // lane is a byte
           "(i8x16.extract_lane_s -1 (v128.const i64x2 0 0))",
           "(i8x16.extract_lane_s (v128.const i64x2 0 0))",            // lane missing
           "(i8x16.shuffle 0 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0))",  // too few indices
       }) {
    CAPTURE(bad);
    auto r = wat_to_wasm(module_text("(drop " + std::string(bad) + ")"));
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.error().kind == ErrorKind::Malformed);
  }
}

TEST_CASE("simd text: lane indices that parse but are out of the shape's range fail validation") {
  auto check_invalid = [](const std::string& body, bool valid) {
    CAPTURE(body);
    auto bin = wat_to_wasm(module_text(body));
    REQUIRE(bin.ok());
    auto m = decode_module(*bin);
    REQUIRE(m.ok());
    CHECK(validate_module(*m).ok() == valid);
  };
  check_invalid("(drop (i8x16.extract_lane_u 15 (v128.const i64x2 0 0)))", true);
  check_invalid("(drop (i8x16.extract_lane_u 16 (v128.const i64x2 0 0)))", false);
  check_invalid("(drop (f64x2.replace_lane 2 (v128.const i64x2 0 0) (f64.const 1)))", false);
  check_invalid("(drop (v128.load64_lane 1 (i32.const 0) (v128.const i64x2 0 0)))", true);
  check_invalid("(drop (v128.load64_lane 2 (i32.const 0) (v128.const i64x2 0 0)))", false);
  check_invalid("(drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) "
                "(v128.const i64x2 0 0)))",
                true);
  check_invalid("(drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32 (v128.const i64x2 0 0) "
                "(v128.const i64x2 0 0)))",
                false);
}
