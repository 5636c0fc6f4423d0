// Unit tests for input-controlled nesting (issue 16 part 2): every walk over
// a JSON document, a component type or a component value either does not
// recurse or recurses at most kMaxJsonDepth / kMaxTypeDepth levels, and at
// that limit fits a 64 KiB fiber stack. Each walk runs at the limit (it
// must succeed, and the stack it used is measured) and at the limit + 1 or
// far beyond it (it must fail with a clear error, never overflow).
#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "base/leb128.h"
#include "component/canon.h"
#include "component/decode.h"
#include "component/json.h"
#include "component/rtype.h"
#include "component/text/component_wat.h"
#include "component/val_json.h"
#include "component/validate.h"
#include "dispatcher/loop.h"
#include "dispatcher/sanitizer.h"
#include "interp/store.h"
#include "test_loop.h"
#include "tests/fuzz/deep.h"

using namespace wippy;
using namespace wippy::component;

namespace {

constexpr size_t kFiberStack = 64 * 1024;  // the runtime's default fiber stack
// What a walk may use of a 64 KiB fiber: the rest is left to the frames of
// whatever called it (the guest call, the host function, the dispatcher).
constexpr size_t kWalkBudget = 48 * 1024;
constexpr size_t kMeasureStack = 1024 * 1024;
constexpr uint8_t kPaint = 0xA5;

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Runs fn on a fiber with a `stack`-byte stack and returns how many bytes
// of it fn used at most: the free part of the stack is painted first, and
// the lowest byte changed afterwards marks the peak.
[[gnu::noinline]] size_t stack_peak(const std::function<void()>& fn, size_t stack) {
  size_t used = 0;
  auto loop_owner = wippy::testing::make_loop(disp::LoopOptions{.stack_size = stack});
  disp::Loop& loop = *loop_owner;
  loop.spawn([&] {
    if constexpr (disp::kAddressSanitizer) {
      // ASan's frames carry redzones and painting below this frame trips
      // it: the walk still runs (on the scaled stack), unmeasured.
      try {
        fn();
      } catch (...) {
      }
      return;
    }
    const disp::StackRange* r = disp::detail::tl_running_stack;
    REQUIRE(r != nullptr);
    auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    uintptr_t top = here - 512;  // below this frame and the memset call's
    std::memset(reinterpret_cast<void*>(r->usable_lo), kPaint, top - r->usable_lo);
    try {
      fn();
    } catch (...) {  // a failed REQUIRE: recorded already; must not leave the fiber
    }
    uintptr_t p = r->usable_lo;
    while (p < top && *reinterpret_cast<const uint8_t*>(p) == kPaint) ++p;
    used = here - p;
  });
  CHECK(loop.run() == disp::RunResult::finished);
  return used;
}

// Measures fn on a large fiber, requires it to stay within kWalkBudget,
// then runs it again on a 64 KiB fiber (the runtime's), where an overflow
// would end the process ("fiber stack overflow").
size_t stack_used_by(const std::function<void()>& fn) {
  size_t used = stack_peak(fn, kMeasureStack);
  MESSAGE("peak stack use: " << used << " bytes (budget " << kWalkBudget << " of a " << kFiberStack
                             << "-byte fiber)");
  REQUIRE(used <= kWalkBudget);
  stack_peak(fn, kFiberStack);
  return used;
}

std::string nested_array(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// option_chain_component(n): types option<u32>, option of that, ... (n
// types), and an exported function taking and returning the deepest one:
// canon lift makes the validator flatten it, check it for borrows and lay
// it out (the fuzzer's generator, tests/fuzz/deep.h).
std::string option_chain_component(uint32_t levels) { return fuzz::deep_option_func_text(levels); }

// A resource, a borrow of it, and `levels` results around the borrow, used
// as a function's result (which must not contain a borrow).
std::string borrow_in_result_component(uint32_t levels) {
  std::string s = "(component\n  (type (resource (rep i32)))\n  (type (borrow 0))\n";
  for (uint32_t i = 0; i < levels; ++i) s += "  (type (result " + std::to_string(i + 1) + "))\n";
  s += "  (type (func (result " + std::to_string(levels + 1) + "))))\n";
  return s;
}

Result<void> validate_text(const std::string& text) {
  auto bin = component_wat_to_binary(text);
  if (!bin) return bin.error();
  auto comp = decode_component(*bin);
  if (!comp) return comp.error();
  return validate_component(*comp);
}

// option^(levels-1)<u32> as a resolved type, and a value of it nested all
// the way down (some(some(...(7)))).
VTypeRef option_vtype(uint32_t levels) {
  VTypeRef t = prim_vtype(ValKind::U32);
  for (uint32_t i = 1; i < levels; ++i) {
    VType o;
    o.kind = ValKind::Option;
    o.elems = {t};
    t = make_vtype(std::move(o));
  }
  return t;
}
Val option_val(uint32_t levels) {
  Val v = Val::u32(7);
  for (uint32_t i = 1; i < levels; ++i) v = Val::some(std::move(v));
  return v;
}

}  // namespace

TEST_CASE("depth: JSON parsing does not recurse; documents at the limit fit a 64 KiB fiber") {
  std::string at_limit = nested_array(kMaxJsonDepth);
  size_t used = stack_used_by([&] {
    auto j = parse_json(at_limit);
    REQUIRE(j.ok());
    // Writing, comparing and destroying recurse, bounded by the limit.
    CHECK(to_json_text(*j) == at_limit);
    auto again = parse_json(at_limit);
    REQUIRE(again.ok());
    CHECK(*j == *again);
    // Objects too (each level a one-member object).
    std::string objs;
    for (size_t i = 0; i < kMaxJsonDepth; ++i) objs += "{\"k\":";
    objs += "1" + std::string(kMaxJsonDepth, '}');
    auto o = parse_json(objs);
    REQUIRE(o.ok());
    CHECK(to_json_text(*o) == objs);
  });
  MESSAGE("JSON at depth " << kMaxJsonDepth << ": " << used / kMaxJsonDepth << " bytes per level");

  stack_used_by([&] {
    auto over = parse_json(nested_array(kMaxJsonDepth + 1));
    REQUIRE(!over.ok());
    CHECK(over.error().message == "JSON at offset 128: nesting deeper than 128");
    // The reproduction (417 bytes of '[') and 100,000 levels.
    for (size_t n : {size_t(417), size_t(100000)}) {
      auto deep = parse_json(std::string(n, '['));
      REQUIRE(!deep.ok());
      CHECK_MESSAGE(has(deep.error().message, "nesting deeper than 128"), deep.error().message);
      auto objs = std::string();
      for (size_t i = 0; i < n; ++i) objs += "{\"a\":";
      auto deep_objs = parse_json(objs);
      REQUIRE(!deep_objs.ok());
      CHECK_MESSAGE(has(deep_objs.error().message, "nesting deeper than 128"), deep_objs.error().message);
    }
  });
}

TEST_CASE("depth: JSON errors inside deep documents and echoed keys stay bounded") {
  // Errors at any depth unwind the open containers without recursion.
  auto bad = parse_json("[[[[1,]]]]");
  REQUIRE(!bad.ok());
  CHECK(bad.error().message == "JSON at offset 6: expected a value, got ']'");
  auto dup = parse_json("{\"" + std::string(100000, 'k') + "\":1,\"" + std::string(100000, 'k') + "\":2}");
  REQUIRE(!dup.ok());
  CHECK(dup.error().message.size() < 400);
  CHECK_MESSAGE(has(dup.error().message, "(100000 bytes)"), dup.error().message);
}

TEST_CASE("depth: component types at the nesting limit validate on a 64 KiB fiber; one more level is refused") {
  std::string at_limit = option_chain_component(kMaxTypeDepth - 2);  // the function type is the deepest
  std::string over = option_chain_component(kMaxTypeDepth - 1);
  size_t used = stack_used_by([&] {
    auto ok = validate_text(at_limit);
    CHECK_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.error().message));
    auto bad = validate_text(over);
    REQUIRE(!bad.ok());
    CHECK_MESSAGE(has(bad.error().message, "type nesting is too deep"), bad.error().message);
  });
  MESSAGE("validation at type depth " << kMaxTypeDepth << ": " << used / kMaxTypeDepth << " bytes per level");
}

