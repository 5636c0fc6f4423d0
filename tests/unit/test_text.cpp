// Unit tests for interp/text: lexer, numeric literals, the WAT encoder and
// the .wast script parser. Test case names start with "text" so that
// `-tc="*text*"` selects them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "interp/text/lexer.h"
#include "interp/text/numbers.h"
#include "interp/text/wast.h"
#include "interp/text/wat.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::text;

namespace {

using Bytes = std::vector<uint8_t>;

using testing::wat_error;
Bytes wat(std::string_view src) { return testing::wat_bytes(src); }

// The two texts assemble to the same binary (a CHECK; a failure shows
// both texts). Returns the binary of `a`.
Bytes check_same_binary(std::string_view a, std::string_view b) {
  INFO("a: " << a);
  INFO("b: " << b);
  Bytes x = wat(a);
  const Bytes y = wat(b);
  CHECK(x == y);
  return x;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// Each text fails to assemble with a message containing its part (a CHECK
// per text; a failure shows the text and the whole message).
struct Refusal {
  std::string_view text, part;
};
void check_refused(std::initializer_list<Refusal> cases) {
  for (const Refusal& c : cases) {
    const std::string msg = wat_error(c.text);
    INFO("text: " << c.text);
    CHECK_MESSAGE(contains(msg, c.part), msg);
  }
}

uint32_t f32_bits(std::string_view s) {
  uint32_t b = 0;
  REQUIRE(parse_f32(s, b) == NumStatus::Ok);
  return b;
}
uint64_t f64_bits(std::string_view s) {
  uint64_t b = 0;
  REQUIRE(parse_f64(s, b) == NumStatus::Ok);
  return b;
}

const Bytes kHeader{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

Bytes with_header(std::initializer_list<uint8_t> rest) {
  Bytes b = kHeader;
  b.insert(b.end(), rest);
  return b;
}

}  // namespace

TEST_CASE("text lexer: tokens, comments, positions") {
  auto r = lex("(module ;; line\n  (; block (; nested ;) ;) $f \"a\\n\\t\\\\\\'\\\"\\41\\u{1F600}\" 0x1_0)");
  REQUIRE(r);
  const auto& t = r->tokens;
  REQUIRE(t.size() == 7);
  CHECK(t[6].kind == Token::Eof);
  CHECK(t[0].kind == Token::LParen);
  CHECK(t[1].is("module"));
  CHECK(t[2].is_id());
  CHECK(t[2].line == 2);
  CHECK(t[2].col == 28);
  CHECK(t[3].kind == Token::String);
  CHECK(t[3].str == "a\n\t\\'\"A\xF0\x9F\x98\x80");
  CHECK(t[4].text == "0x1_0");
  CHECK(t[5].kind == Token::RParen);
  CHECK(r->match[0] == 5);

  auto glued = lex("(data $l\"a\")");
  REQUIRE(glued);
  CHECK(glued->tokens[2].kind == Token::Reserved);

  auto unclosed = lex("(module (; never closed");
  REQUIRE_FALSE(unclosed);
  CHECK(contains(unclosed.error().message, "1:9:"));
  CHECK_FALSE(lex("\"bad \\q escape\""));
  CHECK_FALSE(lex("\"\\u{D800}\""));
  // unbalanced parens are reported after parsing, so earlier errors win
  auto open = lex("(module");
  REQUIRE(open);
  CHECK(open->has_paren_error);
  auto stray = lex("(a) ) (b)");
  REQUIRE(stray);
  REQUIRE(stray->has_paren_error);
  CHECK(contains(stray->paren_error.message, "1:5: unexpected token )"));
  CHECK(stray->tokens.size() == 4);
  check_refused({
      {"(func (i32.const x))))", "unknown operator x"},
      {"(func (nop)))", "1:13: unexpected token )"},
      {"(module (func (nop))", "unclosed parenthesis"},
  });
}

TEST_CASE("text lexer: quoted ids, annotations, reserved tokens") {
  // $"name" is the same id as $name, so either spelling resolves.
  auto q = lex("$\"fh\" $\"a b\" $\"\\41B\"");
  REQUIRE(q);
  CHECK(q->tokens[0].is_id());
  CHECK(q->tokens[0].text == "$fh");
  CHECK(q->tokens[1].text == "$a b");
  CHECK(q->tokens[2].text == "$AB");
  auto moved = std::move(*q);  // the id text survives a move of the list
  CHECK(moved.tokens[1].text == "$a b");
  check_same_binary("(func $\"f g\") (func (call $\"f g\"))", "(func $f) (func (call $f))");
  check_refused({
      {"(func $)", "empty identifier"},
      {"(func $\"\")", "empty identifier"},
      {"(func $\"\\ef\")", "malformed UTF-8"},
      {"(func $(@a))", "empty identifier"},
  });

  // Annotations are dropped, but their contents must still be tokens.
  check_same_binary("(@a x-y \"s\" (b (@c)) , ; ] [ {}) (module (@x) (func (@y z)))", "(module (func))");
  check_refused({
      {"(@)", "empty annotation id"},
      {"(@\"\")", "empty annotation id"},
      {"(@a \x01)", "illegal character"},
      {"(@a \x7f)", "illegal character"},
      {"(@a \xc3\x9f)", "illegal character"},
      {"(@a \x80)", "malformed UTF-8 encoding"},
      {"(@a (b)", "1:1: unclosed annotation"},
      {"(@a \")", "unclosed string"},
      {"(@a))", "unexpected token )"},
      // An atom that cannot start a keyword, id or number is reserved.
      {"((@a)@b)", "unknown operator"},
      {"(func (v128.const f32x4 .0 .0 .0 .0) drop)", "unknown operator"},
      {"(func \x01)", "illegal character '\\x01'"},
  });
}

TEST_CASE("text numbers: integer limits, separators, hex") {
  uint64_t v = 0;
  CHECK(parse_int("-2147483648", 32, v) == NumStatus::Ok);
  CHECK(v == 0x80000000u);
  CHECK(parse_int("4294967295", 32, v) == NumStatus::Ok);
  CHECK(v == 0xFFFFFFFFu);
  CHECK(parse_int("4294967296", 32, v) == NumStatus::Range);
  CHECK(parse_int("-2147483649", 32, v) == NumStatus::Range);
  CHECK(parse_int("-0x8000_0000_0000_0000", 64, v) == NumStatus::Ok);
  CHECK(v == 0x8000000000000000ull);
  CHECK(parse_int("0xffff_ffff_ffff_ffff", 64, v) == NumStatus::Ok);
  CHECK(v == UINT64_MAX);
  CHECK(parse_int("18446744073709551616", 64, v) == NumStatus::Range);
  CHECK(parse_int("-9223372036854775809", 64, v) == NumStatus::Range);
  CHECK(parse_int("+1_000", 32, v) == NumStatus::Ok);
  CHECK(v == 1000);
  CHECK(parse_int("-1", 32, v) == NumStatus::Ok);
  CHECK(v == 0xFFFFFFFFu);
  CHECK(parse_int("1__0", 32, v) == NumStatus::Syntax);
  CHECK(parse_int("_1", 32, v) == NumStatus::Syntax);
  CHECK(parse_int("1_", 32, v) == NumStatus::Syntax);
  CHECK(parse_int("0x_1", 32, v) == NumStatus::Syntax);
  CHECK(parse_int("0x", 32, v) == NumStatus::Syntax);
  CHECK(parse_uint("-1", UINT32_MAX, v) == NumStatus::Syntax);
  CHECK(parse_uint("0x1_0000_0000", UINT32_MAX, v) == NumStatus::Range);
}

TEST_CASE("text numbers: floats, rounding, hex floats, inf and nan") {
  CHECK(f32_bits("1.5") == 0x3FC00000u);
  CHECK(f32_bits("-0") == 0x80000000u);
  CHECK(f32_bits("0x1.8p3") == 0x41400000u);  // 12.0
  CHECK(f32_bits("1_000.000_1") == f32_bits("1000.0001"));
  CHECK(f32_bits("inf") == 0x7F800000u);
  CHECK(f32_bits("-inf") == 0xFF800000u);
  CHECK(f32_bits("nan") == 0x7FC00000u);
  CHECK(f32_bits("-nan:0x200000") == 0xFFA00000u);
  CHECK(f32_bits("nan:0x7f_ffff") == 0x7FFFFFFFu);
  // round to nearest, ties to even: 1 + 2^-24 is halfway between 1 and 1+2^-23.
  CHECK(f32_bits("0x1.000001p0") == 0x3F800000u);
  CHECK(f32_bits("0x1.000003p0") == 0x3F800002u);
  CHECK(f32_bits("0x1.00000100000000000001p0") == 0x3F800001u);
  CHECK(f32_bits("0x1p-149") == 1u);
  CHECK(f32_bits("0x1.fffffefffffffffffp127") == 0x7F7FFFFFu);
  CHECK(f64_bits("-0x1p-1074") == 0x8000000000000001ull);
  CHECK(f64_bits("1e308") == 0x7FE1CCF385EBC8A0ull);
  CHECK(f64_bits("nan:0x1") == 0x7FF0000000000001ull);
  CHECK(f64_bits("0x1.fffffffffffff7ffffffp1023") == 0x7FEFFFFFFFFFFFFFull);
  uint32_t b = 0;
  uint64_t d = 0;
  CHECK(parse_f32("nan:0x0", b) == NumStatus::Range);
  CHECK(parse_f32("nan:0x80_0000", b) == NumStatus::Range);
  CHECK(parse_f32("0x1p128", b) == NumStatus::Range);
  CHECK(parse_f32("1e39", b) == NumStatus::Range);
  CHECK(parse_f64("1e309", d) == NumStatus::Range);
  CHECK(parse_f64("0x1.fffffffffffff8p1023", d) == NumStatus::Range);  // ties to even: inf
  CHECK(parse_f64(".5", d) == NumStatus::Syntax);
  CHECK(parse_f64("1.e", d) == NumStatus::Syntax);
  CHECK(parse_f64("1._5", d) == NumStatus::Syntax);
  CHECK(parse_f64("0x1p", d) == NumStatus::Syntax);
  CHECK(parse_f64("1.", d) == NumStatus::Ok);
  CHECK(d == 0x3FF0000000000000ull);
}

TEST_CASE("text wat: minimal module bytes") {
  Bytes expect = with_header({0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,   // type
                              0x03, 0x02, 0x01, 0x00,                     // func
                              0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2A, 0x0B});
  CHECK(wat("(module (func (result i32) (i32.const 42)))") == expect);
  CHECK(wat("(func (result i32) i32.const 42)") == expect);  // bare fields, flat
  CHECK(wat("(module $m (func (result i32) i32.const 0x2a))") == expect);
  CHECK(wat("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")") == kHeader);
  CHECK(wat("(module quote \"(func (result i32)\" \"(i32.const 42))\")") == expect);
  CHECK(wat("") == kHeader);
}

TEST_CASE("text wat: folded and flat instructions encode the same") {
  check_same_binary(R"((func $f (param $a i32) (result i32)
      (if (result i32) (i32.eqz (local.get $a))
        (then (i32.const 1))
        (else (i32.add (local.get $a) (call $f (i32.sub (local.get $a) (i32.const 1))))))))",
                    R"((func $f (param $a i32) (result i32)
      local.get $a
      i32.eqz
      if (result i32)
        i32.const 1
      else
        local.get 0
        local.get $a
        i32.const 1
        i32.sub
        call 0
        i32.add
      end))");
  const Bytes sel1 =
      check_same_binary("(func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))",
                        "(func (result i32) i32.const 1 i32.const 2 i32.const 0 select (result i32))");
  // select with a type annotation is 0x1C 01 7F
  const uint8_t typed[] = {0x1C, 0x01, 0x7F};
  CHECK(std::search(sel1.begin(), sel1.end(), typed, typed + 3) != sel1.end());
}

