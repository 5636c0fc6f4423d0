// Function bodies not scanned by the decoder (DecodeOptions::scan_bodies
// false, as compile_module decodes): validation reads them instead, and the
// errors are the ones a scanning decoder gives. A malformed body is
// Malformed with the decoder's message even when something else (an earlier
// body, a later section, the module's exports) is wrong too; decoding with
// the default options still reports malformed bodies by itself. The same
// for core modules in components (load_component decodes them unscanned).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/leb128.h"
#include "component/decode.h"
#include "component/load.h"
#include "component/validate.h"
#include "interp/compile_module.h"
#include "interp/decode/decode.h"
#include "interp/validate/validate.h"

using namespace wippy;

namespace {

// What a function body is made of (each ends with `end`, added here).
enum class Body { Valid, Invalid, Illegal, Unclosed, Trailing, MemoryInit };

Bytes body_code(Body kind) {
  switch (kind) {
    case Body::Valid: return {0x41, 0x01, 0x1a, 0x0b};               // i32.const 1; drop; end
    case Body::Invalid: return {0x1a, 0x0b};                         // drop of nothing
    case Body::Illegal: return {0x41, 0x01, 0x1a, 0xff, 0x0b};       // no opcode 0xff
    case Body::Unclosed: return {0x02, 0x40, 0x0b};                  // block ... end, no final end
    case Body::Trailing: return {0x0b, 0x01, 0x0b};                  // end; nop; end
    case Body::MemoryInit:                                           // memory.init 0 0 of 3 zeros
      return {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b};
  }
  return {};
}

struct Shape {
  std::vector<Body> bodies;
  bool bad_export = false;      // exports function 99 (invalid: unknown function)
  bool data_count = false;      // a data count section of 1
  bool bad_data = false;        // data segment kind 7 (malformed, after the code)
  bool extra_func = false;      // one function more than bodies (malformed, at the end)
};

// Functions of type [] -> [], a memory, one passive data segment.
Bytes module_of(const Shape& s) {
  BinaryWriter w, types, funcs, mems, exports, count, code, data;
  w.header();
  types.u32(1), types.byte(0x60), types.u32(0), types.u32(0);
  const size_t n = s.bodies.size() + (s.extra_func ? 1 : 0);
  funcs.u32(n);
  for (size_t i = 0; i < n; ++i) funcs.u32(0);
  mems.u32(1), mems.byte(0x00), mems.u32(1);
  exports.u32(1), exports.name("f"), exports.byte(0x00), exports.u32(s.bad_export ? 99 : 0);
  count.u32(1);
  code.u32(s.bodies.size());
  for (Body b : s.bodies) {
    BinaryWriter body;
    body.u32(0);  // no locals
    body.append(body_code(b));
    code.u32(body.bytes.size());
    code.append(body.bytes);
  }
  data.u32(1);
  if (s.bad_data)
    data.u32(7);
  else
    data.u32(1), data.u32(3), data.byte(1), data.byte(2), data.byte(3);
  w.section(1, types), w.section(3, funcs), w.section(5, mems), w.section(7, exports);
  if (s.data_count) w.section(12, count);
  w.section(10, code), w.section(11, data);
  return std::move(w.bytes);
}

// "" when fine, else "<kind>: <message>".
std::string outcome(const Result<void>& r) {
  return r.ok() ? std::string() : std::string(error_kind_name(r.error().kind)) + ": " + r.error().message;
}

// decode_module scanning, then validate_module: what a decoder-first
// consumer has always seen.
std::string scanned(const Bytes& bin) {
  auto m = decode_module(bin);
  if (!m) return outcome(m.error());
  return outcome(validate_module(*m));
}

// compile_module: decoding without the scan, then validation.
std::string compiled(const Bytes& bin) {
  auto m = compile_module(bin);
  return m ? std::string() : outcome(m.error());
}

}  // namespace

TEST_CASE("unscanned bodies: an invalid body before a malformed one is still Malformed, same message") {
  const Bytes bin = module_of({.bodies = {Body::Invalid, Body::Illegal}});
  const std::string want = scanned(bin);
  CHECK(want.starts_with("malformed: illegal opcode ff"));
  CHECK(compiled(bin) == want);
  // Decoded without the scan the module is accepted, and validation says
  // what the decoder would have said.
  auto m = decode_module(bin, DecodeOptions{.scan_bodies = false});
  REQUIRE(m.ok());
  CHECK(!m->bodies_scanned);
  CHECK(outcome(validate_module(*m)) == want);
  CHECK(outcome(scan_function_bodies(*m)) == want);
}