TEST_CASE("depth: 100,000 nested component types are refused with an error, not a crash") {
  stack_used_by([&] {
    auto bad = validate_text(option_chain_component(100000));
    REQUIRE(!bad.ok());
    CHECK_MESSAGE(has(bad.error().message, "type nesting is too deep"), bad.error().message);
  });
}

TEST_CASE("depth: a borrow in a function result is refused at every depth") {
  // Within the limit the borrow is found however deep it is (no silent
  // cut-off); beyond it the nesting itself is refused.
  for (uint32_t levels : {5u, uint32_t(kMaxTypeDepth - 3)}) {
    CAPTURE(levels);
    auto r = validate_text(borrow_in_result_component(levels));
    REQUIRE(!r.ok());
    CHECK_MESSAGE(has(r.error().message, "function result cannot contain a `borrow` type"), r.error().message);
  }
  auto deep = validate_text(borrow_in_result_component(205));
  REQUIRE(!deep.ok());
  CHECK_MESSAGE(has(deep.error().message, "type nesting is too deep"), deep.error().message);
}

TEST_CASE("depth: type size is bounded as well as depth (no exponential expansion)") {
  // tuple<t, t> doubled 25 times: depth 26, 2^26 leaves when expanded.
  std::string s = "(component\n  (type (tuple u32 u32))\n";
  for (uint32_t i = 1; i < 25; ++i)
    s += "  (type (tuple " + std::to_string(i - 1) + " " + std::to_string(i - 1) + "))\n";
  s += ")\n";
  auto r = validate_text(s);
  REQUIRE(!r.ok());
  CHECK_MESSAGE(has(r.error().message, "effective type size exceeds the limit of 1000000"), r.error().message);
}

