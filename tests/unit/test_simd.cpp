// Unit tests for SIMD execution: the lane rules of interp/exec/simd_lanes.h
// where x86 SSE instructions would answer differently (min/max with NaN and
// signed zeros, float->int saturation, narrowing, q15mulr, rounding), and
// the wide-function calling convention (v128 values packed in two slots
// across calls, call_indirect, globals and invoke).
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "interp/decode/decode.h"
#include "interp/exec/simd_lanes.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "wat_module.h"

using namespace wippy;
namespace simd = wippy::exec::simd;

using wippy::testing::load_wat;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kInfD = std::numeric_limits<double>::infinity();
uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }
bool is_quiet_nan(float f) { return (bits(f) & 0x7fc00000u) == 0x7fc00000u; }
bool is_quiet_nan(double d) { return (bits(d) & 0x7ff8000000000000ull) == 0x7ff8000000000000ull; }


}  // namespace

TEST_CASE("simd lanes: f32x4/f64x2 min and max propagate NaN and order -0 < +0") {
  float qnan = std::bit_cast<float>(0x7fc00000u), snan = std::bit_cast<float>(0x7fa00000u);
  simd::f32x4 a = {qnan, -0.0f, 0.0f, 1.0f}, b = {1.0f, 0.0f, -0.0f, snan};
  simd::f32x4 mn = simd::fmin(a, b), mx = simd::fmax(a, b);
  // minps/maxps would return the second operand for a NaN and for equal zeros
  CHECK(is_quiet_nan(mn[0]));
  CHECK(is_quiet_nan(mx[0]));
  CHECK(bits(mn[1]) == bits(-0.0f));
  CHECK(bits(mx[1]) == bits(0.0f));
  CHECK(bits(mn[2]) == bits(-0.0f));
  CHECK(bits(mx[2]) == bits(0.0f));
  CHECK(is_quiet_nan(mn[3]));  // a signalling NaN input comes out quiet
  CHECK(is_quiet_nan(mx[3]));
  simd::f64x2 c = {-0.0, std::nan("")}, d = {0.0, -kInfD};
  CHECK(bits(simd::fmin(c, d)[0]) == bits(-0.0));
  CHECK(bits(simd::fmax(d, c)[0]) == bits(0.0));
  CHECK(is_quiet_nan(simd::fmin(c, d)[1]));
}

TEST_CASE("simd lanes: pmin/pmax are b < a ? b : a and a < b ? b : a exactly") {
  float qnan = std::bit_cast<float>(0x7fc00001u);
  simd::f32x4 a = {qnan, 1.0f, -0.0f, 2.0f}, b = {1.0f, qnan, 0.0f, -3.0f};
  simd::f32x4 pmn = simd::pmin(a, b), pmx = simd::pmax(a, b);
  CHECK(bits(pmn[0]) == 0x7fc00001u);  // NaN compare false: a, payload kept
  CHECK(bits(pmn[1]) == bits(1.0f));
  CHECK(bits(pmn[2]) == bits(-0.0f));  // equal zeros: a
  CHECK(bits(pmx[2]) == bits(-0.0f));
  CHECK(pmn[3] == -3.0f);
  CHECK(pmx[3] == 2.0f);
  CHECK(bits(pmx[0]) == 0x7fc00001u);
}

TEST_CASE("simd lanes: saturating float->int conversions (cvttps2dq gives 0x80000000)") {
  float nan = std::nanf("");
  simd::f32x4 a = {nan, kInf, -kInf, 2147483648.0f};
  simd::i32x4 s = simd::trunc_sat_f32<int32_t>(a);
  CHECK(s[0] == 0);
  CHECK(s[1] == INT32_MAX);
  CHECK(s[2] == INT32_MIN);
  CHECK(s[3] == INT32_MAX);
  simd::f32x4 b = {-1.5f, 4294967296.0f, 4294967040.0f, -0.9f};
  simd::u32x4 u = simd::trunc_sat_f32<uint32_t>(b);
  CHECK(u[0] == 0);
  CHECK(u[1] == UINT32_MAX);
  CHECK(u[2] == 4294967040u);
  CHECK(u[3] == 0);
  simd::f64x2 c = {-2147483649.0, 2147483647.9};
  simd::i32x4 z = simd::trunc_sat_f64_zero<int32_t>(c);
  CHECK(z[0] == INT32_MIN);
  CHECK(z[1] == INT32_MAX);
  CHECK(z[2] == 0);
  CHECK(z[3] == 0);
  simd::f64x2 e = {std::nan(""), 4294967295.9};
  simd::u32x4 zu = simd::trunc_sat_f64_zero<uint32_t>(e);
  CHECK(zu[0] == 0);
  CHECK(zu[1] == UINT32_MAX);
  // unsigned -> float rounds to nearest (cvtdq2ps alone would read it signed)
  simd::f32x4 f = simd::convert_f32(simd::u32x4{0xffffffffu, 0x80000000u, 1u, 0x01000001u});
  CHECK(f[0] == 4294967296.0f);
  CHECK(f[1] == 2147483648.0f);
  CHECK(f[3] == 16777216.0f);  // 2^24 + 1 ties to even
}

