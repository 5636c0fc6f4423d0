// Unit tests for the JSON document model (component/json.h) and the
// type-directed Val <-> JSON conversion (component/val_json.h): parsing and
// writing, strings with escapes and surrogate pairs, every component value
// type in both directions, integer ranges, bad shapes and the paths their
// messages name, argument lists and results, and an end-to-end call through
// tests/component/canon.wasm with JSON arguments and JSON results.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "fixtures.h"
#include "component/decode.h"
#include "component/json.h"
#include "component/linker.h"
#include "component/val_json.h"

using namespace wippy;
using namespace wippy::component;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

Json parsed(std::string_view text) {
  auto j = parse_json(text);
  REQUIRE_MESSAGE(j.ok(), (j.ok() ? "" : j.error().message));
  return *j;
}

std::string parse_error(std::string_view text) {
  auto j = parse_json(text);
  REQUIRE_FALSE(j.ok());
  CHECK(j.error().kind == ErrorKind::Invalid);
  return j.error().message;
}

// Type builders.
VTypeRef prim(ValKind k) { return prim_vtype(k); }
VTypeRef node(ValKind k, std::vector<VTypeRef> elems, std::vector<std::string> labels = {}) {
  VType t;
  t.kind = k;
  t.elems = std::move(elems);
  t.labels = std::move(labels);
  return make_vtype(std::move(t));
}
VTypeRef list_of(VTypeRef e) { return node(ValKind::List, {std::move(e)}); }
VTypeRef option_of(VTypeRef e) { return node(ValKind::Option, {std::move(e)}); }
VTypeRef labelled(ValKind k, std::vector<std::string> labels) { return node(k, {}, std::move(labels)); }

std::string to_text(const Val& v, const VType& t) {
  auto j = val_to_json(v, t);
  REQUIRE_MESSAGE(j.ok(), (j.ok() ? "" : j.error().message));
  return to_json_text(*j);
}

Val from_text(std::string_view text, const VType& t) {
  auto v = val_from_json(parsed(text), t);
  REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : v.error().message));
  return *v;
}

std::string from_error(std::string_view text, const VType& t) {
  auto v = val_from_json(parsed(text), t);
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().kind == ErrorKind::Invalid);
  return v.error().message;
}

// Writes `v` as `text` and reads `text` back as `v`.
void round_trip(const Val& v, const VType& t, const std::string& text) {
  CAPTURE(text);
  CAPTURE(type_to_string(t));
  CHECK(to_text(v, t) == text);
  CHECK(from_text(text, t) == v);
}

}  // namespace

TEST_CASE("component json: parse and write the document model") {
  Json j = parsed(" { \"b\" : [1, -2, 3.5, true, false, null], \"a\": {\"x\": \"y\"}, \"e\": [], \"o\": {} } ");
  REQUIRE(j.is_object());
  REQUIRE(j.as_object().size() == 4);
  CHECK(j.as_object()[0].first == "b");  // insertion order kept
  CHECK(j.as_object()[1].first == "a");
  CHECK(to_json_text(j) == R"({"b":[1,-2,3.5,true,false,null],"a":{"x":"y"},"e":[],"o":{}})");
  CHECK(j.find("a")->find("x")->as_string() == "y");
  CHECK(j.find("zz") == nullptr);
  // Writing and re-reading is stable.
  CHECK(parsed(to_json_text(j)) == j);
  CHECK(to_json_text(parsed(to_json_text(j))) == to_json_text(j));

  // Numbers: exact integers, UInt above INT64_MAX, floats, -0.
  CHECK(parsed("9223372036854775807").num_kind() == Json::NumKind::Int);
  CHECK(parsed("-9223372036854775808").as_int() == std::numeric_limits<int64_t>::min());
  CHECK(parsed("18446744073709551615").num_kind() == Json::NumKind::UInt);
  CHECK(parsed("18446744073709551615").as_uint() == std::numeric_limits<uint64_t>::max());
  CHECK(to_json_text(parsed("18446744073709551615")) == "18446744073709551615");
  CHECK(parsed("18446744073709551616").num_kind() == Json::NumKind::Float);
  CHECK(parsed("1e3").num_kind() == Json::NumKind::Float);
  CHECK(parsed("1e3").as_double() == 1000.0);
  CHECK(parsed("1E-2").as_double() == 0.01);
  CHECK(parsed("1e-400").as_double() == 0.0);  // underflow reads as zero
  Json negzero = parsed("-0");
  CHECK(negzero.num_kind() == Json::NumKind::Float);
  CHECK(std::signbit(negzero.as_double()));
  CHECK(to_json_text(negzero) == "-0");
  CHECK(parsed("3") == Json::number(3.0));  // numbers compare by value, exactly
  CHECK_FALSE(parsed("9007199254740993") == Json::number(9007199254740992.0));
  CHECK(parsed("18446744073709551615") == parsed("18446744073709551615"));
  CHECK_FALSE(parsed("18446744073709551615") == Json::number(18446744073709551616.0));
  CHECK_FALSE(parsed("1") == Json::number(1.5));
  CHECK_FALSE(parsed("1") == Json::string("1"));

  // The builder API.
  Json b = Json::object();
  b.set("z", Json::number(int64_t(1)));
  b.set("a", Json::array());
  b.set("z", Json::string("again"));  // replaces in place
  b.as_object()[1].second.push(Json::boolean(true));
  CHECK(to_json_text(b) == R"({"z":"again","a":[true]})");
  CHECK(to_json_text(Json()) == "null");
}

