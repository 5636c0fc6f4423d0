// Unit tests for the text format's @custom, @name and
// @metadata.code.branch_hint annotations (interp/text/annotations.*, the
// module parser's placement) and the binary check of branch hints
// (interp/decode/branch_hints.*). Test case names start with "text
// annotations" or "branch hints".
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "interp/decode/branch_hints.h"
#include "interp/decode/decode.h"
#include "interp/text/wat.h"
#include "wat_module.h"

using namespace wippy;

namespace {

using Bytes = std::vector<uint8_t>;

using testing::wat_error;
Bytes wat(std::string_view src) { return testing::wat_bytes(src); }

// The binary's sections in order: a known section as its id ("1", "10"),
// a custom section as its name and content ("name=content").
std::vector<std::string> sections(const Bytes& b) {
  std::vector<std::string> out;
  size_t p = 8;
  auto leb = [&] {
    uint32_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t byte = b.at(p++);
      v |= uint32_t(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return v;
    }
  };
  while (p < b.size()) {
    uint8_t id = b[p++];
    uint32_t size = leb();
    size_t end = p + size;
    if (id == 0) {
      uint32_t n = leb();
      std::string name(b.begin() + long(p), b.begin() + long(p + n));
      std::string content(b.begin() + long(p + n), b.begin() + long(end));
      out.push_back(name + "=" + content);
    } else {
      out.push_back(std::to_string(id));
    }
    p = end;
  }
  return out;
}

Module decoded(const Bytes& b) {
  auto m = decode_module(b);
  if (!m) FAIL_CHECK(m.error().message);
  return m ? std::move(*m) : Module{};
}

}  // namespace

TEST_CASE("text annotations: @custom sections land where they are placed") {
  Bytes b = wat(R"((module
    (type $t (func))
    (@custom "a" "1")
    (@custom "b" (before global) "2" "3")
    (@custom "c" (after func) "4")
    (@custom "d" (before first) "5")
    (@custom "e" (after last) "6")
    (@custom "f" (before code) "")
    (func)
    (global i32 (i32.const 0))
    (@custom "g" (before datacount) "7")))");
  // type=1 func=3 global=6 code=10; customs before/after their anchors, in
  // source order where two share a spot (default: after the last section).
  std::vector<std::string> want = {"d=5", "1", "3", "c=4", "b=23", "6", "g=7", "f=", "10", "a=1", "e=6"};
  CHECK(sections(b) == want);
  Module m = decoded(b);
  CHECK(m.customs.size() == 7);
}

TEST_CASE("text annotations: @custom content bytes, escapes and a bare form") {
  CHECK(sections(wat(R"((@custom "x" "\00\ff" "ab"))")) == std::vector<std::string>{std::string("x=\0\xff" "ab", 6)});
  CHECK(sections(wat(R"((module (@custom "")))")) == std::vector<std::string>{"="});
}

TEST_CASE("text annotations: malformed and misplaced annotations") {
  CHECK(wat_error(R"((@custom))").find("@custom annotation: missing section name") != std::string::npos);
  CHECK(wat_error(R"((@custom "\df"))").find("@custom annotation: malformed UTF-8 encoding") != std::string::npos);
  CHECK(wat_error(R"((@custom "x" (before)))").find("malformed section kind") != std::string::npos);
  CHECK(wat_error(R"((@custom "x" (near type)))").find("malformed placement") != std::string::npos);
  CHECK(wat_error(R"((@custom "x" (after type) 1))").find("@custom annotation: unexpected token") != std::string::npos);
  CHECK(wat_error(R"((@custom "x" (after type x)))").find("@custom annotation: unexpected token") != std::string::npos);
  CHECK(wat_error(R"((func (@custom "x")))").find("misplaced @custom annotation") != std::string::npos);
  CHECK(wat_error(R"((global i32 (@custom "x") (i32.const 0)))").find("misplaced @custom annotation") != std::string::npos);
  // the error names the annotation's own line and column
  CHECK(wat_error("(func)\n  (func (nop (@custom \"x\")))").starts_with("2:14: "));
  CHECK(wat_error(R"((module (@name "a") (@name "b")))").find("@name annotation: multiple module names") != std::string::npos);
  CHECK(wat_error(R"((module (func) (@name "m")))").find("misplaced @name annotation") != std::string::npos);
  CHECK(wat_error(R"((module (func $f (@name "a") (@name "b"))))").find("multiple function names") != std::string::npos);
  CHECK(wat_error(R"((module (@name 4)))").find("@name annotation: string expected") != std::string::npos);
  CHECK(wat_error(R"((module (@name "a" "b")))").find("@name annotation: unexpected token") != std::string::npos);
  CHECK(wat_error("(@custom \"x\"").find("unclosed annotation") != std::string::npos);
}

TEST_CASE("text annotations: other annotations are still dropped, even inside a kept one") {
  Bytes b = wat(R"((module (@foo bar (baz)) (@custom "k" (@inner "dropped") "v") (func (@x) nop)))");
  CHECK(sections(b) == std::vector<std::string>{"1", "3", "10", "k=v"});
}

TEST_CASE("text annotations: @name fills the name section") {
  Bytes b = wat(R"((module (@name "Modül")
    (import "m" "f" (func $imp (@name "imported")))
    (func (@name "λ"))
    (func $g)
    (tag $t (@name "θ"))))");
  Module m = decoded(b);
  REQUIRE(m.func_names.size() == 3);
  CHECK(m.func_names[0] == "imported");
  CHECK(m.func_names[1] == "λ");
  CHECK(m.func_names[2].empty());
  // module name (subsection 0), function names (1), tag names (11)
  std::string name_section = sections(b).back();
  CHECK(name_section.starts_with("name="));
  CHECK(name_section.find("Modül") != std::string::npos);
  CHECK(name_section.find("θ") != std::string::npos);
}