TEST_CASE("text wat: labels resolve by name and depth") {
  check_same_binary("(func (block $out (loop $in (br_if $in (i32.const 0)) (br $out))))",
                    "(func (block (loop (br_if 0 (i32.const 0)) (br 1))))");
  check_same_binary("(func (block $l (block $l (br $l))))",
                    "(func (block (block (br 0))))");
  check_same_binary("(func block $l br 0 end $l)", "(func block br 0 end)");
  CHECK(contains(wat_error("(func (br $nope))"), "unknown label $nope"));
  CHECK(contains(wat_error("(func block $a end $b)"), "mismatching label"));
  check_same_binary("(func (block $a (block $b (br_table $a $b 0 (i32.const 0)))))",
                    "(func (block (block (br_table 1 0 0 (i32.const 0)))))");
  CHECK(contains(wat_error("(func (block $a (br_table $a $b (i32.const 0))))"), "unknown label $b"));
}

TEST_CASE("text wat: inline imports and exports") {
  check_same_binary(R"(
    (func $f (import "m" "f") (param i32))
    (global $g (import "m" "g") i32)
    (memory (export "mem") 1)
    (func (export "run") (export "alias") (call $f (global.get $g))))",
                    R"(
    (type (func (param i32)))
    (type (func))
    (import "m" "f" (func $f (type 0)))
    (import "m" "g" (global $g i32))
    (memory $mem 1)
    (func $run (type 1) (call $f (global.get $g)))
    (export "mem" (memory $mem))
    (export "run" (func $run))
    (export "alias" (func 1)))");
  CHECK(contains(wat_error("(func) (import \"m\" \"f\" (func))"), "import after function"));
  CHECK(contains(wat_error("(memory 1) (import \"m\" \"g\" (global i32))"), "import after memory"));
  CHECK(contains(wat_error("(global i32 (i32.const 0)) (func (import \"m\" \"f\"))"),
                 "import after global"));
  CHECK(contains(wat_error("(func (export \"\\ff\"))"), "malformed UTF-8 encoding"));
}

