// Unit tests for the spec-script harness as a library (wast/): a parsed
// core script run in-process counts passes and failures as `wippy-run wast`
// does, the spectest host module answers imports, script values match by
// pattern, and a script file that cannot be read is one failure.
#include <doctest/doctest.h>

#include <string>

#include "interp/text/wast.h"
#include "wast/runner.h"
#include "wast/values.h"

using namespace wippy;

namespace {

wast::WastCounts run_script(const std::string& text) {
  auto cmds = parse_wast(text);
  REQUIRE(bool(cmds));
  return wast::run_wast_commands("test.wast", *cmds, wast::WastOptions{});
}

}  // namespace

TEST_CASE("wast library: a core script's commands are counted") {
  auto c = run_script(R"(
    (module
      (import "spectest" "global_i32" (global $g i32))
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "g") (result i32) (global.get $g))
      (func (export "trap") (unreachable)))
    (assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
    (assert_return (invoke "g") (i32.const 666))
    (assert_trap (invoke "trap") "unreachable")
    (assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 3))
    (assert_invalid (module (func (result i32))) "type mismatch")
  )");
  CHECK(c.passed == 5);  // the module, two assert_returns, the trap, the invalid module
  CHECK(c.failed == 1);  // 1 + 1 is not 3
  CHECK(c.skipped == 0);
}

TEST_CASE("wast library: progress is reported after every command") {
  auto cmds = parse_wast(R"((module (func (export "f") (result i32) (i32.const 1)))
                            (assert_return (invoke "f") (i32.const 1)))");
  REQUIRE(bool(cmds));
  wast::WastOptions opts;
  int calls = 0;
  opts.on_progress = [&](const wast::WastCounts& c) {
    ++calls;
    CHECK(c.passed == uint32_t(calls));
  };
  auto c = wast::run_wast_commands("test.wast", *cmds, opts);
  CHECK(calls == 2);
  CHECK(c.passed == 2);
}

TEST_CASE("wast library: NaN patterns and exact bits") {
  auto c = run_script(R"(
    (module
      (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
      (func (export "neg0") (result f64) (f64.const -0)))
    (assert_return (invoke "nan") (f32.const nan:canonical))
    (assert_return (invoke "nan") (f32.const nan:arithmetic))
    (assert_return (invoke "neg0") (f64.const -0))
    (assert_return (invoke "neg0") (f64.const 0))
  )");
  CHECK(c.passed == 4);
  CHECK(c.failed == 1);  // -0 is not +0 bit for bit
}

TEST_CASE("wast library: an unreadable script file is one failure") {
  auto c = wast::run_wast_file("/nonexistent/wippy/test.wast", wast::WastOptions{});
  CHECK(c.passed == 0);
  CHECK(c.failed == 1);
}

TEST_CASE("wast library: value formatting") {
  CHECK(wast::format_value(ValType::I32, val_i32(42)) == "i32:42");
  CHECK(wast::extern_payload(0) == 1);
}