TEST_CASE("component json: floats print shortest round trip; non-finite as null") {
  for (double d : {0.1, -2.5e300, 5e-324, 1.7976931348623157e308, 123456.789, 1e21, 1e-7, 0.0}) {
    CAPTURE(d);
    std::string text = to_json_text(Json::number(d));
    CHECK(parsed(text).as_double() == d);
  }
  CHECK(to_json_text(Json::number(0.1)) == "0.1");
  CHECK(to_json_text(Json::number(2.0)) == "2");
  CHECK(to_json_text(Json::number(-2.5e300)) == "-2.5e+300");
  CHECK(to_json_text(Json::number(std::numeric_limits<double>::quiet_NaN())) == "null");
  CHECK(to_json_text(Json::number(std::numeric_limits<double>::infinity())) == "null");
}

TEST_CASE("component json: strings with escapes, unicode and surrogate pairs") {
  Json s = parsed(R"("a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00\uD834\uDD1E")");
  CHECK(s.as_string() == "a\"b\\c/d\b\f\n\r\tA\u00e9\u20ac\U0001F600\U0001D11E");
  // Raw UTF-8 passes through both ways; control characters are escaped.
  CHECK(parsed("\"h\xC3\xA9llo \xF0\x9F\x98\x80\"").as_string() == "h\u00e9llo \U0001F600");
  CHECK(to_json_text(Json::string("q\"\\\n\t\x01\x1f\u00e9\U0001F600")) ==
        "\"q\\\"\\\\\\n\\t\\u0001\\u001f\u00e9\U0001F600\"");
  CHECK(to_json_text(Json::string(std::string("nul\0byte", 8))) == "\"nul\\u0000byte\"");
  CHECK(parsed(R"("\u0000")").as_string() == std::string(1, '\0'));
  // Escaped text reads back to the same string.
  std::string tricky = "\u2028 \U0010FFFF \x7f \"quoted\" back\\slash";
  CHECK(parsed(to_json_text(Json::string(tricky))).as_string() == tricky);

  CHECK(has(parse_error(R"("\ud83d")"), "high surrogate"));
  CHECK(has(parse_error(R"("\ud83dx")"), "high surrogate"));
  CHECK(has(parse_error(R"("\ud83d\u0041")"), "low surrogate"));
  CHECK(has(parse_error(R"("\ude00")"), "lone low surrogate"));
  CHECK(has(parse_error(R"("\u12G4")"), "hex digits"));
  CHECK(has(parse_error(R"("\x")"), "invalid escape"));
  CHECK(has(parse_error("\"tab\there\""), "control character"));
  CHECK(has(parse_error("\"\xC3\x28\""), "invalid UTF-8"));
  CHECK(has(parse_error("\"\xED\xA0\x80\""), "invalid UTF-8"));  // encoded surrogate
  CHECK(has(parse_error("\"\xC0\xAF\""), "invalid UTF-8"));      // overlong
  CHECK(has(parse_error("\"abc"), "unterminated string"));
}