TEST_CASE("text wat: implicit and explicit type uses") {
  // An inline type use matching an existing type reuses it; a new one is
  // appended after the explicit types.
  check_same_binary(R"((type $t (func (param i32)))
                  (func (param i32))
                  (func (param i64))
                  (type (func)))",
                    R"((type (func (param i32)))
                  (type (func))
                  (type (func (param i64)))
                  (func (type 0))
                  (func (type 2)))");
  // (type x) with matching inline params is fine, mismatching is malformed
  wat("(type $t (func (param i32) (result i32))) (func (type $t) (param i32) (result i32) (local.get 0))");
  CHECK(contains(wat_error("(type $t (func (param i32))) (func (type $t) (param i64))"),
                 "inline function type"));
  CHECK(contains(wat_error("(func (type $nope))"), "unknown type $nope"));
  // multi-value block type becomes a type index
  auto blk = wat("(func (block (param) (result i32 i32) (i32.const 1) (i32.const 2)) drop drop)");
  CHECK(blk == wat("(type (func)) (type (func (result i32 i32))) (func (type 0) (block (type 1) (i32.const 1) (i32.const 2)) drop drop)"));
  // call_indirect with a table name and an inline type
  check_same_binary("(table $t 1 funcref) (func (call_indirect $t (param i32) (i32.const 0) (i32.const 0)))",
                    "(type (func)) (type (func (param i32))) (table 1 funcref) (func (type 0) i32.const 0 i32.const 0 call_indirect 0 (type 1))");
}