TEST_CASE("depth: lifting, lowering, printing and JSON of values at the type limit fit a 64 KiB fiber") {
  VTypeRef t = option_vtype(kMaxTypeDepth);
  Val v = option_val(kMaxTypeDepth);
  Store st;
  MemoryInst* mem = st.create_memory(MemoryType{Limits{1, false, 0}});
  REQUIRE(mem != nullptr);
  size_t used = stack_used_by([&] {
    CanonCx cx{st, mem};
    // Flat: lower to core values and lift back.
    std::vector<Value> flat;
    REQUIRE(lower_flat(cx, *t, v, flat).ok());
    CHECK(flat.size() == kMaxTypeDepth);
    FlatReader in{flat};
    auto lifted = lift_flat(cx, *t, in);
    REQUIRE(lifted.ok());
    CHECK(*lifted == v);
    // Memory: store and load.
    REQUIRE(store(cx, *t, v, 0).ok());
    auto loaded = load(cx, *t, 0);
    REQUIRE(loaded.ok());
    CHECK(*loaded == v);
    // Printing.
    CHECK(has(to_string(v), "some(some("));
    CHECK(has(type_to_string(*t), "(option (option"));
    // JSON both ways.
    auto j = val_to_json(v, *t);
    REQUIRE(j.ok());
    std::string text = to_json_text(*j);
    CHECK(has(text, "{\"some\":{\"some\":"));
    auto back = parse_json(text);
    REQUIRE(back.ok());
    auto val = val_from_json(*back, *t);
    REQUIRE(val.ok());
    CHECK(*val == v);
  });
  MESSAGE("values at type depth " << kMaxTypeDepth << ": " << used / kMaxTypeDepth << " bytes per level");
}

// A component with `levels` components nested inside it, each in the one
// before.
std::string nested_components(uint32_t levels) {
  std::string s;
  for (uint32_t i = 0; i <= levels; ++i) s += "(component ";
  return s + std::string(levels + 1, ')');
}
// A component whose one type nests `levels` instance types.
std::string nested_instance_types(uint32_t levels) {
  std::string s = "(component (type";
  for (uint32_t i = 1; i < levels; ++i) s += " (instance (type";
  return s + " (instance)" + std::string(2 * (levels - 1), ')') + "))";
}

TEST_CASE("depth: nested components and instance types at the nesting limit fit a 64 KiB fiber") {
  const uint32_t n = kMaxComponentNesting;
  size_t used = stack_used_by([&] {
    // The text parser, the decoder and the validator, each at the limit.
    auto c = validate_text(nested_components(n));
    CHECK_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
    auto i = validate_text(nested_instance_types(n));
    CHECK_MESSAGE(i.ok(), (i.ok() ? "" : i.error().message));
    // Beyond it: refused by the text parser, and by the decoder when the
    // binary is built by hand.
    for (uint32_t levels : {n + 1, 100000u}) {
      auto over = validate_text(nested_components(levels));
      REQUIRE(!over.ok());
      CHECK_MESSAGE(has(over.error().message, "nesting too deep"), over.error().message);
      auto over_t = validate_text(nested_instance_types(levels));
      REQUIRE(!over_t.ok());
      CHECK_MESSAGE(has(over_t.error().message, "nesting too deep"), over_t.error().message);
    }
    std::vector<uint8_t> bin = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    for (uint32_t i = 0; i <= n; ++i) {  // n + 1 levels inside the outermost
      std::vector<uint8_t> outer = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x04};
      put_u32(outer, bin.size());
      outer.insert(outer.end(), bin.begin(), bin.end());
      bin = std::move(outer);
    }
    auto d = decode_component(bin);
    REQUIRE(!d.ok());
    CHECK_MESSAGE(has(d.error().message, "component nesting too deep"), d.error().message);
  });
  MESSAGE("components nested " << n << " deep: " << used / n << " bytes per level");
}

TEST_CASE("depth: a 50 MB import name gives a short error (issue 16 part 6)") {
  std::string huge(50'000'000, '_');  // not kebab case: refused by name validation
  auto r = validate_text("(component (import \"" + huge + "\" (func)))");
  REQUIRE(!r.ok());
  CHECK_MESSAGE(r.error().message.size() < 1000, r.error().message.substr(0, 1000));
  CHECK(has(r.error().message, "(50000000 bytes)"));
  // JSON: an unknown 50 MB record field name.
  VType rec;
  rec.kind = ValKind::Record;
  rec.labels = {"x"};
  rec.elems = {prim_vtype(ValKind::U32)};
  VTypeRef rt = make_vtype(std::move(rec));
  auto j = parse_json("{\"" + std::string(50'000'000, 'k') + "\":1}");
  REQUIRE(j.ok());
  auto v = val_from_json(*j, *rt);
  REQUIRE(!v.ok());
  CHECK_MESSAGE(v.error().message.size() < 1000, v.error().message.substr(0, 1000));
  CHECK(has(v.error().message, "(50000000 bytes)"));
}