TEST_CASE("component json: parse errors name the offset") {
  CHECK(parse_error("") == "JSON at offset 0: expected a value, got end of text");
  CHECK(parse_error("[1, 2") == "JSON at offset 5: expected ',' or ']' in an array, got end of text");
  CHECK(parse_error("[1 2]") == "JSON at offset 3: expected ',' or ']' in an array, got '2'");
  CHECK(parse_error("{\"a\" 1}") == "JSON at offset 5: expected ':' after an object key, got '1'");
  CHECK(parse_error("{\"a\":1,}") == "JSON at offset 7: expected a string key in an object, got '}'");
  CHECK(parse_error("{\"a\":1,\"a\":2}") == "JSON at offset 7: duplicate key \"a\"");
  CHECK(parse_error("1 2") == "JSON at offset 2: unexpected text after the value");
  CHECK(parse_error("tru") == "JSON at offset 0: expected a value, got 't'");
  CHECK(parse_error("hello") == "JSON at offset 0: expected a value, got 'h'");
  CHECK(parse_error("01") == "JSON at offset 1: leading zeros are not allowed in a number");
  CHECK(parse_error("1.") == "JSON at offset 2: expected a digit after '.'");
  CHECK(parse_error("-") == "JSON at offset 1: expected a digit");
  CHECK(parse_error("1e") == "JSON at offset 2: expected a digit in the exponent");
  CHECK(parse_error("+1") == "JSON at offset 0: expected a value, got '+'");
  CHECK(parse_error("1e400") == "JSON at offset 0: number 1e400 is out of range");
  CHECK(has(parse_error(std::string(600, '[')), "nesting deeper than 128"));
  CHECK(parsed(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')).is_array());
}

TEST_CASE("component json: every value type round trips") {
  round_trip(Val::boolean(true), *prim(ValKind::Bool), "true");
  round_trip(Val::boolean(false), *prim(ValKind::Bool), "false");
  round_trip(Val::s8(-128), *prim(ValKind::S8), "-128");
  round_trip(Val::u8(255), *prim(ValKind::U8), "255");
  round_trip(Val::s16(-32768), *prim(ValKind::S16), "-32768");
  round_trip(Val::u16(65535), *prim(ValKind::U16), "65535");
  round_trip(Val::s32(-2147483647 - 1), *prim(ValKind::S32), "-2147483648");
  round_trip(Val::u32(4294967295u), *prim(ValKind::U32), "4294967295");
  round_trip(Val::s64(std::numeric_limits<int64_t>::min()), *prim(ValKind::S64), "-9223372036854775808");
  round_trip(Val::u64(std::numeric_limits<uint64_t>::max()), *prim(ValKind::U64), "18446744073709551615");
  round_trip(Val::f32v(1.1f), *prim(ValKind::F32), "1.1");
  round_trip(Val::f32v(-3.4028235e38f), *prim(ValKind::F32), "-3.4028235e+38");
  round_trip(Val::f32v(1e-45f), *prim(ValKind::F32), "1e-45");
  round_trip(Val::f64v(0.1), *prim(ValKind::F64), "0.1");
  round_trip(Val::f64v(-2.5e300), *prim(ValKind::F64), "-2.5e+300");
  round_trip(Val::f64v(-0.0), *prim(ValKind::F64), "-0");
  round_trip(Val::f64v(std::numeric_limits<double>::infinity()), *prim(ValKind::F64), "\"inf\"");
  round_trip(Val::f64v(-std::numeric_limits<double>::infinity()), *prim(ValKind::F64), "\"-inf\"");
  round_trip(Val::f64v(std::nan("")), *prim(ValKind::F64), "\"nan\"");
  round_trip(Val::f32v(-std::numeric_limits<float>::infinity()), *prim(ValKind::F32), "\"-inf\"");
  round_trip(Val::f32v(std::nanf("")), *prim(ValKind::F32), "\"nan\"");
  round_trip(Val::character('a'), *prim(ValKind::Char), "\"a\"");
  round_trip(Val::character(0x1F600), *prim(ValKind::Char), "\"\U0001F600\"");
  round_trip(Val::character('\n'), *prim(ValKind::Char), "\"\\n\"");
  round_trip(Val::string("h\u00e9 \"\U0001F600\"\n"), *prim(ValKind::String), "\"h\u00e9 \\\"\U0001F600\\\"\\n\"");
  round_trip(Val::string(""), *prim(ValKind::String), "\"\"");

  auto u8s = list_of(prim(ValKind::U8));
  round_trip(Val::list({Val::u8(1), Val::u8(2)}), *u8s, "[1,2]");
  round_trip(Val::list({}), *u8s, "[]");

  auto rec = node(ValKind::Record, {prim(ValKind::String), prim(ValKind::U32)}, {"full-name", "age"});
  round_trip(Val::record({Val::string("ada"), Val::u32(36)}), *rec, R"({"full-name":"ada","age":36})");
  CHECK(from_text(R"({"age":36,"full-name":"ada"})", *rec) == Val::record({Val::string("ada"), Val::u32(36)}));

  auto tup = node(ValKind::Tuple, {prim(ValKind::Char), prim(ValKind::S16), prim(ValKind::Bool)});
  round_trip(Val::tuple({Val::character('x'), Val::s16(-5), Val::boolean(true)}), *tup, R"(["x",-5,true])");

  auto var = node(ValKind::Variant, {prim(ValKind::U8), nullptr, option_of(prim(ValKind::U8))}, {"num", "nothing", "maybe"});
  round_trip(Val::variant(0, Val::u8(7)), *var, R"({"num":7})");
  round_trip(Val::variant(1), *var, R"({"nothing":null})");
  CHECK(from_text(R"("nothing")", *var) == Val::variant(1));
  round_trip(Val::variant(2, Val::none()), *var, R"({"maybe":null})");
  round_trip(Val::variant(2, Val::some(Val::u8(3))), *var, R"({"maybe":3})");

  auto en = labelled(ValKind::Enum, {"red", "green", "light-blue"});
  round_trip(Val::enumeration(2), *en, "\"light-blue\"");

  auto opt = option_of(prim(ValKind::String));
  round_trip(Val::none(), *opt, "null");
  round_trip(Val::some(Val::string("x")), *opt, "\"x\"");

  // Nested options: the outer some is explicit, so every level round-trips.
  auto opt2 = option_of(option_of(prim(ValKind::U8)));
  round_trip(Val::none(), *opt2, "null");
  round_trip(Val::some(Val::none()), *opt2, R"({"some":null})");
  round_trip(Val::some(Val::some(Val::u8(5))), *opt2, R"({"some":5})");
  CHECK(from_text(R"({"none":null})", *opt2) == Val::none());
  auto opt3 = option_of(opt2);
  round_trip(Val::some(Val::some(Val::none())), *opt3, R"({"some":{"some":null}})");
  round_trip(Val::some(Val::none()), *opt3, R"({"some":null})");

  auto res = node(ValKind::Result, {prim(ValKind::U32), prim(ValKind::String)});
  round_trip(Val::ok(Val::u32(1)), *res, R"({"ok":1})");
  round_trip(Val::err(Val::string("bad")), *res, R"({"err":"bad"})");
  auto res_empty = node(ValKind::Result, {nullptr, nullptr});
  round_trip(Val::ok(), *res_empty, R"({"ok":null})");
  round_trip(Val::err(), *res_empty, R"({"err":null})");
  CHECK(from_text(R"("err")", *res_empty) == Val::err());

  auto fl = labelled(ValKind::Flags, {"read", "write", "exec"});
  round_trip(Val::flags(0b101), *fl, R"(["read","exec"])");
  round_trip(Val::flags(0), *fl, "[]");
  CHECK(from_text(R"(["exec","read"])", *fl) == Val::flags(0b101));

  // A deep mix.
  auto deep = list_of(node(ValKind::Record, {opt, list_of(res), fl}, {"o", "rs", "f"}));
  round_trip(Val::list({Val::record({Val::none(), Val::list({Val::ok(Val::u32(2)), Val::err(Val::string("e"))}),
                                     Val::flags(2)})}),
             *deep, R"([{"o":null,"rs":[{"ok":2},{"err":"e"}],"f":["write"]}])");
}

TEST_CASE("component json: integer ranges and numeric forms") {
  auto s8 = prim(ValKind::S8);
  auto u8 = prim(ValKind::U8);
  auto u32 = prim(ValKind::U32);
  auto s64 = prim(ValKind::S64);
  auto u64 = prim(ValKind::U64);
  CHECK(from_error("128", *s8) == "expected an integer s8 (-128..127), got 128 (out of range)");
  CHECK(from_error("-129", *s8) == "expected an integer s8 (-128..127), got -129 (out of range)");
  CHECK(from_error("256", *u8) == "expected an integer u8 (0..255), got 256 (out of range)");
  CHECK(from_error("-1", *u8) == "expected an integer u8 (0..255), got -1 (out of range)");
  CHECK(from_error("4294967296", *u32) == "expected an integer u32 (0..4294967295), got 4294967296 (out of range)");
  CHECK(from_error("1.5", *u32) == "expected an integer u32 (0..4294967295), got 1.5");
  CHECK(from_error("\"5\"", *u32) == "expected an integer u32 (0..4294967295), got the string \"5\"");
  CHECK(from_error("true", *u32) == "expected an integer u32 (0..4294967295), got true");
  CHECK(from_text("1e3", *u32) == Val::u32(1000));
  CHECK(from_text("-0", *u8) == Val::u8(0));
  CHECK(from_text("2.0", *s8) == Val::s8(2));
  CHECK(from_error("18446744073709551616", *u64) ==
        "expected an integer u64 (0..18446744073709551615), got 18446744073709551616 (out of range)");
  // Beyond 64 bits the literal is a rounded double: -2^63 - 1 reads as -2^63,
  // which must not be taken for the exact s64 minimum.
  CHECK(has(from_error("-9223372036854775809", *s64), "(not exact: write integers beyond 2^53"));
  CHECK(has(from_error("1.8e19", *u64), "(not exact"));
  CHECK(has(from_error("1e20", *u64), "(out of range)"));
  CHECK(from_text("9.007199254740992e15", *u64) == Val::u64(9007199254740992ull));
  CHECK(from_error("9223372036854775808", *s64) ==
        "expected an integer s64 (-9223372036854775808..9223372036854775807), got 9223372036854775808 (out of range)");
  // 64-bit integers beyond 2^53 may also be decimal strings.
  CHECK(from_text("\"18446744073709551615\"", *u64) == Val::u64(std::numeric_limits<uint64_t>::max()));
  CHECK(from_text("\"-9223372036854775808\"", *s64) == Val::s64(std::numeric_limits<int64_t>::min()));
  CHECK(from_text("\"9007199254740993\"", *s64) == Val::s64(9007199254740993ll));
  CHECK(has(from_error("\"18446744073709551616\"", *u64), "as a number or a decimal string"));
  CHECK(has(from_error("\"-1\"", *u64), "as a number or a decimal string"));
  CHECK(has(from_error("\"+1\"", *s64), "as a number or a decimal string"));
  CHECK(has(from_error("\"1x\"", *s64), "as a number or a decimal string"));
  CHECK(has(from_error("\"\"", *s64), "as a number or a decimal string"));
  CHECK(has(from_error("\"-\"", *s64), "as a number or a decimal string"));
  CHECK(from_error("\"-9223372036854775809\"", *s64) ==
        "expected an integer s64 (-9223372036854775808..9223372036854775807), got the string "
        "\"-9223372036854775809\" (out of range)");

  auto f32 = prim(ValKind::F32);
  auto f64 = prim(ValKind::F64);
  CHECK(from_error("1e39", *f32) == "1e+39 is out of range for f32");
  CHECK(from_text("3.4028235e38", *f32) == Val::f32v(std::numeric_limits<float>::max()));
  CHECK(from_text("5", *f64) == Val::f64v(5.0));
  CHECK(from_text("18446744073709551615", *f64) == Val::f64v(18446744073709551615.0));
  CHECK(from_error("\"Infinity\"", *f64) ==
        "expected a number (f64; \"nan\", \"inf\" or \"-inf\" for non-finite values), got the string \"Infinity\"");
  CHECK(from_error("null", *f64) ==
        "expected a number (f64; \"nan\", \"inf\" or \"-inf\" for non-finite values), got null");

  // Vals that do not fit their type are refused when written.
  Val bad;
  bad.kind = ValKind::S8;
  bad.u = 1000;
  auto w = val_to_json(bad, *s8);
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message == "1000 is out of range for s8");
  auto w2 = val_to_json(Val::u32(3), *s8);
  REQUIRE_FALSE(w2.ok());
  CHECK(w2.error().message == "value of kind u32 does not match type s8");
}

TEST_CASE("component json: bad shapes name the path inside the value") {
  auto rec = node(ValKind::Record, {prim(ValKind::String), prim(ValKind::U32)}, {"name", "age"});
  auto recs = list_of(rec);
  CHECK(from_error(R"([{"name":"a","age":1},{"name":2,"age":1}])", *recs) ==
        "index 1: field \"name\": expected a string, got 2");
  CHECK(from_error(R"({"name":"a"})", *rec) == "missing field \"age\"");
  CHECK(from_error(R"({"name":"a","age":1,"agee":2})", *rec) == "unknown field \"agee\" (fields: name, age)");
  CHECK(from_error("[]", *rec) == "expected an object (record with fields name, age), got an array of 0");
  CHECK(from_error("{}", *recs) == "expected an array (list of (record name:string age:u32)), got an object");

  auto tup = node(ValKind::Tuple, {prim(ValKind::U8), prim(ValKind::Bool)});
  CHECK(from_error("[1]", *tup) == "expected an array of 2 (tuple), got an array of 1");
  CHECK(from_error("[1, 2]", *tup) == "index 1: expected a bool (true or false), got 2");

  auto var = node(ValKind::Variant, {prim(ValKind::U8), nullptr}, {"num", "nothing"});
  CHECK(from_error(R"({"numb":1})", *var) == "unknown variant case \"numb\" (cases: num, nothing)");
  CHECK(from_error(R"({"num":1,"nothing":null})", *var) ==
        "expected a variant as an object with one key, the case name (num, nothing), got an object with 2 keys");
  CHECK(from_error(R"({"num":300})", *var) ==
        "case \"num\": expected an integer u8 (0..255), got 300 (out of range)");
  CHECK(from_error(R"({"nothing":1})", *var) == "case \"nothing\": this case has no payload: expected null, got 1");
  CHECK(from_error(R"("num")", *var) == "case \"num\": this case needs a payload: {\"num\": <u8>}");
  CHECK(from_error("3", *var) ==
        "expected a variant as an object with one key, the case name (num, nothing), got 3");

  auto en = labelled(ValKind::Enum, {"red", "green"});
  CHECK(from_error("\"blue\"", *en) == "unknown enum case \"blue\" (cases: red, green)");
  CHECK(from_error("0", *en) == "expected an enum case as a string (red, green), got 0");

  auto fl = labelled(ValKind::Flags, {"read", "write"});
  CHECK(from_error(R"(["read","exec"])", *fl) == "index 1: unknown flag \"exec\" (flags: read, write)");
  CHECK(from_error(R"(["read","read"])", *fl) == "index 1: flag \"read\" given twice");
  CHECK(from_error(R"([1])", *fl) == "index 0: expected a flag label as a string, got 1");
  CHECK(from_error(R"("read")", *fl) == "expected an array of flag labels (read, write), got the string \"read\"");

  auto ch = prim(ValKind::Char);
  CHECK(from_error("\"ab\"", *ch) == "expected a char (a string of exactly one Unicode scalar value), got the string \"ab\"");
  CHECK(has(from_error("\"\"", *ch), "exactly one Unicode scalar value"));
  CHECK(has(from_error("\"e\u0301\"", *ch), "exactly one"));  // two scalars, one grapheme
  CHECK(from_text("\"\\ud83d\\ude00\"", *ch) == Val::character(0x1F600));

  auto res = node(ValKind::Result, {prim(ValKind::U32), nullptr});
  CHECK(from_error(R"({"okay":1})", *res) == "unknown result case \"okay\" (cases: ok, err)");
  CHECK(from_error(R"({"err":"x"})", *res) == "case \"err\": this case has no payload: expected null, got the string \"x\"");

  auto opt2 = option_of(option_of(prim(ValKind::U8)));
  CHECK(from_error("5", *opt2) ==
        "expected null, {\"some\": ...} or {\"none\": null} (an option of an option), got 5");
  CHECK(from_error(R"({"some":{"some":1}})", *opt2) == "case \"some\": expected an integer u8 (0..255), got an object");
  auto opt = option_of(prim(ValKind::U8));
  CHECK(from_error(R"({"some":1})", *opt) == "expected an integer u8 (0..255), got an object");

  // Resource handles have no JSON form.
  VType own;
  own.kind = ValKind::Own;
  own.resource = std::make_shared<const Resource>(Resource{"file", {}, nullptr, nullptr});
  auto own_t = make_vtype(own);
  CHECK(from_error("1", *own_t) == "(own file) handles cannot be represented in JSON");
  auto w = val_to_json(Val::list({Val::own(own.resource, 1)}), *list_of(own_t));
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message == "index 0: (own file) handles cannot be represented in JSON");

  // Malformed Vals are refused on the way out too.
  auto bad_enum = val_to_json(Val::enumeration(5), *en);
  REQUIRE_FALSE(bad_enum.ok());
  CHECK(bad_enum.error().message == "enum case index 5 out of range (2 cases)");
  auto bad_flags = val_to_json(Val::flags(4), *fl);
  REQUIRE_FALSE(bad_flags.ok());
  CHECK(has(bad_flags.error().message, "bits beyond the 2 labels"));
  auto bad_var = val_to_json(Val::variant(0), *var);
  REQUIRE_FALSE(bad_var.ok());
  CHECK(bad_var.error().message == "case \"num\": value lacks the case's payload");
  auto bad_char = val_to_json(Val::character(0xD800), *ch);
  REQUIRE_FALSE(bad_char.ok());
  CHECK(bad_char.error().message == "char 0xd800 is not a Unicode scalar value");
  auto bad_str = val_to_json(Val::string("\xff"), *prim(ValKind::String));
  REQUIRE_FALSE(bad_str.ok());
  CHECK(bad_str.error().message == "string is not valid UTF-8");
  auto bad_rec = val_to_json(Val::record({Val::string("a")}), *rec);
  REQUIRE_FALSE(bad_rec.ok());
  CHECK(has(bad_rec.error().message, "record value has 1 items"));
}