TEST_CASE("text wat: names, duplicates and unknown ids") {
  CHECK(contains(wat_error("(func $f) (func $f)"), "duplicate func $f"));
  CHECK(contains(wat_error("(global $g i32 (i32.const 0)) (global $g i32 (i32.const 0))"),
                 "duplicate global $g"));
  check_refused({
      {"(func (param $x i32) (local $x i32))", "duplicate local $x"},
      {"(func (call $missing))", "unknown function $missing"},
      {"(func (local.get $missing))", "unknown local $missing"},
      {"(func (table.get $t (i32.const 0)) drop)", "unknown table $t"},
  });
  CHECK(contains(wat_error("(func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)))"),
                 "unknown data segment $d"));
  // forward references to later functions work
  wat("(func (call $later)) (func $later)");
  // numeric indices out of range are left to the validator
  wat("(func (call 7))");
}

TEST_CASE("text wat: tables, memories, segments") {
  check_same_binary("(table funcref (elem $f $f)) (func $f)",
                    "(table 2 2 funcref) (func $f) (elem (i32.const 0) $f $f)");
  check_same_binary("(memory (data \"ab\" \"c\"))",
                    "(memory 1 1) (data (i32.const 0) \"abc\")");
  // all elem forms parse
  wat(R"((table $t 10 funcref) (table $e 10 externref) (func $f)
         (elem (i32.const 0) $f)
         (elem (offset (i32.const 1)) func $f)
         (elem (table $t) (i32.const 2) func $f)
         (elem $p funcref (ref.func $f) (item ref.null func))
         (elem declare func $f)
         (elem (table $e) (i32.const 0) externref (ref.null extern))
         (func (table.init $t $p (i32.const 0) (i32.const 0) (i32.const 0)) (elem.drop $p)
               (table.copy $t $t (i32.const 0) (i32.const 0) (i32.const 0))))");
  auto dataseg = wat("(memory $m 1) (data $d \"x\") (data (memory $m) (offset (i32.const 8)) \"y\") (func (data.drop $d))");
  // data count section (id 12) is emitted when data.drop is used
  bool has_datacount = false;
  for (size_t i = 8; i + 1 < dataseg.size(); ++i)
    if (dataseg[i] == 12 && dataseg[i + 1] == 1) has_datacount = true;
  CHECK(has_datacount);
  // sizes are u64 in 3.0 (a too large i32 memory is the validator's "memory size")
  check_refused({
      {"(memory 0x1_0000_0000_0000_0000)", "i64 constant out of range"},
      {"(memory 1) (func (i32.load align=3 (i32.const 0)) drop)", "alignment"},
      {"(func) (start 0) (start 0)", "multiple start sections"},
  });
}