TEST_CASE("simd lanes: narrowing saturates per lane, signed input for the unsigned forms") {
  simd::i16x8 a = {-129, -128, 127, 128, 300, -300, 0, 255}, b = {1, 2, 3, 4, 5, 6, 7, -1};
  simd::i8x16 s = simd::narrow<simd::i8x16>(a, b);
  CHECK(s[0] == -128);
  CHECK(s[1] == -128);
  CHECK(s[2] == 127);
  CHECK(s[3] == 127);
  CHECK(s[4] == 127);
  CHECK(s[5] == -128);
  CHECK(s[15] == -1);
  simd::u8x16 u = simd::narrow<simd::u8x16>(a, b);
  CHECK(u[0] == 0);
  CHECK(u[3] == 128);
  CHECK(u[4] == 255);
  CHECK(u[7] == 255);
  CHECK(u[15] == 0);  // -1 -> 0 (packuswb semantics, not a bit reinterpretation)
  simd::i32x4 w = {70000, -70000, 65535, -1};
  simd::u16x8 n = simd::narrow<simd::u16x8>(w, w);
  CHECK(n[0] == 65535);
  CHECK(n[1] == 0);
  CHECK(n[2] == 65535);
  CHECK(n[3] == 0);
}

TEST_CASE("simd lanes: q15mulr saturates only -1 * -1, dot wraps, abs of the minimum") {
  simd::i16x8 a = {-32768, -32768, 16384, 1, -1, 32767, 0, -32767};
  simd::i16x8 b = {-32768, 32767, 16384, 1, 1, 32767, 5, -32767};
  simd::i16x8 q = simd::q15mulr_sat(a, b);
  CHECK(q[0] == 32767);  // pmulhrsw gives -32768 here
  CHECK(q[1] == -32767);
  CHECK(q[2] == 8192);
  CHECK(q[3] == 0);
  CHECK(q[5] == 32766);
  simd::i32x4 d = simd::dot(simd::i16x8{-32768, -32768, 1, 2, 0, 0, -1, 3},
                            simd::i16x8{-32768, -32768, 3, 4, 0, 0, 7, 1});
  CHECK(uint32_t(d[0]) == 0x80000000u);
  CHECK(d[1] == 11);
  CHECK(d[3] == -4);
  simd::i8x16 m = simd::abs(simd::i8x16{-128, -1, 5, 0});
  CHECK(m[0] == -128);
  CHECK(m[1] == 1);
  CHECK(simd::avgr(simd::u8x16{255, 0, 1}, simd::u8x16{255, 1, 2})[0] == 255);
}

TEST_CASE("simd lanes: rounding keeps signs, quiets NaN; shifts take the count modulo the lane width") {
  simd::f32x4 n = simd::nearest(simd::f32x4{2.5f, -0.5f, 3.5f, std::bit_cast<float>(0x7fa00000u)});
  CHECK(n[0] == 2.0f);
  CHECK(bits(n[1]) == bits(-0.0f));
  CHECK(n[2] == 4.0f);
  CHECK(is_quiet_nan(n[3]));
  simd::f64x2 c = simd::ceil(simd::f64x2{-0.5, 1.1});
  CHECK(bits(c[0]) == bits(-0.0));
  CHECK(c[1] == 2.0);
  CHECK(simd::shl(simd::u8x16{1}, 9)[0] == 2);
  CHECK(simd::shr(simd::i16x8{-32768}, 17)[0] == -16384);
  CHECK(simd::shr(simd::u64x2{8}, 67)[0] == 1);
  simd::i8x16 sw = simd::swizzle(simd::i8x16{10, 11, 12}, simd::u8x16{2, 16, 255, 0});
  CHECK(sw[0] == 12);
  CHECK(sw[1] == 0);
  CHECK(sw[2] == 0);
  CHECK(sw[3] == 10);
}

