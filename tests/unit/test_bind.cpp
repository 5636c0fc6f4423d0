// Unit tests for the typed host-binding API (component/bind.h): the host
// interface test:bind/host is defined with plain C++ callables and bound
// into tests/component/bind.wat (parsed at test time), whose exports pass
// every value through guest memory to the typed functions and back:
// records, variants, enums, flags, options, results (with and without
// payloads), tuples, lists (of u8, u32, records with strings), non-ASCII
// strings, own/borrow handles with the host destructor run on drop; plus
// link-time rejection of mismatched declarations (naming interface,
// function and the difference), semver matching and missing functions; and
// the WASI host functions ported to the typed API that the preview1 adapter
// does not import (initial-cwd, clock resolutions, random u64, insecure*).
#include <doctest/doctest.h>

#include <time.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "error_message.h"
#include "fixtures.h"
#include "hosted_instance.h"
#include "component/bind.h"
#include "component/decode.h"
#include "component/text/component_wat.h"
#include "hostfns/wasi.h"

using namespace wippy;
using wippy::testing::error_message;
using namespace wippy::component;

namespace {

struct Point {
  int32_t x = 0;
  int32_t y = 0;
  std::string label;
};
inline auto wit_describe(const Point*) {
  return wit_record(wit_field("x", &Point::x), wit_field("y", &Point::y), wit_field("label", &Point::label));
}

using Shape = std::variant<WitCase<"circle", double>, WitCase<"rect", Point>, WitCase<"empty">>;

enum class Color { red, green, blue };
inline auto wit_describe(const Color*) { return wit_enum<Color>("red", "green", "blue"); }

enum class Perms : uint8_t { none = 0, read = 1, write = 2, exec = 4 };
inline auto wit_describe(const Perms*) { return wit_flags<Perms>("read", "write", "exec"); }

// The resource: counts its destructions in `*destroyed`.
struct Counter {
  uint32_t value;
  int* destroyed;
  Counter(uint32_t v, int* d) : value(v), destroyed(d) {}
  ~Counter() { ++*destroyed; }
};

std::shared_ptr<const Component> from_text(std::string_view wat) {
  auto bin = component_wat_to_binary(wat);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto c = decode_component(*bin);
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  return std::make_shared<const Component>(std::move(*c));
}

std::shared_ptr<const Component> bind_component() {
  auto bytes = wippy::testing::load_fixture("bind.wat");
  REQUIRE(!bytes.empty());
  return from_text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The typed host of bind.wat, offered at @0.1.3 (the component imports @0.1.0).
struct TypedHost {
  Linker linker;
  int destroyed = 0;
  int mix_calls_with_store = 0;
  HostResource<Counter> counters;

  TypedHost() {
    HostInterface host(linker, "test:bind/host@0.1.3");
    host.func("scale", [](Point p, int32_t k) {
      return Point{p.x * k, p.y * k, p.label + " ×" + std::to_string(k)};
    });
    host.func("describe", [](const Shape& s) -> std::string {
      if (auto* c = std::get_if<0>(&s)) return "circle r=" + std::to_string(int(c->value * 10));
      if (auto* r = std::get_if<1>(&s)) return "rect " + r->value.label + " " + std::to_string(r->value.x);
      return "empty";
    });
    host.func("find", [](std::string_view name) -> std::optional<uint32_t> {
      if (name == "größe") return 42u;
      return std::nullopt;
    });
    host.func("parse", [](std::string_view s) -> WitResult<uint32_t, std::string> {
      if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos)
        return wit_err("not a number: «" + std::string(s) + "»");
      return wit_ok(uint32_t(std::stoul(std::string(s))));
    });
    host.func("check", [](bool ok) -> WitResult<> { return ok ? WitResult<>(wit_ok()) : wit_err(); });
    host.func("sum", [](std::span<const uint32_t> xs) {
      uint64_t total = 0;
      for (uint32_t x : xs) total += x;
      return total;
    });
    host.func("reverse", [](std::span<const uint8_t> b) { return std::vector<uint8_t>(b.rbegin(), b.rend()); });
    host.func("labels", [](const std::vector<Point>& ps) {
      std::vector<std::string> out;
      for (auto& p : ps) out.push_back(p.label + "@" + std::to_string(p.x) + "," + std::to_string(p.y));
      return out;
    });
    host.func("mix", [this](Store&, Color c, Perms p) {
      ++mix_calls_with_store;
      auto next = Color((int(c) + 1) % 3);
      return std::tuple<Color, Perms>{next, Perms(uint8_t(p) ^ uint8_t(Perms::exec))};
    });
    host.func("greet", [](const std::string& name) -> Result<std::string> {
      if (name.empty()) return make_error(ErrorKind::Trap, "greet: empty name");
      return "Привет, " + name + "!";
    });
    counters = host.resource<Counter>("counter");
    host.func("new-counter", [this](uint32_t start) { return counters.emplace(start, &destroyed); });
    host.func("[method]counter.bump", [this](Borrow<Counter> self) -> Result<uint32_t> {
      auto c = counters.get(self);
      if (!c) return c.error();
      return ++(*c)->value;
    });
    host.func("consume", [this](Own<Counter> c) -> Result<uint32_t> {
      auto obj = counters.take(c);
      if (!obj) return obj.error();
      return (*obj)->value * 100;
    });
  }
};

// bind.wat instantiated against a TypedHost.
struct Bound : wippy::testing::HostedInstance<TypedHost> {
  Bound() : HostedInstance(bind_component()) {}
};

Val point_val(int32_t x, int32_t y, std::string label) {
  return Val::record({Val::s32(x), Val::s32(y), Val::string(std::move(label))});
}

Val call_ok(const ComponentInstance& inst, std::string_view fn, std::vector<Val> args) {
  auto r = inst.call(fn, args);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  return (*r)[0];
}

// Instantiates a component importing test:bind/host@0.1.0 with the given
// instance-type body; returns the instantiation error message ("" if ok).
std::string link_error_for(TypedHost& h, const std::string& instance_body) {
  auto c = from_text("(component (import \"test:bind/host@0.1.0\" (instance " + instance_body + ")))");
  Store store;
  auto r = h.linker.instantiate(store, c);
  if (r.ok()) return "";
  CHECK(r.error().kind == ErrorKind::Unlinkable);
  return r.error().message;
}

}  // namespace