TEST_CASE("text wat: constants and memargs encode exactly") {
  auto b = wat("(memory 1) (func (i64.store offset=16 align=4 (i32.const -1) (i64.const -9223372036854775808)))");
  const uint8_t store[] = {0x41, 0x7F, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                           0x80, 0x80, 0x80, 0x7F, 0x37, 0x02, 0x10};
  CHECK(std::search(b.begin(), b.end(), store, store + sizeof store) != b.end());
  auto f = wat("(func (f32.const -0x1p-149) drop (f64.const nan:0x4) drop)");
  const uint8_t fc[] = {0x43, 0x01, 0x00, 0x00, 0x80, 0x1A, 0x44, 0x04, 0, 0, 0, 0, 0, 0xF0, 0x7F};
  CHECK(std::search(f.begin(), f.end(), fc, fc + sizeof fc) != f.end());
  check_refused({
      {"(func (i32.const 4294967296) drop)", "constant out of range"},
      {"(func (f32.const nan:0x800000) drop)", "constant out of range"},
      {"(func (i32.const 1_) drop)", "unknown operator"},
  });
}

TEST_CASE("text wat: errors carry line:col") {
  std::string e = wat_error("(module\n  (func\n    (i32.frobnicate)))");
  CHECK(e.rfind("3:6: ", 0) == 0);
  CHECK(contains(e, "unknown operator i32.frobnicate"));
  std::string u = wat_error("(func (result i32) (param i32))");
  INFO(u);
  CHECK(contains(u, "1:21: unexpected token"));
}