TEST_CASE("component json: argument lists and results") {
  FuncSig sig;
  sig.param_names = {"n", "text", "p"};
  sig.params = {prim(ValKind::S32), prim(ValKind::String),
                node(ValKind::Record, {prim(ValKind::S32), prim(ValKind::S32)}, {"x", "y"})};
  sig.result = list_of(prim(ValKind::String));

  std::vector<std::string> args = {"-7", "\"text\"", "{\"x\":1,\"y\":-2}"};
  auto vals = args_from_json(sig, args);
  REQUIRE_MESSAGE(vals.ok(), (vals.ok() ? "" : vals.error().message));
  CHECK(*vals == std::vector<Val>{Val::s32(-7), Val::string("text"), Val::record({Val::s32(1), Val::s32(-2)})});

  auto few = args_from_json(sig, std::vector<std::string>{"1"});
  REQUIRE_FALSE(few.ok());
  CHECK(few.error().kind == ErrorKind::Invalid);
  CHECK(few.error().message ==
        "expected 3 arguments (n: s32, text: string, p: (record x:s32 y:s32)), got 1");

  auto field = args_from_json(sig, std::vector<std::string>{"1", "\"t\"", "{\"x\":1,\"y\":\"2\"}"});
  REQUIRE_FALSE(field.ok());
  CHECK(field.error().message == "argument 3: field \"y\": expected an integer s32 (-2147483648..2147483647), got the string \"2\"");

  auto unquoted = args_from_json(sig, std::vector<std::string>{"1", "text", "{}"});
  REQUIRE_FALSE(unquoted.ok());
  CHECK(has(unquoted.error().message, "argument 2: JSON at offset 0: expected a value, got 't'"));
  CHECK(has(unquoted.error().message, "quote them"));

  auto bad_json = args_from_json(sig, std::vector<std::string>{"1", "\"t\"", "{\"x\":1,"});
  REQUIRE_FALSE(bad_json.ok());
  CHECK(bad_json.error().message == "argument 3: JSON at offset 7: expected a string key in an object, got end of text");

  FuncSig none;
  auto zero = args_from_json(none, std::vector<std::string_view>{});
  REQUIRE(zero.ok());
  CHECK(zero->empty());
  auto extra = args_from_json(none, std::vector<std::string_view>{"1"});
  REQUIRE_FALSE(extra.ok());
  CHECK(extra.error().message == "expected no arguments, got 1");
  FuncSig one;
  one.param_names = {"v"};
  one.params = {prim(ValKind::Bool)};
  auto one_err = args_from_json(one, std::vector<std::string_view>{});
  REQUIRE_FALSE(one_err.ok());
  CHECK(one_err.error().message == "expected 1 argument (v: bool), got 0");

  // Results: one result is its JSON text; none is the empty string.
  auto text = results_to_json(sig, std::vector<Val>{Val::list({Val::string("a"), Val::string("\u00e9")})});
  REQUIRE(text.ok());
  CHECK(*text == "[\"a\",\"\u00e9\"]");
  auto empty = results_to_json(none, std::vector<Val>{});
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  auto wrong = results_to_json(none, std::vector<Val>{Val::u8(1)});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message == "expected 0 results, got 1");
  auto bad = results_to_json(sig, std::vector<Val>{Val::list({Val::u8(1)})});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "result: index 0: value of kind u8 does not match type string");
}