TEST_CASE("bind: records, variants, enums, flags, tuples through guest memory") {
  Bound b;
  TypedHost& h = b.host;
  auto& ci = *b.inst;

  CHECK(call_ok(ci, "scale", {point_val(2, -3, "pt"), Val::s32(4)}) == point_val(8, -12, "pt ×4"));
  CHECK(call_ok(ci, "describe", {Val::variant(0, Val::f64v(1.5))}) == Val::string("circle r=15"));
  CHECK(call_ok(ci, "describe", {Val::variant(1, point_val(7, 1, "böx"))}) == Val::string("rect böx 7"));
  CHECK(call_ok(ci, "describe", {Val::variant(2)}) == Val::string("empty"));
  // mix: color -> next color, flags with exec toggled; the callable took Store& first.
  CHECK(call_ok(ci, "mix", {Val::enumeration(2), Val::flags(0b011)}) ==
        Val::tuple({Val::enumeration(0), Val::flags(0b111)}));
  CHECK(call_ok(ci, "mix", {Val::enumeration(0), Val::flags(0b100)}) ==
        Val::tuple({Val::enumeration(1), Val::flags(0)}));
  CHECK(h.mix_calls_with_store == 2);
}

TEST_CASE("bind: number lists convert to and from packed Vals") {
  Val v = WitType<std::vector<uint8_t>>::to_val({1, 2, 250});
  CHECK(v.is_bytes());
  CHECK(v == Val::list({Val::u8(1), Val::u8(2), Val::u8(250)}));
  Val s = WitType<std::span<const int16_t>>::to_val(std::vector<int16_t>{-2, 300});
  CHECK(s.packed_kind == ValKind::S16);
  CHECK(s == Val::list({Val::s16(-2), Val::s16(300)}));
  CHECK(WitType<std::vector<double>>::to_val({0.5}) == Val::list({Val::f64v(0.5)}));

  std::vector<uint8_t> bytes;
  CHECK(WitType<std::vector<uint8_t>>::from_val(Val::bytes({9, 8}), bytes));
  CHECK(bytes == std::vector<uint8_t>{9, 8});
  CHECK(WitType<std::vector<uint8_t>>::from_val(Val::list({Val::u8(7)}), bytes));
  CHECK(bytes == std::vector<uint8_t>{7});
  CHECK_FALSE(WitType<std::vector<uint8_t>>::from_val(Val::packed_list(ValKind::S8, {1}), bytes));
  std::vector<int16_t> s16;
  CHECK(WitType<std::span<const int16_t>>::from_val(s, s16));
  CHECK(s16 == std::vector<int16_t>{-2, 300});
  // Not a packable element type: a packed list is read element by element.
  std::vector<bool> flags;
  CHECK_FALSE(WitType<std::vector<bool>>::from_val(Val::bytes({1}), flags));
  std::vector<std::optional<uint8_t>> opts;
  CHECK_FALSE(WitType<std::vector<std::optional<uint8_t>>>::from_val(Val::bytes({1}), opts));
}