TEST_CASE("unscanned bodies: each kind of malformed body keeps the decoder's error") {
  for (Body bad : {Body::Illegal, Body::Unclosed, Body::Trailing}) {
    CAPTURE(int(bad));
    for (Body first : {Body::Valid, Body::Invalid}) {
      const Bytes bin = module_of({.bodies = {first, bad, Body::Invalid}});
      const std::string want = scanned(bin);
      CHECK(want.starts_with("malformed: "));
      CHECK(compiled(bin) == want);
    }
  }
}

TEST_CASE("unscanned bodies: a malformed body wins over a module-level invalid and later malformed sections") {
  const Body two[] = {Body::Valid, Body::Illegal};
  struct Case {
    Shape shape;
    const char* alone;  // the error without the malformed body
  };
  const std::vector<Case> cases = {
      {{.bodies = {}, .bad_export = true}, "invalid: unknown function 99"},
      {{.bodies = {}, .bad_data = true}, "malformed: malformed data segment kind 7"},
      {{.bodies = {}, .extra_func = true}, "malformed: function and code section have inconsistent lengths"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.alone);
    Shape fine = c.shape, broken = c.shape;
    fine.bodies = {Body::Valid, Body::Valid};
    broken.bodies = {two[0], two[1]};
    CHECK(compiled(module_of(fine)).starts_with(c.alone));
    CHECK(scanned(module_of(fine)).starts_with(c.alone));
    const std::string want = scanned(module_of(broken));
    CHECK(want.starts_with("malformed: illegal opcode ff"));
    CHECK(compiled(module_of(broken)) == want);
  }
}

TEST_CASE("unscanned bodies: memory.init without a data count section is malformed either way") {
  const Bytes without = module_of({.bodies = {Body::MemoryInit}});
  const std::string want = scanned(without);
  CHECK(want.starts_with("malformed: data count section required"));
  CHECK(compiled(without) == want);
  CHECK(compiled(module_of({.bodies = {Body::MemoryInit}, .data_count = true})).empty());
}

TEST_CASE("the decoder's default still reports malformed bodies without validation") {
  auto m = decode_module(module_of({.bodies = {Body::Invalid, Body::Trailing}}));
  REQUIRE(!m.ok());
  CHECK(m.error().kind == ErrorKind::Malformed);
  auto fine = decode_module(module_of({.bodies = {Body::Invalid}}));
  REQUIRE(fine.ok());
  CHECK(fine->bodies_scanned);
}

TEST_CASE("unscanned bodies: a valid module validates, its bodies where their sizes say") {
  const Bytes bin = module_of({.bodies = {Body::Valid, Body::MemoryInit}, .data_count = true});
  auto m = decode_module(bin, DecodeOptions{.scan_bodies = false});
  REQUIRE(m.ok());
  CHECK(validate_module(*m).ok());
  auto scanned_module = decode_module(bin);
  REQUIRE(scanned_module.ok());
  REQUIRE(scanned_module->codes.size() == m->codes.size());
  for (size_t i = 0; i < m->codes.size(); ++i) {
    CHECK(m->codes[i].code_begin == scanned_module->codes[i].code_begin);
    CHECK(m->codes[i].code_end == scanned_module->codes[i].code_end);
  }
  CHECK(compile_module(bin).ok());
}

// ---- core modules inside components ----------------------------------------

namespace {

// A component (preamble, then `sections` as id and payload).
Bytes component_of(const std::vector<std::pair<uint8_t, Bytes>>& sections) {
  BinaryWriter w;
  for (uint8_t b : {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}) w.byte(b);
  for (const auto& [id, payload] : sections) {
    BinaryWriter p;
    p.append(payload);
    w.section(id, p);
  }
  return std::move(w.bytes);
}

Bytes core_module(Body second) { return module_of({.bodies = {Body::Invalid, second}}); }
const Bytes kBadInstance = {0x01, 0x00, 0x05, 0x00};  // instantiate core module 5: there is none
const Bytes kNothing = {};

// decode_component scanning, then validation; and load_component.
std::string component_scanned(const Bytes& bin) {
  auto c = component::decode_component(bin);
  if (!c) return outcome(c.error());
  return outcome(component::validate_component(*c));
}
std::string component_loaded(const Bytes& bin) {
  auto c = component::load_component(bin);
  return c ? std::string() : outcome(c.error());
}

}  // namespace

