// Unit tests for packed lists (component/val.h: lists of u8 and other
// fixed-size numbers held as one byte buffer) through the canonical ABI,
// with tests/component/lists.wat (parsed at test time): list<u8> of 0, 1
// and 1 MiB bytes and list<u8> inside a record, option and result make the
// host -> lower -> core -> lift -> host trip both ways and come back packed
// and equal, in either form the host gives them; list<s16>, list<u64> and
// list<f32> too (NaNs canonical); out-of-range and unaligned list pointers
// still trap; mismatched packed values are refused; Val equality, rendering
// and JSON treat both forms alike.
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "component/decode.h"
#include "component/linker.h"
#include "component/rtype.h"
#include "component/text/component_wat.h"
#include "component/json.h"
#include "component/val_json.h"
#include "echo_host.h"
#include "fixtures.h"
#include "hosted_instance.h"

using namespace wippy;
using namespace wippy::component;

namespace {

std::shared_ptr<const Component> lists_component() {
  auto text = wippy::testing::load_fixture("lists.wat");
  REQUIRE(!text.empty());
  auto bin = component_wat_to_binary(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto c = decode_component(*bin);
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  return std::make_shared<const Component>(std::move(*c));
}

// The host side of lists.wat: put-T records its argument, get-T returns
// what the test stored.
struct ListsHost {
  std::map<std::string, Val> got, give;
  Linker linker;
  ListsHost() {
    for (const char* n : {"bytes", "nest", "s16s", "u64s", "f32s"}) wippy::testing::add_put_get(linker, n, got, give);
  }
};

struct Lists : wippy::testing::HostedInstance<ListsHost> {
  Lists() : HostedInstance(lists_component()) {}
  // echo-T(v) then fetch-T() with v given back: returns (what put-T got,
  // what fetch-T returned).
  std::pair<Val, Val> round_trip(const std::string& name, const Val& v) {
    auto r = inst->call("echo-" + name, std::vector<Val>{v});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    REQUIRE(host.got.count(name));
    host.give[name] = v;
    auto f = inst->call("fetch-" + name, {});
    REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
    REQUIRE(f->size() == 1);
    return {host.got[name], (*f)[0]};
  }
  Error trap_of(const char* fn) {
    auto r = inst->call(fn, {});
    REQUIRE_FALSE(r.ok());
    return r.error();
  }
};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 131 + (i >> 8) * 7 + 3);
  return b;
}