TEST_CASE("component json: end-to-end calls through canon.wasm with JSON arguments and results") {
  auto bytes = wippy::testing::load_fixture("canon.wasm");
  REQUIRE(!bytes.empty());
  auto decoded = decode_component(bytes);
  REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? "" : decoded.error().message));
  auto comp = std::make_shared<const Component>(std::move(*decoded));

  // Host side: put-T stores its argument, get-T hands it back, so
  // echo-T(JSON) followed by fetch-T() must print the same JSON.
  std::map<std::string, Val> stored;
  std::vector<Val> many;
  Linker linker;
  for (const char* n : {"string", "recs", "var", "opt", "res", "flags", "enum", "tup", "f64", "s64", "chars"}) {
    std::string name = n;
    linker.func("put-" + name, [&stored, name](Store&, std::span<const Val> a) -> Result<std::vector<Val>> {
      stored[name] = a[0];
      return std::vector<Val>{};
    });
    linker.func("get-" + name, [&stored, name](Store&, std::span<const Val>) -> Result<std::vector<Val>> {
      return std::vector<Val>{stored.at(name)};
    });
  }
  linker.func("put-string16", [](Store&, std::span<const Val>) -> Result<std::vector<Val>> {
    return std::vector<Val>{};
  });
  linker.func("put-many", [&many](Store&, std::span<const Val> a) -> Result<std::vector<Val>> {
    many.assign(a.begin(), a.end());
    return std::vector<Val>{};
  });
  auto hr = linker.resource("host-res");
  linker.func("make-hr", [hr](Store&, std::span<const Val> a) -> Result<std::vector<Val>> {
    return std::vector<Val>{Val::own(hr, a[0].as_u32())};
  });
  linker.func("hr-value", [](Store&, std::span<const Val> a) -> Result<std::vector<Val>> {
    return std::vector<Val>{Val::u32(a[0].rep())};
  });
  Store store;
  auto inst = linker.instantiate(store, comp);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  ComponentInstance& ci = **inst;

  auto call_json = [&](const std::string& fn, std::vector<std::string> args) -> Result<std::string> {
    auto f = ci.func(fn);
    if (!f.ok()) return f.error();
    auto vals = args_from_json(*(*f)->sig, args);
    if (!vals.ok()) return vals.error();
    auto out = ci.call(fn, *vals);
    if (!out.ok()) return out.error();
    return results_to_json(*(*f)->sig, *out);
  };

  std::vector<std::pair<std::string, std::string>> cases = {
      {"string", R"("h\u00e9llo \ud83d\ude00 \"q\"")"},
      {"recs", R"([{"name":"ada","age":36},{"name":"Gr\u00fc\u00dfe","age":7}])"},
      {"var", R"({"a":200})"},
      {"var", R"({"b":-2.5e+300})"},
      {"var", R"({"c":"payload"})"},
      {"var", R"({"d":null})"},
      {"opt", R"("x")"},
      {"opt", "null"},
      {"res", R"({"ok":4294967280})"},
      {"res", R"({"err":"bad thing"})"},
      {"flags", R"(["read","exec"])"},
      {"flags", "[]"},
      {"enum", R"("blue")"},
      {"tup", R"(["\ud83d\ude00",-1234,1.5,true,-128,18446744073709551615])"},
      {"f64", "3.25"},
      {"f64", R"("-inf")"},
      {"s64", "-9000000000000000000"},
      {"chars", R"(["a","\u00e9","\udbff\udfff"])"},
  };
  for (auto& [name, json] : cases) {
    CAPTURE(name);
    CAPTURE(json);
    auto echoed = call_json("echo-" + name, {json});
    REQUIRE_MESSAGE(echoed.ok(), (echoed.ok() ? "" : echoed.error().message));
    CHECK(echoed->empty());  // no result: nothing to print
    auto fetched = call_json("fetch-" + name, {});
    REQUIRE_MESSAGE(fetched.ok(), (fetched.ok() ? "" : fetched.error().message));
    // The printed form is the canonical (compact, raw UTF-8) text of the input.
    CHECK(*fetched == to_json_text(parsed(json)));
  }
  // A bare case name and a decimal string are accepted and print canonically.
  REQUIRE(call_json("echo-var", {R"("d")"}).ok());
  CHECK(*call_json("fetch-var", {}) == R"({"d":null})");
  REQUIRE(call_json("echo-s64", {R"("-9000000000000000001")"}).ok());
  CHECK(*call_json("fetch-s64", {}) == "-9000000000000000001");

  // 17 arguments.
  std::vector<std::string> seventeen;
  for (int i = 0; i < 17; ++i) seventeen.push_back(std::to_string(i * 1000 + 7));
  auto m = call_json("echo-many", seventeen);
  REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
  REQUIRE(many.size() == 17);
  CHECK(many[16] == Val::u32(16007));

  // Errors before the call: arity, shape, handles.
  auto arity = call_json("echo-many", {"1"});
  REQUIRE_FALSE(arity.ok());
  CHECK(has(arity.error().message, "expected 17 arguments (a0: u32, a1: u32"));
  CHECK(has(arity.error().message, "got 1"));
  auto shape = call_json("echo-recs", {R"([{"name":"ada"}])"});
  REQUIRE_FALSE(shape.ok());
  CHECK(shape.error().message == "argument 1: index 0: missing field \"age\"");
  auto handle_arg = call_json("counter-get", {"1"});
  REQUIRE_FALSE(handle_arg.ok());
  CHECK(has(handle_arg.error().message, "argument 1: (borrow"));
  CHECK(has(handle_arg.error().message, "cannot be represented in JSON"));
  auto handle_result = call_json("counter-make", {"5"});
  REQUIRE_FALSE(handle_result.ok());
  CHECK(has(handle_result.error().message, "result: (own"));
  auto plain = call_json("counter-roundtrip", {"41"});
  REQUIRE_MESSAGE(plain.ok(), (plain.ok() ? "" : plain.error().message));
}