TEST_CASE("bind: options, results, lists and strings through guest memory") {
  Bound b;
  auto& ci = *b.inst;

  CHECK(call_ok(ci, "find", {Val::string("größe")}) == Val::some(Val::u32(42)));
  CHECK(call_ok(ci, "find", {Val::string("size")}) == Val::none());
  CHECK(call_ok(ci, "parse", {Val::string("1234")}) == Val::ok(Val::u32(1234)));
  CHECK(call_ok(ci, "parse", {Val::string("12a")}) == Val::err(Val::string("not a number: «12a»")));
  CHECK(call_ok(ci, "check", {Val::boolean(true)}) == Val::ok());
  CHECK(call_ok(ci, "check", {Val::boolean(false)}) == Val::err());
  CHECK(call_ok(ci, "sum", {Val::list({Val::u32(4000000000u), Val::u32(4000000000u), Val::u32(7)})}) ==
        Val::u64(8000000007ull));
  CHECK(call_ok(ci, "sum", {Val::list({})}) == Val::u64(0));
  CHECK(call_ok(ci, "reverse", {Val::list({Val::u8(1), Val::u8(2), Val::u8(255)})}) ==
        Val::list({Val::u8(255), Val::u8(2), Val::u8(1)}));
  // Packed lists (a 64 KiB list<u8>, a list<u32>) reach the typed host
  // function as spans and its vector comes back packed.
  std::vector<uint8_t> big(65536);
  for (size_t i = 0; i < big.size(); ++i) big[i] = uint8_t(i * 7 + (i >> 9));
  Val rev = call_ok(ci, "reverse", {Val::bytes(big)});
  CHECK(rev.is_bytes());
  CHECK(rev == Val::bytes(std::vector<uint8_t>(big.rbegin(), big.rend())));
  CHECK(call_ok(ci, "reverse", {Val::bytes({})}) == Val::bytes({}));
  CHECK(call_ok(ci, "sum", {Val::packed_list(ValKind::U32, {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})}) ==
        Val::u64(0x100000000ull));
  CHECK(call_ok(ci, "labels", {Val::list({point_val(1, 2, "ä"), point_val(-3, 4, "日本")})}) ==
        Val::list({Val::string("ä@1,2"), Val::string("日本@-3,4")}));
  CHECK(call_ok(ci, "greet", {Val::string("Мир")}) == Val::string("Привет, Мир!"));

  // A Result error from the host function ends the call with it.
  auto bad = ci.call("greet", std::vector<Val>{Val::string("")});
  CHECK(has(error_message(bad, ErrorKind::Trap), "greet: empty name"));
}

TEST_CASE("bind: own and borrow handles, destructor on drop") {
  Bound b;
  TypedHost& h = b.host;
  auto& ci = *b.inst;

  // The guest creates a counter, bumps it twice through borrows and drops it.
  CHECK(call_ok(ci, "cycle", {Val::u32(10)}) == Val::u32(12));
  CHECK(h.destroyed == 1);
  CHECK(h.counters.size() == 0);

  // An own handle moved out to the host, lent back as a borrow, then given
  // back as an own to `consume`, which takes the object (destroying it).
  Val own = call_ok(ci, "new-counter", {Val::u32(5)});
  REQUIRE(own.kind == ValKind::Own);
  CHECK(own.resource == h.counters.type());
  CHECK(h.counters.size() == 1);
  CHECK(call_ok(ci, "bump", {Val::borrow(own.resource, own.rep())}) == Val::u32(6));
  CHECK(call_ok(ci, "bump", {Val::borrow(own.resource, own.rep())}) == Val::u32(7));
  CHECK(h.destroyed == 1);
  CHECK(call_ok(ci, "consume", {own}) == Val::u32(700));
  CHECK(h.destroyed == 2);
  CHECK(h.counters.size() == 0);

  // Its rep is gone: a borrow of it now traps in the typed lookup.
  auto stale = ci.call("bump", std::vector<Val>{Val::borrow(own.resource, own.rep())});
  CHECK(has(error_message(stale, ErrorKind::Trap), "resource `counter`: unknown handle"));
}