TEST_CASE("branch hints: encoded at the hinted if/br_if, flat and folded") {
  Bytes b = wat(R"((module
    (func $f (param i32) (result i32) (local i64)
      (@metadata.code.branch_hint "\01")
      (if (result i32) (local.get 0)
        (then (i32.const 1))
        (else
          (block
            (@metadata.code.branch_hint "\00") (br_if 0 (local.get 0))
            local.get 0
            (@metadata.code.branch_hint "\01") br_if 0)
          (i32.const 2))))))");
  // body: 01 01 7e (one i64 local) | 20 00 | if@5: 04 7f | 41 01 | 05 |
  // 02 40 | 20 00 | br_if@14: 0d 00 | 20 00 | br_if@18: 0d 00 | ...
  std::string section;
  for (const std::string& s : sections(b))
    if (s.starts_with("metadata.code.branch_hint=")) section = s.substr(26);
  std::string want = std::string("\x01\x00\x03", 3) + std::string("\x05\x01\x01", 3) +
                     std::string("\x0e\x01\x00", 3) + std::string("\x12\x01\x01", 3);
  CHECK(section == want);
  // the section is placed before the code section
  auto secs = sections(b);
  auto hint_at = std::find_if(secs.begin(), secs.end(), [](auto& s) { return s.starts_with("metadata"); });
  REQUIRE(hint_at + 1 != secs.end());
  CHECK(*(hint_at + 1) == "10");
  Module m = decoded(b);
  CHECK(decode::check_branch_hints(m).ok());
}

TEST_CASE("branch hints: misplaced, duplicate and malformed annotations") {
  CHECK(wat_error(R"((module (@metadata.code.branch_hint "\01") (func)))").find("not in a function") != std::string::npos);
  CHECK(wat_error(R"((func i32.const 0 (@metadata.code.branch_hint "\01") (@metadata.code.branch_hint "\00") if end))")
            .find("duplicate annotation") != std::string::npos);
  CHECK(wat_error(R"((func i32.const 0 (@metadata.code.branch_hint "\02") if end))").find("invalid hint value") !=
        std::string::npos);
  CHECK(wat_error(R"((func i32.const 0 (@metadata.code.branch_hint x) if end))").find("unexpected token") !=
        std::string::npos);
  CHECK(wat_error(R"((func (nop (@metadata.code.branch_hint "\01"))))").find("invalid placement") != std::string::npos);
  // a hint before something that is not a branch encodes, and the check finds it
  Bytes b = wat(R"((func (param i32) local.get 0 (@metadata.code.branch_hint "\01") drop))");
  auto r = decode::check_branch_hints(decoded(b));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Invalid);
  CHECK(r.error().message.find("invalid target") != std::string::npos);
  CHECK(r.error().message.find("drop") != std::string::npos);
}

TEST_CASE("branch hints: the binary check rejects bad sections") {
  // (func (param i32) local.get 0 if end): body 00 | 20 00 | 04 40 | 0b | 0b;
  // `if` at offset 3
  Bytes base = wat("(func (param i32) local.get 0 if end)");
  auto with_section = [&](Bytes payload) {
    Bytes out = base;
    Bytes body{25};
    std::string name = "metadata.code.branch_hint";
    body.insert(body.end(), name.begin(), name.end());
    body.insert(body.end(), payload.begin(), payload.end());
    out.push_back(0);
    out.push_back(uint8_t(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return decode::check_branch_hints(decoded(out));
  };
  CHECK(with_section({1, 0, 1, 3, 1, 1}).ok());
  CHECK(with_section({1, 0, 1, 2, 1, 1}).error().message.find("invalid target") != std::string::npos);
  CHECK(with_section({1, 0, 1, 3, 2, 1}).error().message.find("2 bytes") != std::string::npos);
  CHECK(with_section({1, 0, 1, 3, 1, 7}).error().message.find("invalid hint value") != std::string::npos);
  CHECK(with_section({1, 1, 1, 3, 1, 1}).error().message.find("invalid function index 1") != std::string::npos);
  CHECK(with_section({1, 0, 2, 3, 1, 1, 3, 1, 0}).error().message.find("invalid order") != std::string::npos);
  CHECK(with_section({1, 0, 1, 3, 1}).error().message.find("metadata.code.branch_hint section") != std::string::npos);
  CHECK(with_section({1, 0, 1, 3, 1, 1, 9}).error().message.find("unexpected bytes") != std::string::npos);
  CHECK(with_section({1, 0, 1, 60, 1, 1}).error().message.find("invalid target") != std::string::npos);
}

TEST_CASE("branch hints: tens of thousands in one function encode and check (no quadratic placement)") {
  std::string src = "(func (block";
  const int n = 50000;
  for (int i = 0; i < n; ++i) src += " (@metadata.code.branch_hint \"\\01\") (br_if 0 (i32.const 0))";
  src += "))";
  Bytes b = wat(src);
  REQUIRE_FALSE(b.empty());
  Module m = decoded(b);
  CHECK(decode::check_branch_hints(m).ok());
  std::string section;
  for (const std::string& s : sections(b))
    if (s.starts_with("metadata.code.branch_hint=")) section = s.substr(26);
  // one function, n hints (u32 LEB 50000 = d0 86 03)
  CHECK(section.substr(0, 5) == std::string("\x01\x00\xd0\x86\x03", 5));
}