Val unpacked_bytes(const std::vector<uint8_t>& b) {
  std::vector<Val> items;
  for (uint8_t x : b) items.push_back(Val::u8(x));
  return Val::list(std::move(items));
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("canon lists: list<u8> round trips packed (empty, 1 byte, 1 MiB)") {
  Lists l;
  for (size_t n : {size_t(0), size_t(1), size_t(1) << 20}) {
    CAPTURE(n);
    auto bytes = pattern(n);
    auto [got, back] = l.round_trip("bytes", Val::bytes(bytes));
    for (const Val* v : {&got, &back}) {
      REQUIRE(v->kind == ValKind::List);
      CHECK(v->is_bytes());
      CHECK(v->items.empty());
      REQUIRE(v->list_size() == n);
      CHECK(std::vector<uint8_t>(v->bytes().begin(), v->bytes().end()) == bytes);
      CHECK(*v == Val::bytes(bytes));
    }
  }
  // An unpacked list<u8> from the host lowers element by element and lifts
  // back packed, equal to it.
  auto few = pattern(300);
  auto [got, back] = l.round_trip("bytes", unpacked_bytes(few));
  CHECK(got.is_bytes());
  CHECK(back.is_bytes());
  CHECK(got == unpacked_bytes(few));
  CHECK(unpacked_bytes(few) == back);
  CHECK(std::vector<uint8_t>(back.bytes().begin(), back.bytes().end()) == few);
}

TEST_CASE("canon lists: list<u8> inside a record, option and result") {
  Lists l;
  auto a = pattern(5000), b = pattern(1), c = pattern(70000);
  std::vector<Val> cases = {
      Val::record({Val::string("all"), Val::bytes(a), Val::some(Val::bytes(b)), Val::ok(Val::bytes(c))}),
      Val::record({Val::string("none"), Val::bytes({}), Val::none(), Val::err(Val::bytes(a))}),
      Val::record({Val::string("empty some"), Val::bytes(b), Val::some(Val::bytes({})), Val::err(Val::bytes({}))}),
      Val::record({Val::string("unpacked"), unpacked_bytes(b), Val::some(unpacked_bytes(a)), Val::ok(Val::bytes(b))}),
  };
  for (auto& v : cases) {
    CAPTURE(v.items[0].str);
    auto [got, back] = l.round_trip("nest", v);
    for (const Val* r : {&got, &back}) {
      CHECK(*r == v);
      REQUIRE(r->items.size() == 4);
      CHECK(r->items[1].is_bytes());
      if (r->items[2].payload()) CHECK(r->items[2].payload()->is_bytes());
      REQUIRE(r->items[3].payload());
      CHECK(r->items[3].payload()->is_bytes());
    }
  }
  // A payload that differs in one byte is a different value.
  auto [got, back] = l.round_trip("nest", cases[0]);
  auto c2 = c;
  c2[69999] ^= 1;
  CHECK_FALSE(back == Val::record({Val::string("all"), Val::bytes(a), Val::some(Val::bytes(b)), Val::ok(Val::bytes(c2))}));
}

TEST_CASE("canon lists: other number lists are packed too") {
  Lists l;
  std::vector<int16_t> s16 = {-32768, -1, 0, 1, 32767};
  std::vector<Val> s16_items;
  for (int16_t x : s16) s16_items.push_back(Val::s16(x));
  auto [got, back] = l.round_trip("s16s", Val::list(s16_items));
  CHECK(got.is_packed());
  CHECK(got.packed_kind == ValKind::S16);
  CHECK(got.raw().size() == 10);
  CHECK(got == Val::list(s16_items));
  CHECK(back == Val::list(s16_items));
  CHECK(back.list_item(0) == Val::s16(-32768));
  CHECK(back.list_item(0).as_s64() == -32768);  // sign-extended like any s16 Val
  CHECK(back.list_items() == s16_items);

  std::vector<Val> u64_items = {Val::u64(0), Val::u64(~0ull), Val::u64(0x0123456789abcdefull)};
  auto [gu, bu] = l.round_trip("u64s", Val::list(u64_items));
  CHECK(gu.packed_kind == ValKind::U64);
  CHECK(gu == Val::list(u64_items));
  CHECK(bu.list_items() == u64_items);

  // f32: -0.0 and 0.0 are equal floats; NaNs cross as the canonical NaN.
  uint32_t odd_nan_bits = 0x7f800001;
  float odd_nan;
  std::memcpy(&odd_nan, &odd_nan_bits, 4);
  std::vector<Val> f32_items = {Val::f32v(1.5f), Val::f32v(-0.0f), Val::f32v(odd_nan)};
  auto [gf, bf] = l.round_trip("f32s", Val::list(f32_items));
  CHECK(gf.packed_kind == ValKind::F32);
  CHECK(gf == Val::list(f32_items));
  CHECK(bf == Val::list({Val::f32v(1.5f), Val::f32v(0.0f), Val::f32v(odd_nan)}));
  for (const Val* v : {&gf, &bf}) {
    uint32_t bits = 0;
    float f = v->list_item(2).f32;
    std::memcpy(&bits, &f, 4);
    CHECK(bits == 0x7fc00000u);
  }
  // Lifted from guest memory holding a non-canonical NaN.
  auto nan = l.inst->call("nan-f32s", {});
  REQUIRE_MESSAGE(nan.ok(), (nan.ok() ? "" : nan.error().message));
  const Val& nv = (*nan)[0];
  REQUIRE(nv.list_size() == 2);
  CHECK(nv.raw()[0] == 0x00);
  CHECK(nv.raw()[1] == 0x00);
  CHECK(nv.raw()[2] == 0xc0);
  CHECK(nv.raw()[3] == 0x7f);
  CHECK(nv.list_item(1) == Val::f32v(-1.5f));
}

TEST_CASE("canon lists: bad list pointers still trap, edges do not") {
  auto expect_trap = [](const char* fn, const char* words) {
    CAPTURE(fn);
    Lists l;  // fresh memory of one page
    auto e = l.trap_of(fn);
    CHECK(e.kind == ErrorKind::Trap);
    CHECK_MESSAGE(has(e.message, words), e.message);
  };
  expect_trap("bad-bytes-far", "list content out-of-bounds");
  expect_trap("bad-bytes-end", "list content out-of-bounds");
  expect_trap("bad-u64s-huge", "list content out-of-bounds");
  expect_trap("bad-u64s-align", "unaligned");

  Lists l;
  auto edge = l.inst->call("edge-bytes", {});
  REQUIRE_MESSAGE(edge.ok(), (edge.ok() ? "" : edge.error().message));
  CHECK((*edge)[0] == Val::bytes({0xab}));
}

TEST_CASE("canon lists: packed values of the wrong kind are refused") {
  Lists l;
  // Four bytes given where list<s16> is declared.
  auto r = l.inst->call("echo-s16s", std::vector<Val>{Val::bytes({1, 2, 3, 4})});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK_MESSAGE(has(r.error().message, "does not match"), r.error().message);
  l.host.give["bytes"] = Val::packed_list(ValKind::U16, {1, 0, 2, 0});
  auto f = l.inst->call("fetch-bytes", {});
  REQUIRE_FALSE(f.ok());
  CHECK(has(f.error().message, "does not match"));
}

TEST_CASE("canon lists: packed and unpacked lists are the same value") {
  auto bytes = pattern(40);
  Val p = Val::bytes(bytes), u = unpacked_bytes(bytes);
  CHECK(p == u);
  CHECK(u == p);
  CHECK(to_string(p) == to_string(u));
  CHECK(to_string(Val::bytes({1, 200})) == "[1, 200]");
  CHECK_FALSE(p == Val::bytes(pattern(39)));
  CHECK_FALSE(Val::bytes({1, 2}) == Val::packed_list(ValKind::S8, {1, 2}));
  CHECK_FALSE(Val::bytes({1, 2}) == Val::list({Val::u8(1), Val::u16(2)}));
  CHECK(Val::packed_list(ValKind::S8, {0xff}).list_item(0) == Val::s8(-1));
  std::vector<Val> scratch;
  CHECK(list_elems(p, scratch) == u.items);
  CHECK(&list_elems(u, scratch) == &u.items);
  CHECK(Val::bytes({}).bytes().empty());
  CHECK(Val::packed_list(ValKind::U16, {1, 0}).bytes().empty());  // not a list<u8>

  // JSON: an array of numbers either way, and the same text.
  VType lt;
  lt.kind = ValKind::List;
  lt.elems = {prim_vtype(ValKind::U8)};
  auto t = make_vtype(lt);
  auto jp = val_to_json(p, *t), ju = val_to_json(u, *t);
  REQUIRE_MESSAGE(jp.ok(), (jp.ok() ? "" : jp.error().message));
  REQUIRE(ju.ok());
  CHECK(to_json_text(*jp) == to_json_text(*ju));
  CHECK(to_json_text(*val_to_json(Val::bytes({0, 7, 255}), *t)) == "[0,7,255]");
  auto back = val_from_json(*jp, *t);
  REQUIRE(back.ok());
  CHECK(*back == p);
}