TEST_CASE("bind: mismatched declarations fail instantiation naming the function") {
  TypedHost h;
  // Wrong parameter type.
  std::string e = link_error_for(h, R"((export "greet" (func (param "name" u32) (result string))))");
  CHECK(has(e, "test:bind/host@0.1.0"));
  CHECK(has(e, "function `greet`"));
  CHECK(has(e, "parameter 0 `name`: the host has string, the component declares u32"));
  // Wrong parameter count.
  e = link_error_for(h, R"((export "sum" (func (param "a" (list u32)) (param "b" u32) (result u64))))");
  CHECK(has(e, "function `sum`"));
  CHECK(has(e, "takes 1 parameter(s), the component declares 2"));
  // Result missing / of the wrong shape.
  e = link_error_for(h, R"((export "check" (func (param "ok" bool))))");
  CHECK(has(e, "function `check`"));
  CHECK(has(e, "declares no result"));
  e = link_error_for(h, R"((export "check" (func (param "ok" bool) (result (result u32)))))");
  CHECK(has(e, "result: result ok: the host has no payload, the component declares u32"));
  // A record field of another name, nested in a list.
  e = link_error_for(h, R"((type $p (record (field "x" s32) (field "z" s32) (field "label" string)))
                           (export "point" (type $pt (eq $p)))
                           (export "labels" (func (param "ps" (list $pt)) (result (list string)))))");
  CHECK(has(e, "function `labels`"));
  CHECK(has(e, "list element: record fields: the host has (x, y, label), the component declares (x, z, label)"));
  // A variant case payload of another type.
  e = link_error_for(h, R"((type $p (record (field "x" s32) (field "y" s32) (field "label" string)))
                           (export "point" (type $pt (eq $p)))
                           (type $s (variant (case "circle" f32) (case "rect" $pt) (case "empty")))
                           (export "shape" (type $st (eq $s)))
                           (export "describe" (func (param "s" $st) (result string))))");
  CHECK(has(e, "case `circle`: the host has f64, the component declares f32"));
  // Enum labels out of order.
  e = link_error_for(h, R"((type $c (enum "green" "red" "blue")) (type $f (flags "read" "write" "exec"))
                           (export "color" (type $ct (eq $c))) (export "perms" (type $ft (eq $f)))
                           (export "mix" (func (param "c" $ct) (param "p" $ft) (result (tuple $ct $ft)))))");
  CHECK(has(e, "enum cases: the host has (red, green, blue)"));
  // An own handle of a resource other than the host's counter.
  e = link_error_for(h, R"((export "other" (type $o (sub resource)))
                           (export "consume" (func (param "c" (own $o)) (result u32))))");
  CHECK(has(e, "resource type `other` is not provided"));
  TypedHost h2;
  h2.linker.instance("test:bind/host@0.1.3").resource("other");
  e = link_error_for(h2, R"((export "other" (type $o (sub resource)))
                            (export "consume" (func (param "c" (own $o)) (result u32))))");
  CHECK(has(e, "function `consume`"));
  CHECK(has(e, "own of its own resource type, the component declares own of `other`"));
  // A function the host does not offer.
  e = link_error_for(h, R"((export "frobnicate" (func)))");
  CHECK(has(e, "function `frobnicate` is not provided"));
  // Correct declarations of a subset link.
  CHECK(link_error_for(h, R"((export "greet" (func (param "who" string) (result string))))") == "");
}

TEST_CASE("bind: semver matching and incompatible versions") {
  TypedHost h;
  auto c = from_text(R"((component (import "test:bind/host@0.2.0" (instance
                          (export "greet" (func (param "n" string) (result string)))))))");
  Store store;
  auto r = h.linker.instantiate(store, c);
  CHECK(has(error_message(r, ErrorKind::Unlinkable), "test:bind/host@0.2.0"));
  CHECK(has(r.error().message, "incompatible versions (test:bind/host@0.1.3)"));
}