TEST_CASE("simd exec: v128 params, results, locals and globals cross calls packed") {
  Store store;
  Instance* inst = load_wat(store, R"((module
    (type $t (func (param i32 v128 f64 v128) (result v128 i32)))
    (table 1 funcref)
    (elem (i32.const 0) $mix)
    (global $g (mut v128) (v128.const i32x4 1 2 3 4))
    ;; a narrow-typed function using SIMD inside
    (func $sum (export "sum") (param i32 i32) (result i32)
      (local v128)
      (local.set 2 (i32x4.splat (local.get 0)))
      (i32x4.extract_lane 3 (i32x4.add (local.get 2) (i32x4.splat (local.get 1)))))
    (func $mix (param i32 v128 f64 v128) (result v128 i32)
      (i32x4.add (local.get 1) (local.get 3))
      (i32.add (local.get 0) (i32.trunc_f64_s (local.get 2))))
    ;; calls wide -> wide, wide -> narrow, and call_indirect with v128
    (func (export "run") (param v128) (result v128 i32 i32)
      (local i32)
      (call $mix (i32.const 5) (local.get 0) (f64.const 2.5) (global.get $g))
      (local.set 1)
      (global.set $g)
      (call_indirect (type $t) (i32.const 7) (global.get $g) (f64.const 1.0) (local.get 0) (i32.const 0))
      (drop)
      (local.get 1)
      (call $sum (i32.const 20) (i32.const 22)))
    (func (export "g") (result v128) (global.get $g))))");
  FuncInst* run = inst->export_func("run");
  REQUIRE(run != nullptr);
  // v128 argument i32x4 10 20 30 40, packed as two Values
  uint32_t lanes[4] = {10, 20, 30, 40};
  uint64_t lo, hi;
  std::memcpy(&lo, lanes, 8);
  std::memcpy(&hi, lanes + 2, 8);
  auto r = invoke(store, run, std::vector<Value>{val_i64(lo), val_i64(hi)});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 4);  // v128 (2 slots), i32, i32
  uint32_t out[4];
  std::memcpy(out, &(*r)[0].i64, 8);
  std::memcpy(out + 2, &(*r)[1].i64, 8);
  // $g = (10 20 30 40) + (1 2 3 4); result = $g + (10 20 30 40)
  CHECK(out[0] == 21);
  CHECK(out[1] == 42);
  CHECK(out[2] == 63);
  CHECK(out[3] == 84);
  CHECK((*r)[2].i32 == 7);
  CHECK((*r)[3].i32 == 42);
  auto g = invoke(store, inst->export_func("g"), std::vector<Value>{});
  REQUIRE(g.ok());
  REQUIRE(g->size() == 2);
  uint32_t gl[4];
  std::memcpy(gl, &(*g)[0].i64, 8);
  std::memcpy(gl + 2, &(*g)[1].i64, 8);
  CHECK(gl[0] == 11);
  CHECK(gl[3] == 44);
  // the wrong count of slots is refused, not read past
  auto bad = invoke(store, run, std::vector<Value>{val_i64(lo)});
  CHECK(!bad.ok());
}

TEST_CASE("simd exec: out-of-bounds v128 and lane accesses trap") {
  Store store;
  Instance* inst = load_wat(store, R"((module (memory 1)
    (func (export "ld") (param i32) (result v128) (v128.load offset=1 (local.get 0)))
    (func (export "st") (param i32) (v128.store32_lane 3 (local.get 0) (v128.const i64x2 -1 -1)))))");
  auto ok = invoke(store, inst->export_func("ld"), std::vector<Value>{val_i32(65536 - 17)});
  CHECK(ok.ok());
  auto oob = invoke(store, inst->export_func("ld"), std::vector<Value>{val_i32(65536 - 16)});
  REQUIRE(!oob.ok());
  CHECK(oob.error().kind == ErrorKind::Trap);
  CHECK(invoke(store, inst->export_func("st"), std::vector<Value>{val_i32(65532)}).ok());
  auto st = invoke(store, inst->export_func("st"), std::vector<Value>{val_i32(65533)});
  REQUIRE(!st.ok());
  CHECK(st.error().kind == ErrorKind::Trap);
}

TEST_CASE("simd lanes: relaxed SIMD's deterministic choices") {
  // dot: signed x signed, the i16 pair sum saturates
  simd::i16x8 d = simd::relaxed_dot(simd::i8x16{-128, -128, -128, -127, 3, 4}, simd::i8x16{-128, -128, -127, -127, 5, 6});
  CHECK(d[0] == 32767);
  CHECK(d[1] == 32385);
  CHECK(d[2] == 39);
  simd::i32x4 a = simd::relaxed_dot_add(simd::i8x16{-128, -128, -128, -128}, simd::i8x16{-127, -127, -127, -127},
                                        simd::i32x4{1, 2, 3, 4});
  CHECK(a[0] == 65025);
  CHECK(a[1] == 2);
  // madd is unfused: (1 + 2^-23)^2 rounds its 2^-46 term away before the add
  float x = 1.0f + 0x1p-23f;
  simd::f32x4 m = simd::madd(simd::f32x4{x}, simd::f32x4{x}, simd::f32x4{-1.0f});
  CHECK(m[0] == 0x1p-22f);
}