TEST_CASE("unscanned bodies in components: a malformed core body wins over later malformed and invalid parts") {
  struct Case {
    const char* what;
    Bytes bin;
  };
  const Bytes nested_bad = component_of({{1, core_module(Body::Illegal)}});
  const Bytes nested_fine = component_of({{1, core_module(Body::Valid)}});
  const std::vector<Case> cases = {
      {"alone", component_of({{1, core_module(Body::Illegal)}})},
      {"then a malformed section id", component_of({{1, core_module(Body::Trailing)}, {14, kNothing}})},
      {"then an invalid core instance", component_of({{1, core_module(Body::Illegal)}, {2, kBadInstance}})},
      {"in a nested component, then invalid", component_of({{4, nested_bad}, {2, kBadInstance}})},
      {"after a nested one, then invalid",
       component_of({{4, nested_fine}, {1, core_module(Body::Unclosed)}, {2, kBadInstance}})},
      {"in a nested component, then malformed", component_of({{4, nested_bad}, {14, kNothing}})},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const std::string want = component_scanned(c.bin);
    CHECK(want.starts_with("malformed: in core module at offset "));
    CHECK(component_loaded(c.bin) == want);
  }
  // Without the malformed body the same components fail otherwise.
  CHECK(component_loaded(component_of({{1, core_module(Body::Valid)}, {2, kBadInstance}})).starts_with("invalid: "));
  CHECK(component_loaded(component_of({{1, core_module(Body::Valid)}, {14, kNothing}})).starts_with("malformed: malformed section id 14"));
  CHECK(component_loaded(component_of({{1, module_of({.bodies = {Body::Valid}})}})) == "");
}

TEST_CASE("unscanned bodies: locals that run past a body's size are the decoder's error, not read as code") {
  // One body of size 1 holding "1 run of locals"; the run's count and type
  // are the next section's first bytes (a custom section: id 0, size 0x7f
  // read as i32), so every section's size still adds up.
  BinaryWriter w, types, funcs, code, custom;
  w.header();
  types.u32(1), types.byte(0x60), types.u32(0), types.u32(0);
  funcs.u32(1), funcs.u32(0);
  code.u32(1), code.u32(1), code.byte(0x01);
  custom.name("x");
  for (int i = 0; i < 0x7f - 2; ++i) custom.byte(0x0b);
  w.section(1, types), w.section(3, funcs), w.section(10, code), w.section(0, custom);
  const std::string want = scanned(w.bytes);
  CHECK(want.starts_with("malformed: "));
  CHECK(compiled(w.bytes) == want);
  auto m = decode_module(w.bytes, DecodeOptions{.scan_bodies = false});
  CHECK(outcome(m ? Result<void>() : Result<void>(m.error())) == want);
}

// A code section whose last body runs one byte past the end of the module
// (a length may overrun by its own encoding before a read notices): the
// one-pass load must not hand validation that body's span, and reports the
// scanning decoder's error. Found by the fuzzer's comparison of the two
// paths (tests/fuzz/targets.cpp).
TEST_CASE("deferred scan: a body that runs past the end of the module is malformed, as when scanned") {
  const Bytes bytes = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
      0x03, 0x03, 0x02, 0x00, 0x00, 0x07, 0x0e, 0x02, 0x04, 0x65, 0x76, 0x65, 0x6e, 0x00, 0x00, 0x03,
      0x6f, 0x64, 0x64, 0x00, 0x01, 0x0a, 0x2b, 0x02, 0x14, 0x00, 0x20, 0x00, 0x41, 0x00, 0x46, 0x04,
      0x7f, 0x41, 0x01, 0x05, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x01, 0x0b, 0x0b, 0x14, 0x00, 0x20,
      0x00, 0x41, 0x00, 0x46, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x20, 0x00, 0x41, 0x11, 0x6b, 0x10, 0x00,
      0x0b};
  auto scanned = decode_module(bytes);
  REQUIRE_FALSE(scanned.ok());
  CHECK(scanned.error().kind == ErrorKind::Malformed);
  // Decoding without the scan fails too (before, it succeeded and left the
  // last body's span one byte past the bytes: what validation then read
  // depended on the memory there).
  auto unscanned = decode_module(bytes, DecodeOptions{.scan_bodies = false});
  REQUIRE_FALSE(unscanned.ok());
  CHECK(unscanned.error().message == scanned.error().message);
  auto one_pass = compile_module(bytes);
  REQUIRE_FALSE(one_pass.ok());
  CHECK(one_pass.error().kind == ErrorKind::Malformed);
  CHECK(one_pass.error().message == scanned.error().message);
}