TEST_CASE("bind: top-level typed functions and Val pass-through") {
  Linker linker;
  std::vector<std::string> seen;
  bind_func(linker, "log", [&seen](std::string_view s, Val extra) { seen.push_back(std::string(s) + to_string(extra)); });
  auto c = from_text(R"((component
    (import "log" (func $log (param "s" string) (param "x" (option u8))))
    (core module $M (memory (export "mem") 1) (data (i32.const 16) "héllo")
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024)))
    (core instance $m (instantiate $M))
    (alias core export $m "mem" (core memory $mem))
    (core func $lo (canon lower (func $log) (memory $mem)))
    (core module $Main (import "h" "log" (func $log (param i32 i32 i32 i32)))
      (func (export "run") (call $log (i32.const 16) (i32.const 6) (i32.const 1) (i32.const 9))))
    (core instance $main (instantiate $Main (with "h" (instance (export "log" (func $lo))))))
    (func $run (canon lift (core func $main "run")))
    (export "run" (func $run))))");
  Store store;
  auto inst = linker.instantiate(store, c);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  auto r = (*inst)->call("run", {});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == "héllosome(9)");

  // A top-level import declared with a different type is rejected.
  Linker strict;
  bind_func(strict, "log", [](std::string_view) {});
  auto bad = strict.instantiate(store, from_text(R"((component (import "log" (func (param "s" u32)))))"));
  CHECK(has(error_message(bad, ErrorKind::Unlinkable), "import `log`: function does not match the host's signature: parameter 0 `s`"));
}