TEST_CASE("text wast: every command kind") {
  auto r = parse_wast(R"WAST(
(module $M (func (export "f") (param i32) (result i32) (local.get 0)))
(module binary "\00asm" "\01\00\00\00")
(register "m" $M)
(invoke "f" (i32.const -1))
(get $M "g")
(assert_return (invoke $M "f" (i32.const 7)) (i32.const 7))
(assert_return (invoke "h" (f32.const -0x1p-1) (f64.const -0x1p-1074))
  (f32.const nan:canonical) (f64.const nan:arithmetic) (ref.null extern) (ref.extern 3) (ref.func))
(assert_return (invoke "v" (v128.const i32x4 1 2 3 -1)) (v128.const f32x4 nan:canonical 1.0 -0 inf))
(assert_return (invoke "e") (either (i32.const 1) (i32.const 2)))
(assert_trap (invoke "t") "unreachable")
(assert_trap (module (func unreachable) (start 0)) "unreachable")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func $f)" "(func $f)") "duplicate func")
(assert_malformed (module (func (call $nope))) "unknown function")
(assert_unlinkable (module (import "x" "y" (func))) "unknown import")
(assert_uninstantiable (module (memory 0) (data (i32.const 1) "a")) "out of bounds")
)WAST");
  REQUIRE(r);
  const auto& c = *r;
  REQUIRE(c.size() == 17);
  CHECK(c[0].kind == WastCommand::Module);
  CHECK(c[0].line == 2);
  CHECK(c[0].module.id == "$M");
  CHECK(c[0].module.binary.size() > 8);
  CHECK(c[1].module.kind == WastModule::Binary);
  CHECK(c[1].module.binary == kHeader);
  CHECK(c[2].kind == WastCommand::Register);
  CHECK(c[2].register_name == "m");
  CHECK(c[2].register_module == "$M");
  CHECK(c[3].kind == WastCommand::Action);
  CHECK(c[3].action.args[0].bits == 0xFFFFFFFFu);
  CHECK(c[4].action.kind == WastAction::Get);
  CHECK(c[4].action.module == "$M");
  CHECK(c[5].kind == WastCommand::AssertReturn);
  CHECK(c[5].expected[0].bits == 7);
  const auto& e6 = c[6].expected;
  REQUIRE(e6.size() == 5);
  CHECK(c[6].action.args[0].bits == 0xBF000000u);
  CHECK(c[6].action.args[1].bits == 0x8000000000000001ull);
  CHECK(e6[0].kind == WastValue::NanCanonical);
  CHECK(e6[0].type == ValType::F32);
  CHECK(e6[1].kind == WastValue::NanArithmetic);
  CHECK(e6[2].kind == WastValue::RefNull);
  CHECK(e6[2].type == ValType::ExternRef);
  CHECK(e6[3].kind == WastValue::RefExtern);
  CHECK(e6[3].bits == 3);
  CHECK(e6[4].kind == WastValue::RefFunc);
  const auto& arg = c[7].action.args[0];
  CHECK(arg.kind == WastValue::V128);
  CHECK(arg.v128[0] == 1);
  CHECK(arg.v128[15] == 0xFF);
  const auto& pat = c[7].expected[0];
  REQUIRE(pat.lanes.size() == 4);
  CHECK(pat.lanes[0].kind == WastValue::NanCanonical);
  CHECK(pat.lanes[1].bits == 0x3F800000u);
  CHECK(pat.lanes[2].bits == 0x80000000u);
  CHECK(c[8].either.size() == 2);
  CHECK(c[9].kind == WastCommand::AssertTrap);
  CHECK(c[9].has_action);
  CHECK(c[9].text == "unreachable");
  CHECK(c[10].kind == WastCommand::AssertTrap);
  CHECK_FALSE(c[10].has_action);
  CHECK(c[11].kind == WastCommand::AssertExhaustion);
  CHECK(c[12].kind == WastCommand::AssertInvalid);
  CHECK_FALSE(c[12].module.text_error);
  CHECK(c[13].module.kind == WastModule::Quote);
  CHECK(c[13].module.quote == "(func $f)(func $f)");
  CHECK(c[14].module.text_error.has_value());
  CHECK(contains(*c[14].module.text_error, "unknown function $nope"));
  CHECK(c[15].kind == WastCommand::AssertUnlinkable);
  CHECK(c[16].kind == WastCommand::AssertUninstantiable);
  CHECK(c[16].line == 19);

  auto bad = parse_wast("(module)\n  (frob)");
  REQUIRE_FALSE(bad);
  CHECK(contains(bad.error().message, "2:4: unknown command frob"));
}

