// Unit tests for robustness: inputs found by wippy-fuzz (tests/fuzz/) and
// hand-made resource-exhaustion cases (huge declared counts, deep nesting,
// huge limits, long names). Each must come back as a clean error value or a
// bounded success, never a crash. Binaries are written as hex strings.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "component/decode.h"
#include "component/linker.h"
#include "component/text/component_wast.h"
#include "component/text/component_wat.h"
#include "interp/decode/decode.h"
#include "interp/text/wast.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "tests/fuzz/mutate.h"
#include "tests/fuzz/seeds.h"
#include "tests/fuzz/targets.h"

using namespace wippy;

namespace {

using Bytes = std::vector<uint8_t>;

// "0061736d 01000000" -> bytes (spaces ignored).
Bytes hex(std::string_view s) {
  Bytes out;
  int hi = -1;
  for (char c : s) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(uint8_t(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes leb(uint64_t v) {
  Bytes b;
  fuzz::put_leb(b, v);
  return b;
}

// A section: id, LEB128 size, payload.
Bytes section(uint8_t id, const Bytes& payload) { return Bytes{id} + leb(payload.size()) + payload; }

const Bytes kModule = hex("0061736d 01000000");
// type 0: () -> (); one function of type 0, exported as "f".
const Bytes kOneFunc = section(1, hex("01 60 00 00")) + section(3, hex("01 00")) +
                       section(7, hex("01 01 66 00 00"));

// A module whose one function "f" has `body` (locals and code, no size).
Bytes with_body(const Bytes& body) {
  return kModule + kOneFunc + section(10, Bytes{1} + leb(body.size()) + body);
}

std::string error_of(const Bytes& b) {
  auto m = decode_module(b);
  if (!m) return m.error().message;
  auto v = validate_module(*m);
  return v ? "" : v.error().message;
}

#define CHECK_HAS(text, part) \
  CHECK_MESSAGE(std::string(text).find(part) != std::string::npos, "message: " << (text))

}  // namespace

TEST_CASE("robustness: huge declared counts fail on the bytes present") {
  // 2^32-1 types, but no bytes behind them.
  CHECK_HAS(error_of(kModule + section(1, hex("ffffffff0f"))), "length out of bounds");
  // 2^32-1 locals in one run; two runs summing past 2^32.
  CHECK_HAS(error_of(with_body(hex("01 ffffffff0f 7f 0b"))), "too many locals");
  CHECK_HAS(error_of(with_body(hex("02 ffffffff0f 7f ffffffff0f 7f 0b"))), "too many locals");
  // 50,000 locals are allowed (wasmparser's limit), 50,001 are not.
  CHECK(error_of(with_body(Bytes{1} + leb(50000) + hex("7f 0b"))) == "");
  CHECK_HAS(error_of(with_body(Bytes{1} + leb(50001) + hex("7f 0b"))), "too many locals");
  // Element, data and function counts far beyond the section.
  CHECK_HAS(error_of(kModule + section(9, hex("ffffffff0f"))), "length out of bounds");
  CHECK_HAS(error_of(kModule + section(11, hex("ffffffff0f"))), "length out of bounds");
  CHECK_HAS(error_of(kModule + section(3, hex("ffffffff0f"))), "length out of bounds");
  // A data count of 2^32-1 with no data section.
  CHECK_FALSE(error_of(kModule + section(12, hex("ffffffff0f"))).empty());
  // A name claiming 2^32-1 bytes.
  CHECK_FALSE(error_of(kModule + section(0, hex("ffffffff0f"))).empty());
}

TEST_CASE("robustness: a component start section with 2^31-1 results is refused at once") {
  // Found by wippy-fuzz (component, seed 32): the result count is not backed
  // by bytes, and each result opened a value index, so decoding ran for
  // minutes and took gigabytes. A count past 1,000 is now malformed.
  Bytes bin = hex("0061736d 0d000100 0705016f 02797904 18006173 6d0d0001 00070501 6f027979"
                  "09070100 ffffffff 07780300 00050801 00000101 780300");
  auto dec = component::decode_component(bin);
  REQUIRE_FALSE(dec);
  CHECK_HAS(dec.error().message, "start function declares 2147483647 results (at most 1000)");
  CHECK(fuzz::run_component(bin) == "malformed");
}

TEST_CASE("robustness: huge memory and table minimums are refused or bounded") {
  // 65537 pages is over the 4 GiB limit of 32-bit memories.
  CHECK_HAS(error_of(kModule + section(5, hex("01 00 818004"))), "memory size must be at most 65536 pages");
  // A table of 2^32-1 elements validates but cannot be created.
  Bytes table = kModule + section(4, hex("01 70 00 ffffffff0f"));
  CHECK(error_of(table) == "");
  CHECK(fuzz::run_core(table) != "ok");
  // A 4 GiB memory is refused by a store with a memory cap.
  CHECK(fuzz::run_core(kModule + section(5, hex("01 00 808004"))) != "ok");
}

TEST_CASE("robustness: 100,000 nested blocks in a binary function") {
  constexpr size_t kDepth = 100000;
  Bytes body{0};
  for (size_t i = 0; i < kDepth; ++i) body.insert(body.end(), {0x02, 0x40});
  body.insert(body.end(), kDepth + 1, 0x0b);
  std::string outcome = fuzz::run_core(with_body(body));
  CHECK_MESSAGE((outcome == "ok" || outcome == "Invalid" || outcome == "Exhaustion"), outcome);
}

TEST_CASE("robustness: 100,000 nested blocks in text are an error, not a stack overflow") {
  constexpr size_t kDepth = 100000;
  std::string folded = "(module (func ", flat = "(module (func ", adds = "(module (func ";
  for (size_t i = 0; i < kDepth; ++i) {
    folded += "(block ";
    flat += "block ";
    adds += "(i32.add ";
  }
  for (size_t i = 0; i < kDepth; ++i) {
    folded += ")";
    flat += "end ";
  }
  folded += "))";
  flat += "))";
  for (const std::string& src : {folded, flat, adds}) {
    auto r = wat_to_wasm(src);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Malformed);
  }
  auto w = parse_wast("(assert_invalid " + folded + " \"x\")");
  CHECK(w.ok());  // the module's own error is kept for the runner
  auto c = component::component_wat_to_binary("(component (core module " + folded + "))");
  CHECK_FALSE(c.ok());
}

TEST_CASE("robustness: long names are bounded by the input") {
  std::string name(1 << 20, 'n');
  Bytes exp = Bytes{1} + leb(name.size()) + Bytes(name.begin(), name.end()) + hex("00 00");
  Bytes m = kModule + section(1, hex("01 60 00 00")) + section(3, hex("01 00")) + section(7, exp) +
            section(10, hex("01 02 00 0b"));
  CHECK(error_of(m) == "");
  CHECK(fuzz::run_core(m) == "ok");
}

TEST_CASE("robustness: deeply nested component script values are an error") {
  std::string v;
  for (int i = 0; i < 100000; ++i) v += "(list.const ";
  v += std::string(100000, ')');
  auto r = component::parse_component_wast("(component) (invoke \"f\" " + v + ")");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("nesting too deep") != std::string::npos);
}

TEST_CASE("robustness: every unclosed prefix of a text module is malformed") {
  // Found by wippy-fuzz: "(module (" read tokens past the end of the list.
  const std::string src =
      "(module (type $t (func (param i32))) (import \"m\" \"f\" (func $f (type $t)))"
      " (func (export \"g\") (param i32) (result i32) (block $b (br_if $b (local.get 0))) (i32.add (local.get 0) (i32.const 1)))"
      " (table $tb funcref (elem $f)) (memory (data \"x\")) (global (mut i32) (i32.const 0)))";
  REQUIRE(wat_to_wasm(src).ok());
  for (size_t n = 1; n < src.size(); ++n) {  // (the empty text is an empty module)
    auto r = wat_to_wasm(src.substr(0, n));
    CHECK_MESSAGE(!r.ok(), "prefix of " << n << " bytes");
    if (!r.ok()) CHECK(r.error().kind == ErrorKind::Malformed);
  }
}

TEST_CASE("robustness: registry YAML that nests 100,000 deep is an error") {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "wippy-robustness-yaml";
  std::filesystem::create_directories(dir);
  for (const std::string& open : {std::string("["), std::string("{a: "), std::string("- ")}) {
    std::string text = "namespace: n\nentries: ";
    for (int i = 0; i < 100000; ++i) text += open;
    CHECK(fuzz::run_yaml(text, dir) != "ok");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("robustness: a nested component instance is freed with its component instance") {
  // Found by wippy-fuzz under LeakSanitizer: a child scope owned its parent,
  // which owned the child, so every nested instantiation leaked.
  auto bin = component::component_wat_to_binary(
      "(component (component $c) (instance $i (instantiate $c)) (export \"i\" (instance $i)))");
  REQUIRE_MESSAGE(bin.ok(), bin.error().message);
  auto dec = component::decode_component(*bin);
  REQUIRE_MESSAGE(dec.ok(), dec.error().message);
  auto comp = std::make_shared<const component::Component>(std::move(*dec));
  Store store;
  component::Linker linker;
  std::weak_ptr<const component::RtInstance> exports;
  {
    auto inst = linker.instantiate(store, comp);
    REQUIRE_MESSAGE(inst.ok(), inst.error().message);
    exports = (*inst)->exports_ptr();
    CHECK((*inst)->exports().exports.count("i") == 1);
  }
  CHECK(exports.expired());
}

TEST_CASE("robustness: an inline export without an id inside a type declaration") {
  // Found by wippy-fuzz (UBSan): the error named the missing $id token.
  auto r = component::component_wat_to_binary("(component (type (instance (type (export \"x\") (func)))))");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("inline exports are only allowed in components") != std::string::npos);
}

TEST_CASE("robustness: hostile HTTP responses end as errors or complete responses") {
  // Each run plays the bytes to the real client seven ways (http_target.cpp)
  // and aborts on a broken invariant; the label is the whole-delivery GET's.
  CHECK(fuzz::run_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") == "ok");
  CHECK(fuzz::run_http_chunked("5;a=\"b\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\n") == "ok");
  CHECK(fuzz::run_http_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n") == "ok");
  CHECK(fuzz::run_http_response("HTTP/1.1 200 OK\r\nX: " + std::string(9000, 'a') + "\r\n\r\n") ==
        "HTTP-response-header-size");
  CHECK(fuzz::run_http_response("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n") == "HTTP-protocol-error");
  CHECK(fuzz::run_http_response("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort") ==
        "HTTP-response-incomplete");
  CHECK(fuzz::run_http_chunked("10000000000000000\r\nx\r\n0\r\n\r\n") == "HTTP-protocol-error");
  CHECK(fuzz::run_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n") ==
        "HTTP-protocol-error");
  // A body longer than its content-length: the extra bytes are not body.
  CHECK(fuzz::run_http_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef") == "ok");

  fuzz::Seeds seeds;
  fuzz::add_builtin_http(seeds);
  REQUIRE(seeds.http_response.size() > 40);
  std::map<std::string, int> outcomes;
  for (uint64_t i = 0; i < 400; ++i) {
    fuzz::Rng rng(0x5eed ^ i * 0x9E3779B97F4A7C15ull);
    const bool chunked = i % 4 == 3;
    const auto& pool = chunked ? seeds.http_chunked : seeds.http_response;
    std::string input = pool[rng.below(pool.size())];
    fuzz::mutate_http(input, pool[rng.below(pool.size())], rng);
    ++outcomes[chunked ? fuzz::run_http_chunked(input) : fuzz::run_http_response(input)];
  }
  CHECK(outcomes.count("ok") == 1);
  CHECK(outcomes.count("HTTP-protocol-error") == 1);
}