// The WASI functions ported to the typed API that the preview1 adapter
// (and so test_wasi.cpp) does not import, declared as in the WASI 0.2 WIT.
TEST_CASE("bind: WASI interfaces on the typed API (environment, clocks, random)") {
  auto c = from_text(R"((component
    (import "wasi:cli/environment@0.2.0" (instance $env
      (export "initial-cwd" (func (result (option string))))))
    (import "wasi:clocks/wall-clock@0.2.0" (instance $wall
      (type $dt (record (field "seconds" u64) (field "nanoseconds" u32)))
      (export "datetime" (type $dt-t (eq $dt)))
      (export "now" (func (result $dt-t)))
      (export "resolution" (func (result $dt-t)))))
    (import "wasi:clocks/monotonic-clock@0.2.3" (instance $mono
      (type $duration u64)
      (export "duration" (type $duration-t (eq $duration)))
      (export "resolution" (func (result $duration-t)))))
    (import "wasi:random/random@0.2.0" (instance $rand
      (export "get-random-u64" (func (result u64)))))
    (import "wasi:random/insecure@0.2.0" (instance $insecure
      (export "get-insecure-random-bytes" (func (param "len" u64) (result (list u8))))
      (export "get-insecure-random-u64" (func (result u64)))))
    (import "wasi:random/insecure-seed@0.2.0" (instance $seed
      (export "insecure-seed" (func (result (tuple u64 u64))))))
    (alias export $wall "datetime" (type $datetime))
    (alias export $env "initial-cwd" (func $cwd))
    (alias export $wall "now" (func $wall-now))
    (alias export $wall "resolution" (func $wall-res))
    (alias export $mono "resolution" (func $mono-res))
    (alias export $rand "get-random-u64" (func $rand-u64))
    (alias export $insecure "get-insecure-random-bytes" (func $ins-bytes))
    (alias export $insecure "get-insecure-random-u64" (func $ins-u64))
    (alias export $seed "insecure-seed" (func $ins-seed))
    (core module $Mem
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $next))
        (global.set $next (i32.add (global.get $next) (i32.add (local.get 3) (i32.const 8))))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (alias core export $mem "mem" (core memory $memory))
    (alias core export $mem "realloc" (core func $realloc))
    (core func $lo-cwd (canon lower (func $cwd) (memory $memory) (realloc $realloc)))
    (core func $lo-wall-now (canon lower (func $wall-now) (memory $memory)))
    (core func $lo-wall-res (canon lower (func $wall-res) (memory $memory)))
    (core func $lo-mono-res (canon lower (func $mono-res)))
    (core func $lo-rand-u64 (canon lower (func $rand-u64)))
    (core func $lo-ins-bytes (canon lower (func $ins-bytes) (memory $memory) (realloc $realloc)))
    (core func $lo-ins-u64 (canon lower (func $ins-u64)))
    (core func $lo-ins-seed (canon lower (func $ins-seed) (memory $memory)))
    (core module $Main
      (import "h" "cwd" (func $cwd (param i32)))
      (import "h" "wall-now" (func $wall-now (param i32)))
      (import "h" "wall-res" (func $wall-res (param i32)))
      (import "h" "mono-res" (func $mono-res (result i64)))
      (import "h" "rand-u64" (func $rand-u64 (result i64)))
      (import "h" "ins-bytes" (func $ins-bytes (param i64 i32)))
      (import "h" "ins-u64" (func $ins-u64 (result i64)))
      (import "h" "ins-seed" (func $ins-seed (param i32)))
      (func (export "cwd") (result i32) (call $cwd (i32.const 64)) (i32.const 64))
      (func (export "wall-now") (result i32) (call $wall-now (i32.const 64)) (i32.const 64))
      (func (export "wall-res") (result i32) (call $wall-res (i32.const 64)) (i32.const 64))
      (func (export "mono-res") (result i64) (call $mono-res))
      (func (export "rand-u64") (result i64) (call $rand-u64))
      (func (export "ins-bytes") (param i64) (result i32) (call $ins-bytes (local.get 0) (i32.const 64)) (i32.const 64))
      (func (export "ins-u64") (result i64) (call $ins-u64))
      (func (export "ins-seed") (result i32) (call $ins-seed (i32.const 64)) (i32.const 64)))
    (core instance $main (instantiate $Main (with "h" (instance
      (export "cwd" (func $lo-cwd)) (export "wall-now" (func $lo-wall-now)) (export "wall-res" (func $lo-wall-res))
      (export "mono-res" (func $lo-mono-res)) (export "rand-u64" (func $lo-rand-u64))
      (export "ins-bytes" (func $lo-ins-bytes)) (export "ins-u64" (func $lo-ins-u64))
      (export "ins-seed" (func $lo-ins-seed))))))
    (func (export "cwd") (result (option string)) (canon lift (core func $main "cwd") (memory $memory)))
    (func (export "wall-now") (result $datetime) (canon lift (core func $main "wall-now") (memory $memory)))
    (func (export "wall-res") (result $datetime) (canon lift (core func $main "wall-res") (memory $memory)))
    (func (export "mono-res") (result u64) (canon lift (core func $main "mono-res")))
    (func (export "rand-u64") (result u64) (canon lift (core func $main "rand-u64")))
    (func (export "ins-bytes") (param "len" u64) (result (list u8)) (canon lift (core func $main "ins-bytes") (memory $memory)))
    (func (export "ins-u64") (result u64) (canon lift (core func $main "ins-u64")))
    (func (export "ins-seed") (result (tuple u64 u64)) (canon lift (core func $main "ins-seed") (memory $memory)))))");

  hostfns::WasiCtx ctx;
  ctx.initial_cwd = "/home/wörk";
  Linker linker;
  REQUIRE(hostfns::add_wasi_to_linker(linker, ctx).ok());
  Store store;
  auto inst = linker.instantiate(store, c);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  auto& ci = **inst;

  CHECK(call_ok(ci, "cwd", {}) == Val::some(Val::string("/home/wörk")));
  ctx.initial_cwd.reset();
  CHECK(call_ok(ci, "cwd", {}) == Val::none());

  Val now = call_ok(ci, "wall-now", {});
  REQUIRE(now.kind == ValKind::Record);
  REQUIRE(now.items.size() == 2);
  // Read after the guest's: time(2) may use a coarse clock that lags the
  // guest's CLOCK_REALTIME, so the host's value comes from the same clock.
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t host_now = uint64_t(ts.tv_sec);
  CHECK(now.items[0].u + 2 >= host_now);
  CHECK(now.items[0].u <= host_now);
  CHECK(now.items[1].u < 1000000000u);
  Val res = call_ok(ci, "wall-res", {});
  CHECK(res.items[0].u == 0);
  CHECK(res.items[1].u > 0);
  CHECK(call_ok(ci, "mono-res", {}).u > 0);
  CHECK(call_ok(ci, "rand-u64", {}) != call_ok(ci, "rand-u64", {}));

  Val bytes = call_ok(ci, "ins-bytes", {Val::u64(20)});
  REQUIRE(bytes.kind == ValKind::List);
  CHECK(bytes.list_size() == 20);
  CHECK(bytes != call_ok(ci, "ins-bytes", {Val::u64(20)}));
  CHECK(call_ok(ci, "ins-u64", {}) != call_ok(ci, "ins-u64", {}));
  CHECK(call_ok(ci, "ins-seed", {}) ==
        Val::tuple({Val::u64(ctx.state.insecure_seed.first), Val::u64(ctx.state.insecure_seed.second)}));

  // Over the limit: the typed function's Result error traps the call.
  auto big = ci.call("ins-bytes", std::vector<Val>{Val::u64(1ull << 40)});
  CHECK(has(error_message(big, ErrorKind::Trap), "get-insecure-random-bytes"));
}