TEST_CASE("text numbers: v128 lane literals") {
  LaneShape s;
  REQUIRE(lane_shape("i8x16", s));
  CHECK(s.lanes == 16);
  uint64_t v = 0;
  CHECK(parse_lane("-128", s, v) == NumStatus::Ok);
  CHECK(v == 0x80);
  CHECK(parse_lane("255", s, v) == NumStatus::Ok);
  CHECK(parse_lane("256", s, v) == NumStatus::Range);
  CHECK(parse_lane("-129", s, v) == NumStatus::Range);
  REQUIRE(lane_shape("f32x4", s));
  CHECK(parse_lane("-nan:0x1", s, v) == NumStatus::Ok);
  CHECK(v == 0xFF800001u);
  CHECK_FALSE(lane_shape("i32x8", s));
}

TEST_CASE("text wast: bare module script, annotations, module errors") {
  auto r = parse_wast("(func) (@foo \"x\" (nested)) (memory 0) (@custom \"c\" \"y\") (func (export \"f\"))");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].kind == WastCommand::Module);
  CHECK((*r)[0].module.binary.size() > 8);
  CHECK((*r)[0].module.binary.back() == 'y');  // the @custom section, after the last
  auto bad = parse_wast("(func) (@custom \"x\" (nested))");
  REQUIRE(bad);
  REQUIRE((*bad)[0].module.text_error);
  CHECK(contains(*(*bad)[0].module.text_error, "@custom annotation: malformed placement"));
  // a text module that fails to encode does not fail the script
  auto s = parse_wast("(module (func (i32.const 1_)))\n(assert_malformed (module quote \"(func\" \" (nop))\") \"x\")");
  REQUIRE(s);
  REQUIRE(s->size() == 2);
  REQUIRE((*s)[0].module.text_error);
  CHECK(contains(*(*s)[0].module.text_error, "1:26: unknown operator 1_"));
  CHECK((*s)[1].line == 2);
  CHECK(wat_to_wasm((*s)[1].module.quote));
  // script-level syntax errors do fail
  CHECK_FALSE(parse_wast("(assert_return (invoke \"f\" (i32.const x)))"));
  CHECK_FALSE(parse_wast("(module"));
}

TEST_CASE("text: a line comment ends at a lone CR") {
  auto lf = wat_to_wasm("(func (result i32) (i32.const 1) ;; c\r (return (i32.const 2)))");
  auto plain = wat_to_wasm("(func (result i32) (i32.const 1) (return (i32.const 2)))");
  REQUIRE(lf.ok());
  REQUIRE(plain.ok());
  CHECK(*lf == *plain);
}