TEST_CASE("simd exec: a v128.load folded into f64x2.add / i32x4.mul reads and bounds-checks memory") {
  Store store;
  Instance* inst = load_wat(store, R"((module (memory 1)
    (data (i32.const 16) "\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\00\40")
    (data (i32.const 48) "\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00")
    (func (export "addm") (param i32) (result f64)
      (f64x2.extract_lane 1 (f64x2.add (f64x2.splat (f64.const 0.5)) (v128.load offset=8 (local.get 0)))))
    (func (export "mulm") (param i32) (result i32)
      (i32x4.extract_lane 3 (i32x4.mul (i32x4.splat (i32.const 10)) (v128.load (i32.add (local.get 0) (i32.const 40))))))))");
  auto r = invoke(store, inst->export_func("addm"), std::vector<Value>{val_i32(8)});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK((*r)[0].f64 == 2.5);
  auto m = invoke(store, inst->export_func("mulm"), std::vector<Value>{val_i32(8)});
  REQUIRE(m.ok());
  CHECK((*m)[0].i32 == 50);
  auto oob = invoke(store, inst->export_func("addm"), std::vector<Value>{val_i32(65536 - 23)});
  REQUIRE(!oob.ok());
  CHECK(oob.error().kind == ErrorKind::Trap);
  auto wrap = invoke(store, inst->export_func("mulm"), std::vector<Value>{val_i32(0xFFFFFFF0u)});
  CHECK(wrap.ok());  // u32(addr + 40) wraps to 24: in bounds
}

TEST_CASE("simd exec: merged 16-byte moves in wide functions (MovW2..4, MovsBrW) copy whole slots in order") {
  Store store;
  // fibv rotates v128 and i64 locals (consecutive local moves: MovW2..4);
  // fibp carries them as loop parameters (the moves before the back-edge
  // and the jump: MovsBrChkW). Both return (F(n) * (1 2 3 4), F(n)).
  Instance* inst = load_wat(store, R"((module
    (func (export "fibv") (param i32) (result v128 i64)
      (local $a v128) (local $b v128) (local $t v128) (local $x i64) (local $y i64) (local $u i64)
      (local.set $b (v128.const i32x4 1 2 3 4))
      (local.set $y (i64.const 1))
      (block $done
        (loop $l
          (br_if $done (i32.eqz (local.get 0)))
          (local.set $t (i32x4.add (local.get $a) (local.get $b)))
          (local.set $u (i64.add (local.get $x) (local.get $y)))
          (local.set $a (local.get $b))
          (local.set $b (local.get $t))
          (local.set $x (local.get $y))
          (local.set $y (local.get $u))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $l)))
      (local.get $a) (local.get $x))
    (func (export "fibp") (param i32) (result v128 i64)
      (local $a v128) (local $b v128) (local $x i64) (local $y i64) (local $n i32)
      (v128.const i32x4 0 0 0 0) (v128.const i32x4 1 2 3 4) (i64.const 0) (i64.const 1) (local.get 0)
      (loop $l (param v128 v128 i64 i64 i32) (result v128 v128 i64 i64 i32)
        (local.set $n) (local.set $y) (local.set $x) (local.set $b) (local.set $a)
        (if (local.get $n) (then
          (local.get $b) (i32x4.add (local.get $a) (local.get $b))
          (local.get $y) (i64.add (local.get $x) (local.get $y))
          (i32.sub (local.get $n) (i32.const 1))
          (br $l)))
        (local.get $a) (local.get $b) (local.get $x) (local.get $y) (local.get $n))
      (drop) (drop) (local.set $x) (drop) (local.get $x))))");
  for (const char* name : {"fibv", "fibp"}) {
    for (uint32_t n : {0u, 1u, 10u, 90u}) {
      CAPTURE(name);
      CAPTURE(n);
      uint64_t fa = 0, fb = 1;
      for (uint32_t i = 0; i < n; ++i) {
        uint64_t t = fa + fb;
        fa = fb;
        fb = t;
      }
      auto r = invoke(store, inst->export_func(name), std::vector<Value>{val_i32(n)});
      REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
      REQUIRE(r->size() == 3);  // v128 (2 slots), i64
      uint32_t lanes[4];
      std::memcpy(lanes, &(*r)[0].i64, 8);
      std::memcpy(lanes + 2, &(*r)[1].i64, 8);
      for (uint32_t k = 0; k < 4; ++k) CHECK(lanes[k] == uint32_t(fa) * (k + 1));
      CHECK((*r)[2].i64 == fa);
    }
  }
}
