// Function bodies validated on several threads (interp/validate/
// validate_bodies.h): a module large enough to use them validates as on one
// thread, and with invalid bodies the error is the lowest-indexed one's,
// the same message one thread gives, wherever the bad bodies lie.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/leb128.h"
#include "interp/decode/decode.h"
#include "interp/validate/validate.h"
#include "interp/validate/validate_bodies.h"

using namespace wippy;

namespace {

// `n` functions of type [] -> [], each `i32.const 1; drop` repeated `reps`
// times; the bodies listed in `bad` start with a `drop` of nothing.
Bytes many_bodies(uint32_t n, uint32_t reps, const std::vector<uint32_t>& bad) {
  BinaryWriter w, types, funcs, code;
  w.header();
  types.u32(1), types.byte(0x60), types.u32(0), types.u32(0);
  funcs.u32(n);
  for (uint32_t i = 0; i < n; ++i) funcs.u32(0);
  code.u32(n);
  for (uint32_t i = 0; i < n; ++i) {
    BinaryWriter body;
    body.u32(0);  // no locals
    if (std::find(bad.begin(), bad.end(), i) != bad.end()) body.byte(0x1a);
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
  const uint32_t n = 600, reps = 700;  // about 1.2 MiB of code: over kParallelBodyBytes
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
    REQUIRE(bytes >= kParallelBodyBytes);
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
