// Function bodies on several threads: validated (interp/validate/
// validate_bodies.h) and scanned by the decoder (decode_code in
// interp/decode/sections.cpp). A module large enough to use them decodes
// and validates as on one thread, and with bad bodies the error is the one
// reading in order meets first, wherever the bad bodies lie.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/leb128.h"
#include "base/lowest_failure.h"
#include "interp/decode/decode.h"
#include "interp/validate/validate.h"
#include "interp/validate/validate_bodies.h"

using namespace wippy;

namespace {

// `n` functions of type [] -> [], each `i32.const 1; drop` repeated `reps`
// times; the bodies listed in `bad` start with a `drop` of nothing, those
// in `illegal` with the byte 0xff (no opcode), those in `many_locals`
// declare 2^32 - 16 locals.
Bytes many_bodies(uint32_t n, uint32_t reps, const std::vector<uint32_t>& bad,
                  const std::vector<uint32_t>& illegal = {}, const std::vector<uint32_t>& many_locals = {}) {
  auto has = [](const std::vector<uint32_t>& v, uint32_t i) { return std::find(v.begin(), v.end(), i) != v.end(); };
  BinaryWriter w, types, funcs, code;
  w.header();
  types.u32(1), types.byte(0x60), types.u32(0), types.u32(0);
  funcs.u32(n);
  for (uint32_t i = 0; i < n; ++i) funcs.u32(0);
  code.u32(n);
  for (uint32_t i = 0; i < n; ++i) {
    BinaryWriter body;
    if (has(many_locals, i))
      body.u32(1), body.u32(0xFFFFFFF0u), body.byte(0x7f);
    else
      body.u32(0);  // no locals
    if (has(bad, i)) body.byte(0x1a);
    if (has(illegal, i)) body.byte(0xff);
    for (uint32_t k = 0; k < reps; ++k) body.byte(0x41), body.byte(0x01), body.byte(0x1a);
    body.byte(0x0b);
    code.u32(body.bytes.size());
    code.append(body.bytes);
  }
  w.section(1, types), w.section(3, funcs), w.section(10, code);
  return std::move(w.bytes);
}

// validate_bodies' message on `threads` threads ("" when valid).
std::string bodies_error(const Module& m, unsigned threads) {
  const std::vector<uint8_t> declared(m.num_funcs(), 0);
  auto r = validate_bodies(m, declared, threads);
  return r.ok() ? std::string() : r.error().message;
}

}  // namespace

TEST_CASE("function bodies on several threads: valid as on one, and the lowest invalid body is the one reported") {
  const uint32_t n = 600, reps = 700;  // about 1.2 MiB of code: over kParallelMinBytes
  struct Case {
    std::vector<uint32_t> bad;
    uint32_t first;
  };
  const std::vector<Case> cases = {{{}, 0}, {{599}, 599}, {{0}, 0}, {{450, 17}, 17}, {{300, 301, 599}, 300}};
  for (const Case& c : cases) {
    CAPTURE(c.first);
    Bytes bin = many_bodies(n, reps, c.bad);
    auto m = decode_module(bin);
    REQUIRE(m.ok());
    uint64_t bytes = 0;
    for (const FuncBody& b : m->codes) bytes += b.code_end - b.code_begin;
    REQUIRE(bytes >= kParallelMinBytes);
    const std::string one = bodies_error(*m, 1);
    for (unsigned threads : {2u, 4u}) CHECK(bodies_error(*m, threads) == one);
    if (c.bad.empty()) {
      CHECK(one.empty());
      CHECK(validate_module(*m).ok());
    } else {
      CHECK(one.find("function " + std::to_string(c.first)) != std::string::npos);
      auto v = validate_module(*m);
      REQUIRE(!v.ok());
      CHECK(v.error().message == one);
    }
  }
}

TEST_CASE("function bodies scanned on several threads: the first malformed body in binary order is reported") {
  const uint32_t n = 600, reps = 700;
  // The offset the decoder gives for an error, and where 0xff bytes lie.
  auto offset_of = [](const std::string& msg) {
    size_t at = msg.rfind("at offset ");
    REQUIRE(at != std::string::npos);
    return std::stoull(msg.substr(at + 10));
  };
  auto ff_at = [](const Bytes& b) {
    std::vector<size_t> out;
    for (size_t i = 0; i < b.size(); ++i)
      if (b[i] == 0xff) out.push_back(i);
    return out;
  };
  struct Case {
    std::vector<uint32_t> illegal, many_locals;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{}, {}, nullptr},
      {{599}, {}, "illegal opcode ff"},
      {{450, 17}, {}, "illegal opcode ff"},
      {{300}, {500}, "illegal opcode ff"},    // a body's error before a later header's
      {{500}, {300}, "too many locals"},      // a header's error before a later body's
      {{}, {3}, "too many locals"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.says);
    Bytes bin = many_bodies(n, reps, {}, c.illegal, c.many_locals);
    auto m = decode_module(bin);
    if (!c.says) {
      REQUIRE(m.ok());
      CHECK(m->codes.size() == n);
      uint64_t bytes = 0;
      for (const FuncBody& b : m->codes) bytes += b.code_end - b.code_begin;
      CHECK(bytes >= kParallelMinBytes);
      continue;
    }
    REQUIRE(!m.ok());
    const std::string msg = m.error().message;
    CHECK(msg.find(c.says) != std::string::npos);
    if (std::string(c.says) == "illegal opcode ff") {
      // The first 0xff in the file is the first illegal body's.
      const std::vector<size_t> ff = ff_at(bin);
      REQUIRE(!ff.empty());
      const auto off = offset_of(msg);
      CHECK(off >= ff.front());
      CHECK(off <= ff.front() + 1);
    }
  }
}
